#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thin wrapper over the C library's iconv, converting between a named encoding and UTF-8.
enum Iconv {
  /// Decodes bytes in `encoding` to a String. Bytes iconv rejects become U+FFFD, one per byte, so a
  /// damaged value still reads. Returns nil only when the encoding is unknown to iconv.
  static func decode<C: Collection<UInt8>>(_ bytes: C, from encoding: String) -> String? {
    guard let out = convert(Array(bytes), from: encoding, to: "UTF-8", substitute: [0xEF, 0xBF, 0xBD]) else {
      return nil
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Encodes a String into `encoding`; nil when the encoding is unknown or a character has no mapping.
  static func encode(_ string: String, to encoding: String) -> [UInt8]? {
    convert(Array(string.utf8), from: "UTF-8", to: encoding, substitute: nil)
  }

  private static func convert(_ input: [UInt8], from: String, to: String, substitute: [UInt8]?) -> [UInt8]? {
    let cd = iconv_open(to, from)
    if cd == iconv_t(bitPattern: -1) { return nil }
    defer { iconv_close(cd) }
    if input.isEmpty { return [] }
    var output: [UInt8] = []
    output.reserveCapacity(input.count * 2)
    var chunk = [UInt8](repeating: 0, count: max(64, input.count * 4))
    var src = input
    let ok: Bool = src.withUnsafeMutableBufferPointer { inBuf in
      chunk.withUnsafeMutableBufferPointer { outBuf in
        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(
          to: CChar.self)
        var inLeft = inBuf.count
        while inLeft > 0 {
          var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(
            to: CChar.self)
          var outLeft = outBuf.count
          let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
          output.append(contentsOf: UnsafeRawBufferPointer(start: outBuf.baseAddress!, count: outBuf.count - outLeft))
          if r == -1 {
            let err = errno
            if err == E2BIG { continue }
            // EILSEQ (invalid byte) or EINVAL (incomplete sequence at the end).
            guard let sub = substitute else { return false }
            output += sub
            inPtr = inPtr.map { $0 + 1 }
            inLeft -= 1
            iconv(cd, nil, nil, nil, nil)  // reset shift state after the bad byte
          }
        }
        return true
      }
    }
    return ok ? output : nil
  }
}

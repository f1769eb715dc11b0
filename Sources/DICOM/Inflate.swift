import CZlib

/// Raw deflate (RFC 1951, no zlib header) as Deflated Explicit VR Little Endian uses (PS3.5 A.5).
enum Inflate {
  /// Inflates `input`, refusing to produce more than `limits.maxDecompressedSize` bytes.
  /// `offset` is where the stream starts in the file, for error messages.
  static func raw(_ input: [UInt8], offset: Int, limits: Limits) throws(DICOMError) -> [UInt8] {
    var stream = z_stream()
    guard biloba_inflateInit2(&stream, -15) == Z_OK else {
      throw DICOMError.inflateFailed(offset: offset, reason: "zlib initialisation failed")
    }
    defer { inflateEnd(&stream) }
    var output: [UInt8] = []
    output.reserveCapacity(min(limits.maxDecompressedSize, input.count * 4))
    var chunk = [UInt8](repeating: 0, count: 256 * 1024)
    var source = input
    var failure: DICOMError? = nil
    source.withUnsafeMutableBufferPointer { src in
      stream.next_in = src.baseAddress
      stream.avail_in = uInt(src.count)
      chunk.withUnsafeMutableBufferPointer { out in
        while true {
          stream.next_out = out.baseAddress
          stream.avail_out = uInt(out.count)
          let status = CZlib.inflate(&stream, Z_NO_FLUSH)
          let produced = out.count - Int(stream.avail_out)
          if output.count + produced > limits.maxDecompressedSize {
            failure = .decompressedSizeExceeded(limit: limits.maxDecompressedSize)
            return
          }
          output.append(contentsOf: out[0..<produced])
          if status == Z_STREAM_END { return }
          if status == Z_BUF_ERROR && stream.avail_in == 0 {
            // Input exhausted without an end marker: DCMTK accepts such streams; the parser will
            // notice if the dataset itself is cut short.
            return
          }
          if status != Z_OK {
            let consumed = src.count - Int(stream.avail_in)
            let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
            failure = .inflateFailed(offset: offset + consumed, reason: message)
            return
          }
        }
      }
    }
    if let failure { throw failure }
    return output
  }

  /// Compresses with raw deflate, for writing deflated datasets.
  static func deflateRaw(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    guard biloba_deflateInit2(&stream, level, -15) == Z_OK else { return [] }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(input.count))) + 16
    var output = [UInt8](repeating: 0, count: bound)
    var source = input
    source.withUnsafeMutableBufferPointer { src in
      output.withUnsafeMutableBufferPointer { out in
        stream.next_in = src.baseAddress
        stream.avail_in = uInt(src.count)
        stream.next_out = out.baseAddress
        stream.avail_out = uInt(out.count)
        _ = CZlib.deflate(&stream, Z_FINISH)
      }
    }
    output.removeLast(Int(stream.avail_out))
    return output
  }
}

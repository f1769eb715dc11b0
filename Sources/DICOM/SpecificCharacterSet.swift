/// The character repertoires named by Specific Character Set (0008,0005), and how text in them decodes
/// (PS3.3 C.12.1.1.2, PS3.5 section 6.1). ISO 2022 escape sequences switch repertoires within a value.
public struct SpecificCharacterSet: Sendable, Equatable, CustomStringConvertible {
  /// The defined terms as written in (0008,0005), the first possibly empty (default repertoire).
  public let definedTerms: [String]
  /// Terms that name no repertoire this code knows; their text decodes as Latin-1 so it stays readable.
  public let unknownTerms: [String]

  public static let `default` = SpecificCharacterSet(definedTerms: [])

  public init(definedTerms: [String]) {
    self.definedTerms = definedTerms
    self.unknownTerms = definedTerms.filter { !$0.isEmpty && Repertoire.forTerm($0) == nil }
  }

  public var description: String { definedTerms.isEmpty ? "ISO_IR 6" : definedTerms.joined(separator: "\\") }

  /// ISO 2022 code extensions are in use: values may switch repertoires with escape sequences.
  var usesCodeExtensions: Bool { definedTerms.contains { $0.hasPrefix("ISO 2022") } }

  static func splitTerms(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\\", omittingEmptySubsequences: false).map {
      String($0).trimmingTrailing(where: { $0 == 0x20 || $0 == 0 }).trimmingLeadingSpaces()
    }
  }

  /// Decodes a text value. `isPersonName` makes `^` and `=` delimiters that reset the repertoires.
  public func decode<C: Collection<UInt8>>(_ bytes: C, isPersonName: Bool = false) -> String {
    if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) { return String(decoding: bytes, as: UTF8.self) }
    let first = definedTerms.first.map { Repertoire.forTerm($0) ?? .latin1 } ?? .ascii
    if !usesCodeExtensions { return first.decodeWhole(bytes) }
    return ISO2022Decoder(initial: first, isPersonName: isPersonName).decode(Array(bytes))
  }

  /// Encodes text for a value in this character set; nil when a character cannot be represented.
  public func encode(_ text: String, isPersonName: Bool = false) -> [UInt8]? {
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return Array(text.utf8) }
    if !usesCodeExtensions {
      let rep = definedTerms.first.flatMap { Repertoire.forTerm($0) } ?? .ascii
      return rep.encodeWhole(text)
    }
    // ISO 2022: each non-ASCII run is introduced by the escape of the first extension repertoire that
    // can encode it; the text returns to ASCII before every delimiter.
    let extensions =
      definedTerms.dropFirst().compactMap { Repertoire.forTerm($0) }
      + [definedTerms.first.flatMap { Repertoire.forTerm($0) } ?? .ascii]
    var out: [UInt8] = []
    var current: Repertoire? = nil
    for ch in text {
      let s = String(ch)
      if s.utf8.allSatisfy({ $0 < 0x80 }) {
        if let cur = current, cur.isMultiByteG0 { out += Repertoire.asciiEscape }
        if current?.isMultiByteG0 == true || (isPersonName && "^=".contains(ch)) { current = nil }
        out += Array(s.utf8)
        continue
      }
      guard let rep = extensions.first(where: { $0.canEncode(s) }), let bytes = rep.encodeInISO2022(s) else {
        return nil
      }
      if current != rep {
        out += rep.escape
        current = rep
      }
      out += bytes
    }
    if let cur = current, cur.isMultiByteG0 { out += Repertoire.asciiEscape }
    return out
  }
}

/// Splits a value on ESC sequences and delimiters, and decodes each run with the repertoire in force.
struct ISO2022Decoder {
  let initial: Repertoire
  let isPersonName: Bool

  func decode(_ bytes: [UInt8]) -> String {
    var g0: Repertoire = initial.isG0 ? initial : .ascii
    var g1: Repertoire? = initial.isG0 ? nil : initial
    var out = ""
    var run: [UInt8] = []
    func flush() {
      guard !run.isEmpty else { return }
      out += Self.decodeRun(run, g0: g0, g1: g1)
      run.removeAll(keepingCapacity: true)
    }
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b == 0x1B {
        flush()
        var j = i + 1
        while j < bytes.count, (0x20...0x2F).contains(bytes[j]) { j += 1 }
        let sequence = Array(bytes[i..<min(j + 1, bytes.count)])
        if let rep = Repertoire.forEscape(sequence) {
          if rep.isG0 { g0 = rep } else { g1 = rep }
        }
        i = j + 1
        continue
      }
      let isDelimiter =
        !g0.isMultiByteG0
        && (b == 0x0D || b == 0x0A || b == 0x0C || b == 0x09 || b == 0x5C
          || (isPersonName && (b == 0x5E || b == 0x3D)))
      if isDelimiter {
        flush()
        out.unicodeScalars.append(Unicode.Scalar(b))
        g0 = initial.isG0 ? initial : .ascii
        g1 = initial.isG0 ? nil : initial
      } else {
        run.append(b)
      }
      i += 1
    }
    flush()
    return out
  }

  /// A run without escapes: bytes below 0x80 belong to G0, the rest to G1.
  static func decodeRun(_ run: [UInt8], g0: Repertoire, g1: Repertoire?) -> String {
    var out = ""
    var start = 0
    while start < run.count {
      let high = run[start] >= 0x80
      var end = start
      while end < run.count, (run[end] >= 0x80) == high { end += 1 }
      let part = run[start..<end]
      if high {
        out += (g1 ?? .latin1).decodeG1(part)
      } else {
        out += g0.decodeG0(part)
      }
      start = end
    }
    return out
  }
}

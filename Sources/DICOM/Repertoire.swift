import Foundation

/// One character repertoire of PS3.3 C.12.1.1.2 with its ISO 2022 escape sequence and decoder.
enum Repertoire: Sendable, Equatable {
  case ascii
  case latin1
  /// A single-byte ISO 8859 (or TIS-620) set in G1, decoded by iconv under this name.
  case singleByte(iconvName: String, escapeFinal: UInt8)
  /// JIS X 0201: romaji in G0 (ISO 2022 IR 14), katakana in G1 (ISO 2022 IR 13).
  case jisRoman, jisKatakana
  /// JIS X 0208 (IR 87) and JIS X 0212 (IR 159): two bytes per character in G0.
  case jisX0208, jisX0212
  /// KS X 1001 (IR 149) and GB 2312 (IR 58): two bytes per character in G1.
  case ksX1001, gb2312
  /// Encodings without code extensions: UTF-8, GB18030, GBK.
  case utf8, gb18030, gbk

  static let asciiEscape: [UInt8] = [0x1B, 0x28, 0x42]

  static func forTerm(_ rawTerm: String) -> Repertoire? {
    let term = rawTerm.replacingOccurrences(of: "ISO 2022 ", with: "").replacingOccurrences(of: "ISO_", with: "")
      .replacingOccurrences(of: "_", with: " ")
    switch term {
    case "", "IR 6": return .ascii
    case "IR 100": return .latin1
    case "IR 101": return .singleByte(iconvName: "ISO-8859-2", escapeFinal: 0x42)
    case "IR 109": return .singleByte(iconvName: "ISO-8859-3", escapeFinal: 0x43)
    case "IR 110": return .singleByte(iconvName: "ISO-8859-4", escapeFinal: 0x44)
    case "IR 144": return .singleByte(iconvName: "ISO-8859-5", escapeFinal: 0x4C)
    case "IR 127": return .singleByte(iconvName: "ISO-8859-6", escapeFinal: 0x47)
    case "IR 126": return .singleByte(iconvName: "ISO-8859-7", escapeFinal: 0x46)
    case "IR 138": return .singleByte(iconvName: "ISO-8859-8", escapeFinal: 0x48)
    case "IR 148": return .singleByte(iconvName: "ISO-8859-9", escapeFinal: 0x4D)
    case "IR 203": return .singleByte(iconvName: "ISO-8859-15", escapeFinal: 0x62)
    case "IR 166": return .singleByte(iconvName: "TIS-620", escapeFinal: 0x54)
    case "IR 13": return .jisKatakana
    case "IR 14": return .jisRoman
    case "IR 87": return .jisX0208
    case "IR 159": return .jisX0212
    case "IR 149": return .ksX1001
    case "IR 58": return .gb2312
    case "IR 192": return .utf8
    case "GB18030": return .gb18030
    case "GBK": return .gbk
    default: return nil
    }
  }

  /// The escape sequence that designates this repertoire (PS3.3 tables C.12-3 and C.12-4).
  var escape: [UInt8] {
    switch self {
    case .ascii: Self.asciiEscape
    case .latin1: [0x1B, 0x2D, 0x41]
    case .singleByte(_, let final): [0x1B, 0x2D, final]
    case .jisRoman: [0x1B, 0x28, 0x4A]
    case .jisKatakana: [0x1B, 0x29, 0x49]
    case .jisX0208: [0x1B, 0x24, 0x42]
    case .jisX0212: [0x1B, 0x24, 0x28, 0x44]
    case .ksX1001: [0x1B, 0x24, 0x29, 0x43]
    case .gb2312: [0x1B, 0x24, 0x29, 0x41]
    case .utf8, .gb18030, .gbk: []
    }
  }

  static let escapable: [Repertoire] =
    [
      .ascii, .latin1, .jisRoman, .jisKatakana, .jisX0208, .jisX0212, .ksX1001, .gb2312,
    ]
    + [
      (0x42, "ISO-8859-2"), (0x43, "ISO-8859-3"), (0x44, "ISO-8859-4"), (0x4C, "ISO-8859-5"),
      (0x47, "ISO-8859-6"), (0x46, "ISO-8859-7"), (0x48, "ISO-8859-8"), (0x4D, "ISO-8859-9"),
      (0x62, "ISO-8859-15"), (0x54, "TIS-620"),
    ].map { .singleByte(iconvName: $0.1, escapeFinal: $0.0) }

  static func forEscape(_ sequence: [UInt8]) -> Repertoire? {
    escapable.first { $0.escape == sequence }
  }

  /// Designated into G0 (bytes 0x21-0x7E) rather than G1 (0xA1-0xFE).
  var isG0: Bool {
    switch self {
    case .ascii, .jisRoman, .jisX0208, .jisX0212: true
    default: false
    }
  }

  var isMultiByteG0: Bool { self == .jisX0208 || self == .jisX0212 }

  func decodeG0<C: Collection<UInt8>>(_ bytes: C) -> String {
    switch self {
    case .jisX0208: Iconv.decode(bytes.map { $0 | 0x80 }, from: "EUC-JP") ?? Self.latin1String(bytes)
    case .jisX0212:
      Iconv.decode(
        stride(from: 0, to: bytes.count - 1, by: 2).flatMap { i -> [UInt8] in
          let a = bytes[bytes.index(bytes.startIndex, offsetBy: i)]
          let b = bytes[bytes.index(bytes.startIndex, offsetBy: i + 1)]
          return [0x8F, a | 0x80, b | 0x80]
        }, from: "EUC-JP") ?? Self.latin1String(bytes)
    case .jisRoman:
      String(
        String.UnicodeScalarView(
          bytes.map { b in
            b == 0x5C ? "\u{A5}" : b == 0x7E ? "\u{203E}" : Unicode.Scalar(b)
          }))
    default: String(decoding: bytes, as: UTF8.self)
    }
  }

  func decodeG1<C: Collection<UInt8>>(_ bytes: C) -> String {
    switch self {
    case .latin1: Self.latin1String(bytes)
    case .singleByte(let name, _): Iconv.decode(bytes, from: name) ?? Self.latin1String(bytes)
    case .jisKatakana:
      String(
        String.UnicodeScalarView(
          bytes.map { b in
            (0xA1...0xDF).contains(b) ? Unicode.Scalar(0xFF61 + UInt32(b - 0xA1))! : "\u{FFFD}"
          }))
    case .ksX1001: Iconv.decode(bytes, from: "EUC-KR") ?? Self.latin1String(bytes)
    case .gb2312: Iconv.decode(bytes, from: "GB2312") ?? Self.latin1String(bytes)
    default: Self.latin1String(bytes)
    }
  }

  /// Decodes a whole value of a set used without code extensions.
  func decodeWhole<C: Collection<UInt8>>(_ bytes: C) -> String {
    switch self {
    case .ascii, .latin1: Self.latin1String(bytes)
    case .utf8: String(decoding: bytes, as: UTF8.self)
    case .gb18030: Iconv.decode(bytes, from: "GB18030") ?? Self.latin1String(bytes)
    case .gbk: Iconv.decode(bytes, from: "GBK") ?? Self.latin1String(bytes)
    case .jisKatakana, .jisRoman:
      ISO2022Decoder.decodeRun(Array(bytes), g0: .jisRoman, g1: .jisKatakana)
    default: ISO2022Decoder.decodeRun(Array(bytes), g0: .ascii, g1: self)
    }
  }

  func encodeWhole(_ text: String) -> [UInt8]? {
    switch self {
    case .utf8: Array(text.utf8)
    case .gb18030: Iconv.encode(text, to: "GB18030")
    case .gbk: Iconv.encode(text, to: "GBK")
    case .latin1: Iconv.encode(text, to: "ISO-8859-1")
    case .singleByte(let name, _): Iconv.encode(text, to: name)
    default: nil
    }
  }

  func canEncode(_ s: String) -> Bool { encodeInISO2022(s) != nil }

  /// The bytes of non-ASCII text in this repertoire as it stands after its escape sequence.
  func encodeInISO2022(_ s: String) -> [UInt8]? {
    switch self {
    case .latin1, .singleByte: encodeWhole(s)
    case .jisX0208:
      Iconv.encode(s, to: "EUC-JP").flatMap { b in
        b.allSatisfy({ $0 >= 0xA1 }) && b.count % 2 == 0 ? b.map { $0 & 0x7F } : nil
      }
    case .ksX1001: Iconv.encode(s, to: "EUC-KR").flatMap { b in b.allSatisfy({ $0 >= 0xA1 }) ? b : nil }
    case .gb2312: Iconv.encode(s, to: "GB2312").flatMap { b in b.allSatisfy({ $0 >= 0xA1 }) ? b : nil }
    default: nil
    }
  }

  /// Latin-1 maps every byte to the code point of the same number: a readable fallback for anything.
  static func latin1String<C: Collection<UInt8>>(_ bytes: C) -> String {
    String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
  }
}

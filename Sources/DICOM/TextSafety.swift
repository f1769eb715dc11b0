/// The one text-safety rule for everything a peer or a file supplies that reaches a terminal, a log or
/// JSON: no ESC or other C0 control, no DEL, no C1 control (U+0080-U+009F, among them the 8-bit CSI),
/// and no bidirectional formatting control (which can reorder what a reader sees). Each is replaced by
/// U+FFFD, so the reader still sees that something was there.
public enum TextSafety {
  /// Whether a scalar may be shown as it is.
  @inline(__always)
  public static func isSafe(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    if v < 0x80 { return v >= 0x20 && v != 0x7F }
    if v <= 0x9F { return false }
    return !isBidiControl(v)
  }

  /// Bidi controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), and the marks
  /// (U+200E, U+200F, U+061C).
  @inline(__always)
  static func isBidiControl(_ v: UInt32) -> Bool {
    (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
  }

  /// The text with every unsafe scalar replaced by U+FFFD.
  public static func text(_ value: String) -> String {
    if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 < 0x80 }) { return value }
    var out = String.UnicodeScalarView()
    for s in value.unicodeScalars { out.append(isSafe(s) ? s : "\u{FFFD}") }
    return String(out)
  }

  /// Like `text`, but keeps line feeds (and tabs) for output made of several lines; everything else
  /// unsafe is replaced.
  public static func lines(_ value: String) -> String {
    var out = String.UnicodeScalarView()
    for s in value.unicodeScalars { out.append(isSafe(s) || s == "\n" || s == "\t" ? s : "\u{FFFD}") }
    return String(out)
  }

  /// A JSON string literal (with its quotes): the text-safety rule, and every control, C1 and bidi
  /// scalar escaped as \uXXXX instead of replaced (JSON keeps the value; a terminal showing the JSON
  /// sees no control).
  public static func jsonString(_ value: String) -> String {
    var out = "\""
    for s in value.unicodeScalars {
      switch s {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if isSafe(s) {
          out.unicodeScalars.append(s)
        } else {
          let hex = String(s.value, radix: 16, uppercase: false)
          out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
      }
    }
    return out + "\""
  }

  /// JSON made by another encoder (Foundation's escapes C0 only) with every remaining unsafe scalar
  /// escaped as \uXXXX: outside string literals JSON has no such scalar, so this keeps it valid.
  public static func json(_ encoded: String) -> String {
    if encoded.utf8.allSatisfy({ $0 < 0x7F }) { return encoded }
    var out = ""
    for s in encoded.unicodeScalars {
      if isSafe(s) || s == "\n" || s == " " {
        out.unicodeScalars.append(s)
      } else {
        let hex = String(s.value, radix: 16, uppercase: false)
        out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
      }
    }
    return out
  }
}

extension String {
  /// This text under the one text-safety rule (`TextSafety.text`).
  public var strippingControlCharacters: String { TextSafety.text(self) }
}

extension String {
  /// The text with control characters (C0, DEL, C1) replaced by U+FFFD, so a DICOM string can never
  /// send an escape sequence to a terminal.
  public var strippingControlCharacters: String {
    if utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 < 0x80 }) { return self }
    var out = String.UnicodeScalarView()
    for s in unicodeScalars {
      let v = s.value
      out.append(v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) ? "\u{FFFD}" : s)
    }
    return String(out)
  }
}

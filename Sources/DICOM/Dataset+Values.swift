/// Typed access to element values: text decoded in the dataset's character set, numbers in its byte order.
extension Dataset {
  /// All values of a text element, split at backslashes (except for single-valued VRs), padding removed.
  public func strings(_ tag: Tag) -> [String]? {
    guard let e = self[tag], e.vr.isString, case .bytes(let b) = e.value else { return nil }
    return decodeStrings(b, vr: e.vr)
  }

  /// The first value of a text element.
  public func string(_ tag: Tag) -> String? { strings(tag)?.first }

  func decodeStrings(_ bytes: [UInt8], vr: VR) -> [String] {
    guard vr.usesSpecificCharacterSet else { return Self.decodeDefaultRepertoire(bytes, vr: vr) }
    let text = characterSet.decode(bytes, isPersonName: vr == .PN)
    let parts =
      vr.isSingleValuedText
      ? [Substring(text)] : text.split(separator: "\\", omittingEmptySubsequences: false)
    return parts.map { Self.trimPadding(String($0), vr: vr) }
  }

  /// Text in the default repertoire (UIDs, codes, dates, numbers: every string is read this way on each
  /// object indexed), split and trimmed as bytes before one decoding per value. The same values as
  /// decoding first: in UTF-8 the bytes of backslash, space and NUL never occur inside another character.
  static func decodeDefaultRepertoire(_ bytes: [UInt8], vr: VR) -> [String] {
    let leadingSpaces = !vr.isSingleValuedText
    func value(_ part: ArraySlice<UInt8>) -> String {
      var part = part
      while let last = part.last, last == Byte.space || last == 0 { part.removeLast() }
      if leadingSpaces { while part.first == Byte.space { part.removeFirst() } }
      return String(decoding: part, as: UTF8.self)
    }
    guard !vr.isSingleValuedText else { return [value(bytes[...])] }
    return bytes.split(separator: Byte.backslash, omittingEmptySubsequences: false).map(value)
  }

  private enum Byte {
    static let space = UInt8(ascii: " ")
    static let backslash = UInt8(ascii: "\\")
  }

  /// Removes the padding PS3.5 6.2 allows: trailing NULs for UI, trailing spaces for text, and leading
  /// spaces where they are insignificant.
  static func trimPadding(_ s: String, vr: VR) -> String {
    var scalars = Substring(s).unicodeScalars[...]
    while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
    switch vr {
    case .LT, .ST, .UT, .UR:
      break  // leading spaces are significant
    default:
      while let first = scalars.first, first == " " { scalars.removeFirst() }
    }
    return String(String.UnicodeScalarView(scalars))
  }

  /// Numeric values of a binary (US, SS, UL, SL, SV, UV, FL, FD, ...) or numeric text (IS, DS) element.
  public func doubles(_ tag: Tag) -> [Double]? {
    guard let e = self[tag] else { return nil }
    switch e.vr {
    case .IS, .DS:
      guard let values = strings(tag) else { return nil }
      var out: [Double] = []
      for v in values where !v.isEmpty {
        guard let d = Double(v) else { return nil }
        out.append(d)
      }
      return out
    default:
      guard case .bytes(let b) = e.value else { return nil }
      return BinaryValues(bytes: b, vr: e.vr, order: byteOrder)?.doubles
    }
  }

  public func double(_ tag: Tag) -> Double? { doubles(tag)?.first }

  /// Integer values; nil when a value is not integral.
  public func ints(_ tag: Tag) -> [Int]? {
    guard let e = self[tag] else { return nil }
    if case .bytes(let b) = e.value, let values = BinaryValues(bytes: b, vr: e.vr, order: byteOrder)?.integers {
      return values
    }
    guard let d = doubles(tag) else { return nil }
    var out: [Int] = []
    for v in d {
      guard v.rounded() == v, let i = Int(exactly: v) else { return nil }
      out.append(i)
    }
    return out
  }

  public func int(_ tag: Tag) -> Int? { ints(tag)?.first }

  /// The tags held by an AT element.
  public func attributeTags(_ tag: Tag) -> [Tag]? {
    guard let e = self[tag], e.vr == .AT, case .bytes(let b) = e.value else { return nil }
    return stride(from: 0, to: b.count - 3, by: 4).map { i in
      Tag(BinaryValues.u16(b, i, byteOrder), BinaryValues.u16(b, i + 2, byteOrder))
    }
  }

  public func personName(_ tag: Tag) -> PersonName? { string(tag).map(PersonName.init(parsing:)) }

  /// The items of a sequence.
  public func items(_ tag: Tag) -> [Dataset]? { self[tag]?.items?.map(\.dataset) }
}

extension Dataset {
  /// Sets a text element, encoding with the dataset's character set and padding to even length.
  public mutating func set(_ tag: Tag, _ vr: VR, _ values: [String]) throws(DICOMError) {
    let joined = values.joined(separator: "\\")
    var bytes: [UInt8]
    if vr.usesSpecificCharacterSet {
      guard let b = characterSet.encode(joined, isPersonName: vr == .PN) else {
        throw DICOMError.invalidValue(tag: tag, reason: "text not representable in \(characterSet)")
      }
      bytes = b
    } else {
      bytes = Array(joined.utf8)
    }
    if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
    set(Element(tag: tag, vr: vr, bytes: bytes))
  }

  public mutating func set(_ tag: Tag, _ vr: VR, _ value: String) throws(DICOMError) {
    try set(tag, vr, [value])
  }

  /// Sets a binary numeric element (US, SS, UL, SL, SV, UV, FL, FD, OW, ...) in the dataset's byte order.
  public mutating func set<T: FixedWidthInteger>(_ tag: Tag, _ vr: VR, integers: [T]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(integers.count * MemoryLayout<T>.size)
    for v in integers {
      let le = byteOrder == .little ? v.littleEndian : v.bigEndian
      withUnsafeBytes(of: le) { bytes += $0 }
    }
    set(Element(tag: tag, vr: vr, bytes: bytes))
  }

  public mutating func set(_ tag: Tag, _ vr: VR, floats: [Double]) {
    var bytes: [UInt8] = []
    for v in floats {
      if vr == .FL || vr == .OF {
        let bits = Float(v).bitPattern
        withUnsafeBytes(of: byteOrder == .little ? bits.littleEndian : bits.bigEndian) { bytes += $0 }
      } else {
        let bits = v.bitPattern
        withUnsafeBytes(of: byteOrder == .little ? bits.littleEndian : bits.bigEndian) { bytes += $0 }
      }
    }
    set(Element(tag: tag, vr: vr, bytes: bytes))
  }

  public mutating func set(_ tag: Tag, items: [Dataset], undefinedLength: Bool = false) {
    set(
      Element(
        tag: tag, vr: .SQ, value: .sequence(items.map { Item($0, undefinedLength: undefinedLength) }),
        undefinedLength: undefinedLength))
  }

}

extension Value {
  /// A UID value padded with NUL to even length.
  public static func paddedUID(_ uid: String) -> [UInt8] {
    var b = Array(uid.utf8)
    if b.count % 2 == 1 { b.append(0) }
    return b
  }

  /// An ASCII text value padded with a space to even length.
  public static func paddedText(_ text: String) -> [UInt8] {
    var b = Array(text.utf8)
    if b.count % 2 == 1 { b.append(0x20) }
    return b
  }
}

/// Binary values of one VR read in a byte order.
struct BinaryValues {
  let bytes: [UInt8]
  let vr: VR
  let order: ByteOrder

  init?(bytes: [UInt8], vr: VR, order: ByteOrder) {
    switch vr {
    case .US, .SS, .UL, .SL, .SV, .UV, .FL, .FD, .OW, .OL, .OV, .OF, .OD: break
    default: return nil
    }
    self.bytes = bytes
    self.vr = vr
    self.order = order
  }

  var count: Int { bytes.count / (vr.componentSize ?? 1) }

  var integers: [Int]? {
    switch vr {
    case .US, .OW: (0..<count).map { Int(Self.u16(bytes, $0 * 2, order)) }
    case .SS: (0..<count).map { Int(Int16(bitPattern: Self.u16(bytes, $0 * 2, order))) }
    case .UL, .OL: (0..<count).map { Int(Self.u32(bytes, $0 * 4, order)) }
    case .SL: (0..<count).map { Int(Int32(bitPattern: Self.u32(bytes, $0 * 4, order))) }
    case .SV: (0..<count).map { Int(Int64(bitPattern: Self.u64(bytes, $0 * 8, order))) }
    case .UV, .OV: (0..<count).compactMap { Int(exactly: Self.u64(bytes, $0 * 8, order)) }
    default: nil
    }
  }

  var doubles: [Double] {
    switch vr {
    case .FL, .OF: (0..<count).map { Double(Float(bitPattern: Self.u32(bytes, $0 * 4, order))) }
    case .FD, .OD: (0..<count).map { Double(bitPattern: Self.u64(bytes, $0 * 8, order)) }
    case .UV, .OV: (0..<count).map { Double(Self.u64(bytes, $0 * 8, order)) }
    default: (integers ?? []).map(Double.init)
    }
  }

  static func u16(_ b: [UInt8], _ i: Int, _ order: ByteOrder) -> UInt16 {
    order == .little ? UInt16(b[i]) | UInt16(b[i + 1]) << 8 : UInt16(b[i]) << 8 | UInt16(b[i + 1])
  }

  static func u32(_ b: [UInt8], _ i: Int, _ order: ByteOrder) -> UInt32 {
    let le = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    return order == .little ? le : le.byteSwapped
  }

  static func u64(_ b: [UInt8], _ i: Int, _ order: ByteOrder) -> UInt64 {
    var le: UInt64 = 0
    for k in 0..<8 { le |= UInt64(b[i + k]) << (8 * UInt64(k)) }
    return order == .little ? le : le.byteSwapped
  }
}

/// A DICOM attribute tag: (group, element), ordered as DICOM orders datasets.
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let group: UInt16
  public let element: UInt16

  public init(_ group: UInt16, _ element: UInt16) {
    self.group = group
    self.element = element
  }

  public init(_ combined: UInt32) {
    self.group = UInt16(truncatingIfNeeded: combined >> 16)
    self.element = UInt16(truncatingIfNeeded: combined)
  }

  public var combined: UInt32 { UInt32(group) << 16 | UInt32(element) }

  /// Odd groups other than 1, 3, 5, 7 and FFFF carry private attributes (PS3.5 7.8).
  public var isPrivate: Bool { group & 1 == 1 && group > 0x0007 && group != 0xFFFF }

  /// (gggg,0010)-(gggg,00FF) in a private group reserve a block of elements for a creator.
  public var isPrivateCreator: Bool { isPrivate && (0x0010...0x00FF).contains(element) }

  public var isGroupLength: Bool { element == 0x0000 }

  /// The meta information group (0002) of a Part 10 file.
  public var isFileMeta: Bool { group == 0x0002 }

  /// `(gggg,eeee)` in lower-case hex, as dcmdump writes tags.
  public var description: String {
    "(" + Tag.hex4(group) + "," + Tag.hex4(element) + ")"
  }

  /// `GGGGEEEE` in upper-case hex, as the DICOM JSON model keys attributes (PS3.18 F.2.1.1).
  public var jsonKey: String { (Tag.hex4(group) + Tag.hex4(element)).uppercased() }

  static func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
  }

  public static func < (a: Tag, b: Tag) -> Bool { a.combined < b.combined }
}

extension Tag {
  // Delimitation tags (PS3.5 7.5).
  public static let item = Tag(0xFFFE, 0xE000)
  public static let itemDelimitation = Tag(0xFFFE, 0xE00D)
  public static let sequenceDelimitation = Tag(0xFFFE, 0xE0DD)

  // Every attribute of the dictionary has its constant in Tag+Generated.swift.
}

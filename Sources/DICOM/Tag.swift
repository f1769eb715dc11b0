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

  // Tags the reader and writer themselves depend on.
  public static let fileMetaInformationGroupLength = Tag(0x0002, 0x0000)
  public static let fileMetaInformationVersion = Tag(0x0002, 0x0001)
  public static let mediaStorageSOPClassUID = Tag(0x0002, 0x0002)
  public static let mediaStorageSOPInstanceUID = Tag(0x0002, 0x0003)
  public static let transferSyntaxUID = Tag(0x0002, 0x0010)
  public static let sourceApplicationEntityTitle = Tag(0x0002, 0x0016)
  public static let implementationClassUID = Tag(0x0002, 0x0012)
  public static let implementationVersionName = Tag(0x0002, 0x0013)
  public static let specificCharacterSet = Tag(0x0008, 0x0005)
  public static let sopClassUID = Tag(0x0008, 0x0016)
  public static let sopInstanceUID = Tag(0x0008, 0x0018)
  public static let studyInstanceUID = Tag(0x0020, 0x000D)
  public static let pixelRepresentation = Tag(0x0028, 0x0103)
  public static let numberOfFrames = Tag(0x0028, 0x0008)
  public static let extendedOffsetTable = Tag(0x7FE0, 0x0001)
  public static let extendedOffsetTableLengths = Tag(0x7FE0, 0x0002)
  public static let floatPixelData = Tag(0x7FE0, 0x0008)
  public static let doubleFloatPixelData = Tag(0x7FE0, 0x0009)
  public static let pixelData = Tag(0x7FE0, 0x0010)
}

/// Everything that can go wrong reading, writing or interpreting DICOM data, with where it happened.
/// Offsets are byte offsets in the file (or in the inflated stream for deflated datasets).
public enum DICOMError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The data ends before a structure that was begun is complete.
  case truncated(offset: Int, tag: Tag?, needed: Int)
  /// A declared length points past the end of the data that contains it.
  case lengthExceedsData(tag: Tag, offset: Int, length: Int, available: Int)
  /// A value is longer than `Limits.maxValueLength`.
  case valueTooLong(tag: Tag, offset: Int, length: Int, limit: Int)
  /// The two VR bytes of an explicit VR element name no VR of the standard.
  case unknownVR(tag: Tag, offset: Int, bytes: String)
  /// Sequences nested deeper than `Limits.maxSequenceDepth`.
  case sequenceTooDeep(tag: Tag, offset: Int, limit: Int)
  /// An item or sequence delimiter where none belongs, or a non-item inside a sequence.
  case unexpectedDelimiter(tag: Tag, offset: Int)
  /// Undefined length (FFFFFFFF) on an element that cannot have one.
  case undefinedLengthNotAllowed(tag: Tag, offset: Int)
  /// A structural rule broken: bad item length, bad offset table, fragments that do not add up.
  case malformed(tag: Tag?, offset: Int, reason: String)
  /// Inflating a deflated dataset would exceed `Limits.maxDecompressedSize`.
  case decompressedSizeExceeded(limit: Int)
  /// The deflate stream is damaged.
  case inflateFailed(offset: Int, reason: String)
  /// The data does not look like DICOM at all.
  case notDICOM(reason: String)
  /// A file could not be opened, read or written.
  case io(path: String, reason: String)
  /// A value cannot be interpreted as asked (wrong VR, not a number, ...).
  case invalidValue(tag: Tag, reason: String)
  /// The data uses a transfer syntax this operation cannot handle.
  case unsupportedTransferSyntax(uid: String, reason: String)

  public var description: String {
    switch self {
    case .truncated(let offset, let tag, let needed):
      "truncated at offset \(offset)\(Self.inTag(tag)): \(needed) more byte(s) expected"
    case .lengthExceedsData(let tag, let offset, let length, let available):
      "length \(length) of \(tag) at offset \(offset) exceeds the \(available) byte(s) available"
    case .valueTooLong(let tag, let offset, let length, let limit):
      "value of \(tag) at offset \(offset) is \(length) bytes, over the limit of \(limit)"
    case .unknownVR(let tag, let offset, let bytes):
      "unknown VR '\(bytes)' for \(tag) at offset \(offset)"
    case .sequenceTooDeep(let tag, let offset, let limit):
      "sequence \(tag) at offset \(offset) nests deeper than \(limit) levels"
    case .unexpectedDelimiter(let tag, let offset):
      "unexpected \(tag) at offset \(offset)"
    case .undefinedLengthNotAllowed(let tag, let offset):
      "undefined length not allowed for \(tag) at offset \(offset)"
    case .malformed(let tag, let offset, let reason):
      "malformed data at offset \(offset)\(Self.inTag(tag)): \(reason)"
    case .decompressedSizeExceeded(let limit):
      "deflated dataset inflates past the limit of \(limit) bytes"
    case .inflateFailed(let offset, let reason):
      "deflate stream damaged at offset \(offset): \(reason)"
    case .notDICOM(let reason):
      "not DICOM: \(reason)"
    case .io(let path, let reason):
      "\(path): \(reason)"
    case .invalidValue(let tag, let reason):
      "invalid value of \(tag): \(reason)"
    case .unsupportedTransferSyntax(let uid, let reason):
      "transfer syntax \(UIDRegistry.name(of: uid)) (\(uid)): \(reason)"
    }
  }

  private static func inTag(_ tag: Tag?) -> String { tag.map { " in \($0)" } ?? "" }
}

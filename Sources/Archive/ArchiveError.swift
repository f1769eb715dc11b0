public import DICOM

/// What can go wrong in the local archive.
public enum ArchiveError: Error, Sendable, CustomStringConvertible {
  case io(path: String, reason: String)
  /// A path inside the store is a symbolic link or not what the store made: refused, never followed.
  case unsafePath(String)
  case database(String)
  case dicom(path: String, DICOMError)
  case invalidQuery(String)
  /// A received object that cannot be kept as it is (its UIDs are malformed or disagree with the command).
  case rejectedObject(String)
  /// A received object that is not part of what a retrieve asked for: refused, nothing stored.
  case notRequested
  /// A received object larger than the configured limit: refused, nothing stored.
  case tooLarge(limit: Int)
  /// Key images that cannot be saved as a key object (none marked, of several studies, unreadable).
  case keyObject(String)

  public var description: String {
    switch self {
    case .io(let path, let reason): "\(path): \(reason)"
    case .unsafePath(let path): "\(path): not a plain directory or file of the store (a link?), refused"
    case .database(let message): "archive index: \(message)"
    case .dicom(let path, let error): "\(path): \(error)"
    case .invalidQuery(let message): "invalid query: \(message)"
    case .rejectedObject(let reason): "received object refused: \(reason)"
    case .notRequested: "received object refused: it is not part of what was asked for"
    case .tooLarge(let limit): "received object refused: larger than the limit of \(limit) bytes"
    case .keyObject(let reason): "key images: \(reason)"
    }
  }
}

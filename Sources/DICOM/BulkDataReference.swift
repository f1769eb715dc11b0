#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value left in its file until asked for: the reader records where it is, not what it holds,
/// so a 1 GB multi-frame file opens without touching its pixels.
public struct BulkDataReference: Sendable, Equatable {
  public let path: String
  public let offset: Int
  public let length: Int

  public init(path: String, offset: Int, length: Int) {
    self.path = path
    self.offset = offset
    self.length = length
  }

  /// Reads the bytes. The file may have changed since it was parsed, so a short read is an error.
  public func load() throws(DICOMError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw DICOMError.io(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    return try FileInput.preadFully(fd: fd, path: path, offset: offset, count: length)
  }
}

import SystemIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes the reader parses: an in-memory buffer, or a file read through a sliding window so that
/// only the parts parsed are read (the pixel data of a large file never is, unless asked for).
final class FileInput {
  /// Bytes of the window; `buffer[0]` is the byte at absolute offset `bufferStart`.
  private(set) var buffer: [UInt8]
  private(set) var bufferStart: Int
  /// Absolute end of the data (file size, or buffer size for memory input).
  let end: Int
  /// The open file, or -1 for memory input.
  private let fd: Int32
  let path: String?
  /// The first read is small (a header is a few KB); later reads grow, as values past it are wanted.
  private static let firstWindow = 8 * 1024
  private static let windowSize = 64 * 1024

  /// Memory input: the whole buffer is the window.
  init(bytes: [UInt8]) {
    self.buffer = bytes
    self.bufferStart = 0
    self.end = bytes.count
    self.fd = -1
    self.path = nil
  }

  init(path: String) throws(DICOMError) {
    // No link followed, no FIFO or device read: a named pipe would block the reader forever.
    let fd: Int32
    switch SystemIO.openRegularFile(path) {
    case .success(let opened): fd = opened
    case .failure(let why): throw DICOMError.io(path: path, reason: why.description)
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw DICOMError.io(path: path, reason: reason)
    }
    self.fd = fd
    self.path = path
    self.end = Int(st.st_size)
    self.buffer = []
    self.bufferStart = 0
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  var isFile: Bool { fd >= 0 }

  /// Makes bytes [offset, offset + count) available in `buffer`, or throws `truncated`.
  @inline(__always)
  func require(_ offset: Int, _ count: Int, tag: Tag?) throws(DICOMError) {
    if offset >= bufferStart && offset + count <= bufferStart + buffer.count { return }
    guard offset + count <= end else {
      throw DICOMError.truncated(offset: offset, tag: tag, needed: offset + count - end)
    }
    try refill(at: offset, count: count)
  }

  private func refill(at offset: Int, count: Int) throws(DICOMError) {
    guard fd >= 0 else { return }  // memory input always holds everything up to `end`
    let size = min(max(count, buffer.isEmpty ? Self.firstWindow : Self.windowSize), end - offset)
    buffer = try Self.preadFully(fd: fd, path: path ?? "", offset: offset, count: size)
    bufferStart = offset
  }

  @inline(__always) func byte(_ offset: Int) -> UInt8 { buffer[offset - bufferStart] }

  @inline(__always) func u16(_ offset: Int, _ order: ByteOrder) -> UInt16 {
    let i = offset - bufferStart
    return order == .little
      ? UInt16(buffer[i]) | UInt16(buffer[i + 1]) << 8
      : UInt16(buffer[i]) << 8 | UInt16(buffer[i + 1])
  }

  @inline(__always) func u32(_ offset: Int, _ order: ByteOrder) -> UInt32 {
    let i = offset - bufferStart
    let b0 = UInt32(buffer[i])
    let b1 = UInt32(buffer[i + 1])
    let b2 = UInt32(buffer[i + 2])
    let b3 = UInt32(buffer[i + 3])
    return order == .little ? b0 | b1 << 8 | b2 << 16 | b3 << 24 : b0 << 24 | b1 << 16 | b2 << 8 | b3
  }

  /// Copies bytes [offset, offset + count), which must already be checked to lie before `end`.
  func bytes(_ offset: Int, _ count: Int, tag: Tag?) throws(DICOMError) -> [UInt8] {
    if count == 0 { return [] }
    try require(offset, count, tag: tag)
    let i = offset - bufferStart
    return Array(buffer[i..<(i + count)])
  }

  /// The whole file, read once into its final array (no window, no zero fill first).
  func wholeFile() throws(DICOMError) -> [UInt8] {
    guard isFile else { return buffer }
    return try rest(from: 0)
  }

  /// Everything from `offset` to the end (a deflated dataset to inflate, a dataset to send as stored):
  /// from a file, one read straight into the result.
  func rest(from offset: Int) throws(DICOMError) -> [UInt8] {
    guard isFile, let path, offset <= end else { return try bytes(offset, end - offset, tag: nil) }
    return try Self.preadFully(fd: fd, path: path, offset: offset, count: end - offset)
  }

  static func preadFully(fd: Int32, path: String, offset: Int, count: Int) throws(DICOMError) -> [UInt8] {
    var failure: DICOMError? = nil
    // Read straight into uninitialized storage: no zero fill of bytes about to be overwritten.
    let out = [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
      var done = 0
      while done < count {
        let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = DICOMError.io(path: path, reason: String(cString: strerror(errno)))
          break
        }
        if n == 0 {
          failure = DICOMError.truncated(offset: offset + done, tag: nil, needed: count - done)
          break
        }
        done += n
      }
      // On failure the bytes read so far are kept (and then dropped with the error).
      initialized = done
    }
    if let failure { throw failure }
    return out
  }
}

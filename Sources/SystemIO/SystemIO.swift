import CLinuxFile

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few POSIX calls every module makes the same way, in one place: writing everything (through
/// EINTR and short writes), opening a file to read without following a link or blocking on a FIFO, and
/// the monotonic clock.
public enum SystemIO {
  /// Writes all of `bytes` to `fd`, retrying interrupted and short writes. Returns 0 when all was
  /// written, else the errno that stopped it (EAGAIN on a non-blocking descriptor that is full).
  @discardableResult
  public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard var next = bytes.baseAddress else { return 0 }
    var left = bytes.count
    while left > 0 {
      let n = write(fd, next, left)
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      if n == 0 { return EIO }
      next += n
      left -= n
    }
    return 0
  }

  /// Seconds on the monotonic clock (for intervals: it never jumps with the wall clock).
  public static func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  /// `writeAll` of an array.
  @discardableResult
  public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  /// What an input path turned out to be when it was not a regular file.
  public enum NotRegular: Error, Sendable, Equatable, CustomStringConvertible {
    case symbolicLink, fifo, device, socket, directory, other
    /// The open itself failed with this errno.
    case openFailed(Int32)

    public var description: String {
      switch self {
      case .symbolicLink: "a symbolic link (not followed)"
      case .fifo: "a named pipe (FIFO), not a file"
      case .device: "a device, not a file"
      case .socket: "a socket, not a file"
      case .directory: "a directory"
      case .other: "not a regular file"
      case .openFailed(let code): String(cString: strerror(code))
      }
    }
  }

  /// Opens a regular file for reading: never follows a link (O_NOFOLLOW), never blocks opening a FIFO
  /// (O_NONBLOCK), then checks with fstat what was opened, so a FIFO, device or socket is refused
  /// without a byte read from it. The descriptor is blocking again when returned.
  public static func openRegularFile(_ path: String) -> Result<Int32, NotRegular> {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else {
      return .failure(errno == ELOOP ? .symbolicLink : .openFailed(errno))
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let code = errno
      close(fd)
      return .failure(.openFailed(code))
    }
    let kind = st.st_mode & S_IFMT
    guard kind == S_IFREG else {
      close(fd)
      switch kind {
      case S_IFIFO: return .failure(.fifo)
      case S_IFCHR, S_IFBLK: return .failure(.device)
      case S_IFSOCK: return .failure(.socket)
      case S_IFDIR: return .failure(.directory)
      default: return .failure(.other)
      }
    }
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    return .success(fd)
  }
}

extension SystemIO {
  /// The folder a path is in ("" for a name alone). By hand: Foundation's `deletingLastPathComponent`
  /// traps on a one-character relative path.
  public static func parentFolder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Makes the folders a file will be in, as `mkdir -p` with mode 0700 (they hold patient data or
  /// secrets), when they are not there. Returns the reason it failed, or nil.
  public static func makeParentFolders(of path: String) -> String? {
    let folder = parentFolder(of: path)
    guard !folder.isEmpty else { return nil }
    var st = stat()
    guard stat(folder, &st) != 0 else { return nil }
    // Each missing folder from the top down; one that appears meanwhile (EEXIST) is fine.
    var prefix = folder.hasPrefix("/") ? "/" : ""
    for component in folder.split(separator: "/") {
      prefix += component
      if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
        return "\(prefix): cannot create: \(String(cString: strerror(errno)))"
      }
      prefix += "/"
    }
    return nil
  }

  /// Flushes the file system that holds `path` (a folder): one disk flush for a whole batch of files
  /// written without their own fsync. Returns the reason it failed, or nil.
  public static func syncFileSystem(holding path: String) -> String? {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return String(cString: strerror(errno)) }
    defer { close(fd) }
    return biloba_syncfs(fd) == 0 ? nil : String(cString: strerror(errno))
  }

  /// Copies `count` bytes from `source` at `offset` to the end of what was written to `destination`,
  /// inside the kernel (copy_file_range(2)). Returns 0 when all was copied; ENOSYS, EXDEV or EINVAL
  /// when the kernel or the file systems cannot (the caller then copies through memory); EIO for a
  /// source shorter than asked; else the errno.
  public static func copyFileRange(from source: Int32, offset: Int, count: Int, to destination: Int32) -> Int32 {
    var position = Int64(offset)
    var left = count
    while left > 0 {
      let n = biloba_copy_file_range(source, &position, destination, left)
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      if n == 0 { return EIO }
      left -= n
    }
    return 0
  }
}

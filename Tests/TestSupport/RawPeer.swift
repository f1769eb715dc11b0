import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A scripted TCP peer on raw sockets: it sends exactly the bytes a test says, malformed or not, and
/// reads what comes back with a deadline. For protocol tests of a server under test.
public final class RawPeer: @unchecked Sendable {
  public let fd: Int32
  /// Bytes received but not yet consumed by a framing reader.
  public var pending: [UInt8] = []

  /// Connects to 127.0.0.1:`port`.
  public init(port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.fd = fd
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else {
      close(fd)
      throw POSIXError(.ECONNREFUSED)
    }
  }

  init(acceptedDescriptor: Int32) { fd = acceptedDescriptor }

  deinit { close(fd) }

  public func send(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { return }
      offset += n
    }
  }

  /// Bytes received until `count` are there, the peer closes, or `timeout` seconds pass.
  public func receive(atLeast count: Int, timeout: Double) -> [UInt8] {
    var out: [UInt8] = []
    let deadline = Date().addingTimeInterval(timeout)
    while out.count < count {
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else { break }
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, Int32(remaining * 1000)) > 0 else { break }
      var buffer = [UInt8](repeating: 0, count: 65536)
      let n = recv(fd, &buffer, buffer.count, 0)
      if n <= 0 { break }
      out += buffer[0..<n]
    }
    return out
  }

  /// The next `length`-prefixed frame: `headerSize` bytes whose big-endian 32-bit length sits at
  /// `lengthOffset`, then the body. Nil when it does not arrive within `timeout` seconds.
  public func frame(headerSize: Int, lengthOffset: Int, timeout: Double) -> [UInt8]? {
    func need(_ n: Int) -> Bool {
      if pending.count < n { pending += receive(atLeast: n - pending.count, timeout: timeout) }
      return pending.count >= n
    }
    guard need(headerSize) else { return nil }
    let length = pending[lengthOffset..<(lengthOffset + 4)].reduce(0) { $0 << 8 | Int($1) }
    guard need(headerSize + length) else { return nil }
    let frame = Array(pending[0..<(headerSize + length)])
    pending.removeFirst(headerSize + length)
    return frame
  }

  /// Whether the other side closed within `timeout` seconds (reading and dropping anything sent first).
  public func isClosedByPeer(within timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while deadline.timeIntervalSinceNow > 0 {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { return false }
      var buffer = [UInt8](repeating: 0, count: 65536)
      let n = recv(fd, &buffer, buffer.count, 0)
      if n <= 0 { return true }
    }
    return false
  }
}

/// A listening socket for tests where the project's code connects to a scripted peer.
public final class RawListener: @unchecked Sendable {
  public let fd: Int32
  public let port: Int

  public init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.fd = fd
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
        bind(fd, p, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, p, &length) == 0
      }
    }
    guard bound else {
      close(fd)
      throw POSIXError(.EADDRINUSE)
    }
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  deinit { close(fd) }

  /// The next connection, or nil after `timeout` seconds.
  public func accept(timeout: Double) -> RawPeer? {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&p, 1, Int32(timeout * 1000)) > 0 else { return nil }
    let client = Glibc.accept(fd, nil, nil)
    return client >= 0 ? RawPeer(acceptedDescriptor: client) : nil
  }
}

/// Open file descriptors of this process.
public func openDescriptorCount() -> Int {
  (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// Runs blocking socket work on its own thread, so that it never holds one of the few threads that
/// Swift concurrency (and so the server under test, in the same process) runs on.
public func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
  await withCheckedContinuation { continuation in
    Thread { continuation.resume(returning: body()) }.start()
  }
}

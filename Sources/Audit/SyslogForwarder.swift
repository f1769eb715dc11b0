import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Sends audit records to a syslog server as RFC 5424 messages over TCP, each framed by its length
/// (RFC 6587 octet counting): `<85>1 TIMESTAMP HOST biloba PID AUDIT - {json}`, facility 10
/// (security/authorization), severity 5 (notice). A server that is down costs at most `timeout` and is
/// reported once on stderr by the caller's log; the local file is the record of truth.
public struct SyslogForwarder: Sendable {
  public let host: String
  public let port: Int
  public let timeout: Double

  /// `tcp://host:port`, else nil.
  public init?(url: String, timeout: Double = 2) {
    guard url.hasPrefix("tcp://") else { return nil }
    let rest = url.dropFirst(6)
    guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
      (1...65535).contains(port), colon > rest.startIndex
    else { return nil }
    self.host = String(rest[..<colon])
    self.port = port
    self.timeout = timeout
  }

  /// The framed message for one record.
  public static func frame(_ event: AuditEvent) -> [UInt8] {
    let json = AuditLog.line(event).dropLast()
    let header = "<85>1 \(event.time) \(event.host.isEmpty ? "-" : event.host) biloba \(getpid()) AUDIT - "
    let message = Array(header.utf8) + json
    return Array("\(message.count) ".utf8) + message
  }

  /// Sends one record on a connection of its own; false when the server could not take it in time.
  @discardableResult
  public func send(_ event: AuditEvent) -> Bool {
    guard let fd = connected() else { return false }
    defer { close(fd) }
    return SystemIO.writeAll(fd, Self.frame(event)) == 0
  }

  /// Whether the server takes a connection within `timeout` (nothing is sent).
  public func isReachable() -> Bool {
    guard let fd = connected() else { return false }
    close(fd)
    return true
  }

  /// A blocking socket connected to the server (with a send timeout), or nil within `timeout`.
  private func connected() -> Int32? {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
    defer { freeaddrinfo(list) }
    let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    // Connect without blocking, then wait for it at most `timeout`.
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    var error: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 || errno == EINPROGRESS,
      poll(&ready, 1, Int32(timeout * 1000)) == 1,
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0
    else {
      close(fd)
      return nil
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    return fd
  }
}

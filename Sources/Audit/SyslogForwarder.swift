import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Sends audit records to a syslog server as RFC 5424 messages, over TCP (`tcp://host:port`) or TLS
/// (`tls://host:port`, RFC 5425: TLS 1.2 or later, the server's certificate verified against the
/// configured CA bundle, else the system's, and its name against the host), each framed by its length
/// (RFC 6587 octet counting): `<85>1 TIMESTAMP HOST biloba PID AUDIT - {json}`, facility 10
/// (security/authorization), severity 5 (notice). A server that is down, speaks no TLS, or shows a
/// certificate that does not verify costs at most `timeout`; the local file is the record of truth.
public struct SyslogForwarder: Sendable {
  public enum Transport: Sendable, Equatable {
    case tcp
    /// TLS; `ca` is a PEM bundle of the CAs to trust (nil: the system's).
    case tls(ca: String?)
  }

  public let host: String
  public let port: Int
  public let transport: Transport
  public let timeout: Double

  /// `tcp://host:port` or `tls://host:port` (with `ca`, a CA bundle for TLS), else nil.
  public init?(url: String, ca: String? = nil, timeout: Double = 2) {
    let rest: Substring
    if url.hasPrefix("tcp://") {
      transport = .tcp
      rest = url.dropFirst(6)
    } else if url.hasPrefix("tls://") {
      transport = .tls(ca: ca)
      rest = url.dropFirst(6)
    } else {
      return nil
    }
    guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
      (1...65535).contains(port), colon > rest.startIndex
    else { return nil }
    let host = rest[..<colon]
    // An IPv6 address is written in brackets, as in a URL.
    self.host = String(host.hasPrefix("[") && host.hasSuffix("]") ? host.dropFirst().dropLast() : host)
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
  public func send(_ event: AuditEvent) -> Bool { deliver(Self.frame(event)) == nil }

  /// Whether the server takes a connection within `timeout` (for TLS: completes a verified handshake),
  /// nothing sent; why not, when it does not.
  public func check() -> String? { deliver([]) }

  /// Writes bytes on a connection of its own; the reason it failed, or nil.
  func deliver(_ bytes: [UInt8]) -> String? {
    switch transport {
    case .tcp:
      guard let fd = connected() else { return "no connection within \(timeout) s" }
      defer { close(fd) }
      let code = SystemIO.writeAll(fd, bytes)
      return code == 0 ? nil : String(cString: strerror(code))
    case .tls(let ca):
      return deliverOverTLS(bytes, ca: ca)
    }
  }

  /// TLS through swift-nio-ssl: connect, handshake (verifying the server), write, close, all within
  /// `timeout` (a server that never answers the handshake is closed then).
  private func deliverOverTLS(_ bytes: [UInt8], ca: String?) -> String? {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.minimumTLSVersion = .tlsv12
    configuration.certificateVerification = .fullVerification
    if let ca { configuration.trustRoots = .file(ca) }
    let context: NIOSSLContext
    do { context = try NIOSSLContext(configuration: configuration) } catch {
      return "TLS settings: \(error)"
    }
    // A name is checked against the certificate; an address literal is checked as an IP address.
    let name: String? = isAddressLiteral(host) ? nil : host
    let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
    let caught = ErrorCatcher()
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(limit)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            try NIOSSLClientHandler(context: context, serverHostname: name))
          try channel.pipeline.syncOperations.addHandler(caught)
        }
      }
    do {
      let channel = try bootstrap.connect(host: host, port: port).wait()
      let deadline = channel.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
      defer { deadline.cancel() }
      // Written once the handshake is done; a handshake that fails fails the write.
      try channel.writeAndFlush(ByteBuffer(bytes: bytes)).wait()
      try? channel.close().wait()
      return nil
    } catch {
      // The handshake's own error (a certificate that does not verify, a protocol mismatch) says more
      // than the closed channel the write then finds.
      if let first = caught.first { return "TLS: " + Self.plainReason(first) }
      if let closed = error as? ChannelError, closed == .ioOnClosedChannel || closed == .alreadyClosed {
        return "the TLS handshake did not end within \(timeout) s (is it a TLS port?)"
      }
      return "\(error)"
    }
  }

  /// BoringSSL's reason (the word after "OPENSSL_internal:"), said plainly where it is a common one;
  /// the error as it is otherwise.
  static func plainReason(_ error: String) -> String {
    guard let start = error.range(of: "OPENSSL_internal:") else { return error }
    let reason = String(error[start.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
    switch reason {
    case "CERTIFICATE_VERIFY_FAILED":
      return "the server's certificate does not verify: not signed by the CAs trusted (syslog_ca), expired, "
        + "or for another host (\(reason))"
    case "WRONG_VERSION_NUMBER": return "the server does not speak TLS 1.2 or later (\(reason))"
    default: return reason
    }
  }

  private func isAddressLiteral(_ host: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
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

/// Keeps the first error the TLS handler reports (the handshake's), for the message.
final class ErrorCatcher: ChannelInboundHandler, Sendable {
  typealias InboundIn = ByteBuffer
  private let error = Mutex<String?>(nil)

  var first: String? { error.withLock { $0 } }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    self.error.withLock { if $0 == nil { $0 = "\(error)" } }
    context.fireErrorCaught(error)
  }
}

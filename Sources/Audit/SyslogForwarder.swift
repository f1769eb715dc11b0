import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SecureTransport
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

  /// TLS through swift-nio-ssl under the product's TLS policy: connect, handshake (verifying the
  /// server), write, close, all within `timeout` (a server that never answers the handshake is closed then).
  private func deliverOverTLS(_ bytes: [UInt8], ca: String?) -> String? {
    let settings = TLSClientSettings(caFile: ca)
    let context: NIOSSLContext
    do { context = try TLSPolicy.context(TLSPolicy.client(settings)) } catch { return "\(error)" }
    let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
    let handshake = HandshakeBox()
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(limit)
      .channelInitializer { [host] channel in
        channel.eventLoop.makeCompletedFuture {
          handshake.set(
            try TLSChannel.addClient(
              to: channel.pipeline.syncOperations, context: context, settings: settings, host: host, limit: limit))
        }
      }
    do {
      let channel = try bootstrap.connect(host: host, port: port).wait()
      defer { try? channel.close().wait() }
      do { try handshake.future?.done.wait() } catch { return "TLS: \(TLSFailure(error))" }
      try channel.writeAndFlush(ByteBuffer(bytes: bytes)).wait()
      return nil
    } catch {
      return "\(error)"
    }
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

/// The handshake's future, handed out of the channel initializer.
final class HandshakeBox: Sendable {
  private let held = Mutex<TLSChannel.ClientHandshake?>(nil)

  var future: TLSChannel.ClientHandshake? { held.withLock { $0 } }
  func set(_ future: TLSChannel.ClientHandshake) { held.withLock { $0 = future } }
}

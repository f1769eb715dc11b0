public import NIOCore
public import NIOSSL
import NIOTLS
import Crypto
import Synchronization

/// TLS added to a channel's pipeline, with a future for the end of its handshake: a client waits for it
/// (bounded by a time limit) before it speaks, so a failed handshake is reported as itself, never as a
/// protocol error or a hang.
public enum TLSChannel {
  /// Adds the client handler; the handshake's future succeeds when it is done and the server's certificate
  /// matches the pin (when there is one), and fails with a `TLSFailure` otherwise, or after `limit`.
  public static func addClient(
    to pipeline: ChannelPipeline.SynchronousOperations, context: NIOSSLContext, settings: TLSClientSettings,
    host: String, limit: TimeAmount
  ) throws -> ClientHandshake {
    // A name is checked against the certificate (and sent as SNI); an address literal as an IP address.
    let name: String? = HostLiteral.isAddress(host) ? nil : host
    let watch = HandshakeWatch(promise: pipeline.eventLoop.makePromise(), limit: limit)
    let handler: NIOSSLClientHandler
    if let pin = settings.pinnedSHA256 {
      // The handshake fails (with an alert to the server) unless the certificate is the pinned one.
      let mismatch = watch.laterFailure
      handler = try NIOSSLClientHandler(context: context, serverHostname: name) { chain, verdict in
        let shown = chain.first.flatMap(fingerprint)
        if shown == pin {
          verdict.succeed(.certificateVerified)
        } else {
          mismatch.record(.pinMismatch(shown: shown ?? "none"))
          verdict.succeed(.failed)
        }
      }
    } else {
      handler = try NIOSSLClientHandler(context: context, serverHostname: name)
    }
    try pipeline.addHandler(handler)
    try pipeline.addHandler(watch)
    return ClientHandshake(done: watch.promise.futureResult.map { _ in () }, laterFailure: watch.laterFailure)
  }

  /// A client's handshake: its end, and a TLS error met after it (TLS 1.3 servers judge a client's
  /// certificate after the client's handshake is done, and say so with an alert on the first read).
  public struct ClientHandshake: Sendable {
    public let done: EventLoopFuture<Void>
    let laterFailure: LaterFailure

    /// The TLS error that ended the connection after the handshake, if one did.
    public var failureAfterHandshake: TLSFailure? { laterFailure.value }
  }

  /// Adds the server handler; the future succeeds with the names on the client's certificate (empty
  /// without mutual TLS) when the handshake is done.
  public static func addServer(
    to pipeline: ChannelPipeline.SynchronousOperations, context: NIOSSLContext, limit: TimeAmount
  ) throws -> EventLoopFuture<[String]> {
    let watch = HandshakeWatch(promise: pipeline.eventLoop.makePromise(), limit: limit)
    try pipeline.addHandler(NIOSSLServerHandler(context: context))
    try pipeline.addHandler(watch)
    return watch.promise.futureResult
  }

  /// The names a certificate is known by: its subject's common names and its DNS alternative names.
  public static func certificateNames(_ certificate: NIOSSLCertificate) -> [String] {
    var names = certificate.subjectName.filter { $0.type == .commonName }.map(\.value)
    for san in certificate._subjectAlternativeNames() where san.nameType == .dnsName {
      names.append(san.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
    }
    return names
  }

  /// SHA-256 of a certificate's DER encoding, lowercase hex (as `openssl x509 -fingerprint -sha256`).
  public static func fingerprint(_ certificate: NIOSSLCertificate) -> String? {
    guard let der = try? certificate.toDERBytes() else { return nil }
    return SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
  }
}

/// Fulfils the handshake's promise once: done (with the names on the peer's certificate), failed (its
/// error), closed, or out of time.
final class HandshakeWatch: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  let promise: EventLoopPromise<[String]>
  let limit: TimeAmount
  /// A failure known better than the handler's error (a pin mismatch), or one after the handshake.
  let laterFailure = LaterFailure()
  private var done = false
  private var deadline: Scheduled<Void>?

  init(promise: EventLoopPromise<[String]>, limit: TimeAmount) {
    self.promise = promise
    self.limit = limit
  }

  func handlerAdded(context: ChannelHandlerContext) {
    let channel = context.channel
    let promise = promise
    let seconds = Double(limit.nanoseconds) / 1e9
    deadline = context.eventLoop.scheduleTask(in: limit) {
      promise.fail(TLSFailure.handshakeTimeout(seconds: seconds))
      channel.close(promise: nil)
    }
  }

  private func finish(_ result: Result<[String], any Error>) {
    guard !done else { return }
    done = true
    deadline?.cancel()
    promise.completeWith(result)
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
      let peer =
        ((try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self))?.peerCertificate)
        ?? ((try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self))?.peerCertificate)
      finish(.success(peer.map(TLSChannel.certificateNames) ?? []))
    }
    context.fireUserInboundEventTriggered(event)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if done {
      laterFailure.record(TLSFailure(error))
    } else {
      finish(.failure(laterFailure.value ?? TLSFailure(error)))
    }
    context.fireErrorCaught(error)
  }

  func channelInactive(context: ChannelHandlerContext) {
    finish(.failure(TLSFailure.closedDuringHandshake))
    context.fireChannelInactive()
  }
}

/// The first TLS error after the handshake, readable from any task.
final class LaterFailure: Sendable {
  private let held = Mutex<TLSFailure?>(nil)

  var value: TLSFailure? { held.withLock { $0 } }
  func record(_ failure: TLSFailure) { held.withLock { if $0 == nil { $0 = failure } } }
}

/// Whether a host is written as an IPv4 or IPv6 address rather than a name.
public enum HostLiteral {
  public static func isAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
  }
}

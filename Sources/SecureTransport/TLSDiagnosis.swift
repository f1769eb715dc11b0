import Foundation
public import NIOCore
import NIOPosix
import NIOSSL

/// Why a server's certificate did not verify. BoringSSL says only that it did not; a second handshake
/// that verifies nothing fetches the certificate, and its dates tell an expired one from an unknown CA.
/// Made only after a failure, to turn it into a message.
public enum TLSDiagnosis {
  public static func untrustedDetail(
    host: String, port: Int, settings: TLSClientSettings, limit: TimeAmount
  ) async -> String? {
    guard let certificate = await peerCertificate(host: host, port: port, settings: settings, limit: limit) else {
      return nil
    }
    return detail(for: certificate, settings: settings, now: Date())
  }

  static func detail(for certificate: NIOSSLCertificate, settings: TLSClientSettings, now: Date) -> String {
    let day = Date.ISO8601FormatStyle().year().month().day()
    let after = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
    let before = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
    if after < now { return "it expired on \(after.formatted(day))" }
    if before > now { return "it is not valid before \(before.formatted(day))" }
    return "it is not signed by a CA in " + (settings.caFile ?? "the system's trust store")
  }

  static func peerCertificate(
    host: String, port: Int, settings: TLSClientSettings, limit: TimeAmount
  ) async -> NIOSSLCertificate? {
    guard var configuration = try? TLSPolicy.client(settings) else { return nil }
    configuration.certificateVerification = .none
    guard let context = try? TLSPolicy.context(configuration) else { return nil }
    do {
      let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(limit)
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
          }
        }
        .connect(host: host, port: port).get()
      defer { channel.close(promise: nil) }
      let deadline = channel.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
      defer { deadline.cancel() }
      // An empty write is flushed once the handshake is done.
      try await channel.writeAndFlush(ByteBuffer()).get()
      return try await channel.nioSSL_peerCertificate().get()
    } catch {
      return nil
    }
  }
}

public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SecureTransport

extension Association {
  /// Opens an association to `node`, runs `body` on it, then releases it (or aborts it when `body`
  /// throws). Contexts not accepted are left out of `contexts`; at least one must be accepted.
  public static func withAssociation<Result>(
    to node: RemoteNode, as local: LocalEntity, contexts proposed: [ProposedContext], roles: [RoleSelection] = [],
    operations: UInt16 = 1, logger: Logger = Logger(label: "biloba.network"),
    _ body: (Association) async throws -> sending Result
  ) async throws -> sending Result {
    try LocalEntity.validate(aeTitle: local.aeTitle)
    try LocalEntity.validate(aeTitle: node.aeTitle)
    let tls = try node.tls.map { settings throws(NetworkError) in
      do { return (settings, try TLSPolicy.context(TLSPolicy.client(settings))) } catch { throw .tlsSetup("\(error)") }
    }
    let limit = TimeAmount.milliseconds(Int64(local.timeouts.connect * 1000))
    let channel: NIOAsyncChannel<PDU, PDU>
    let handshake: TLSChannel.ClientHandshake?
    do {
      (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(limit)
        .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
        .channelOption(ChannelOptions.recvAllocator, value: Association.receiveAllocator)
        .channelOption(ChannelOptions.writeBufferWaterMark, value: Association.writeWaterMark)
        .connect(host: node.host, port: node.port) { channel in
          channel.eventLoop.makeCompletedFuture {
            let handshake = try tls.map { settings, context in
              try TLSChannel.addClient(
                to: channel.pipeline.syncOperations, context: context, settings: settings, host: node.host,
                limit: limit)
            }
            try channel.pipeline.syncOperations.addPDUHandlers(
              maxPDULength: local.maxPDULength, timeouts: local.timeouts, inactivity: local.timeouts.dimse)
            return (try NIOAsyncChannel<PDU, PDU>(wrappingChannelSynchronously: channel), handshake)
          }
        }
    } catch {
      throw NetworkError.connectionFailed(host: node.host, port: node.port, reason: ConnectionFailure.describe(error))
    }
    if let handshake, let settings = node.tls {
      do { try await handshake.done.get() } catch {
        try? await channel.channel.close()
        throw await tlsFailure(error, node: node, settings: settings, limit: limit)
      }
    }
    return try await channel.executeThenClose { inbound, outbound in
      let association = Association(
        role: .requestor, channel: channel.channel, inbound: inbound, outbound: outbound, timeouts: local.timeouts,
        logger: logger, privacy: LogPrivacy(showsPatientData: local.logsPatientData),
        maxMessageLength: local.maxMessageInMemory)
      var user = UserInformation(
        maxPDULength: local.maxPDULength, implementationClassUID: AcceptorPolicy.defaultImplementationClassUID,
        implementationVersionName: AcceptorPolicy.defaultImplementationVersionName)
      user.roles = roles
      // More than one outstanding request asked for: the acceptor says how many it allows.
      if operations > 1 { user.asynchronousOperations = (operations, 1) }
      let rq = AssociateRequest(calledAE: node.aeTitle, callingAE: local.aeTitle, contexts: proposed, user: user)
      do { try await association.requestAssociation(rq) } catch NetworkError.connectionClosed {
        // Closed before any answer: a TLS alert after the handshake (our certificate refused) says why;
        // without TLS, the port most likely expects TLS.
        if let failure = handshake?.failureAfterHandshake {
          throw NetworkError.tlsFailed(host: node.host, port: node.port, reason: failure.description)
        }
        throw node.tls == nil ? NetworkError.closedBeforeAnswer : NetworkError.connectionClosed
      }
      let result: Result
      do {
        result = try await body(association)
      } catch {
        if association.isEstablished { try? await association.abort() }
        throw error
      }
      if association.isEstablished { try await association.release() }
      return result
    }
  }

  /// A failed handshake as a user reads it; a certificate that does not verify is looked at again to say why.
  static func tlsFailure(
    _ error: any Error, node: RemoteNode, settings: TLSClientSettings, limit: TimeAmount
  ) async -> NetworkError {
    var failure = TLSFailure(error)
    if case .untrustedCertificate(nil) = failure {
      let detail = await TLSDiagnosis.untrustedDetail(
        host: node.host, port: node.port, settings: settings, limit: limit)
      failure = .untrustedCertificate(detail: detail)
    }
    return .tlsFailed(host: node.host, port: node.port, reason: failure.description)
  }

  /// A-ASSOCIATE-RQ, then the AC or RJ (ARTIM bounds the wait).
  func requestAssociation(_ rq: AssociateRequest) async throws(NetworkError) {
    request = rq
    try await apply(.associateRequest)
    try await apply(.transportConfirmation, sending: .associateRQ(rq))
    trigger(.startARTIM)
    let (pdu, _) = try await receivePDU()
    trigger(.stopARTIM)
    switch pdu {
    case .associateAC(let ac):
      peerMaxPDULength = ac.user.maxPDULength ?? 0
      acceptedRoles = ac.user.roles
      if let proposed = rq.user.asynchronousOperations, let agreed = ac.user.asynchronousOperations {
        // 0 means no limit on their side: ours still holds.
        operationsWindow = Int(agreed.invoked == 0 ? proposed.invoked : min(agreed.invoked, proposed.invoked))
      }
      for c in ac.contexts where c.result == .acceptance {
        guard let p = rq.contexts.first(where: { $0.id == c.id }), p.transferSyntaxes.contains(c.transferSyntax) else {
          // An accepted context we never proposed, or a syntax we did not offer.
          try await abort(.invalidParameter)
          throw NetworkError.protocolViolation("the acceptor answered with a context or syntax that was not proposed")
        }
        contexts[c.id] = Context(id: c.id, abstractSyntax: p.abstractSyntax, transferSyntax: c.transferSyntax)
      }
      guard !contexts.isEmpty else {
        try await abort()
        throw NetworkError.noPresentationContext(sopClass: rq.contexts.first?.abstractSyntax ?? "", transferSyntax: nil)
      }
      logger.debug(
        "association accepted",
        metadata: ["peer": "\(LogPrivacy.peerText(rq.calledAE))", "contexts": "\(contexts.count)"])
    case .associateRJ(let rj):
      throw NetworkError.associationRejected(rj)
    default:
      throw NetworkError.protocolViolation("unexpected answer to A-ASSOCIATE-RQ")
    }
  }
}

extension Association {
  /// Reads of up to 1 MiB: an image arrives in a few reads instead of dozens of 64 KiB ones.
  static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 262_144, maximum: 1_048_576)
  /// A whole image may be queued for the socket before the writer waits (NIO's default pauses it at
  /// 64 KiB, a dozen pauses per CT slice).
  static let writeWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 1 << 20, high: 4 << 20)
}

extension ChannelPipeline.SynchronousOperations {
  /// The PDU codec and the timers, in the order bytes pass through them.
  func addPDUHandlers(maxPDULength: UInt32, timeouts: NetworkTimeouts, inactivity: Double?) throws {
    // A-ASSOCIATE PDUs can carry many contexts; allow them at least 64 KiB whatever our P-DATA maximum.
    let limit = max(Int(maxPDULength), 65_536)
    try addHandler(ByteToMessageHandler(PDUFrameDecoder(maximumLength: limit)))
    try addHandler(MessageToByteHandler(PDUFrameEncoder()))
    try addHandler(
      AssociationTimers(
        artim: .milliseconds(Int64(timeouts.artim * 1000)),
        inactivity: inactivity.map { .milliseconds(Int64($0 * 1000)) }))
  }
}

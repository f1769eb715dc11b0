public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import DICOM
public import SecureTransport

/// Who may store to us and how much at once.
public struct StorageSCPConfiguration: Sendable {
  public var local: LocalEntity
  /// Calling AE titles allowed; nil allows any.
  public var allowedCallingAETitles: Set<String>?
  /// Peer IP addresses allowed; nil allows any. Others are disconnected before a byte is read.
  public var allowedHosts: Set<String>?
  /// SOP classes accepted (verification is always accepted).
  public var abstractSyntaxes: Set<String>
  /// Transfer syntaxes accepted as stored; the requestor's order of preference decides among them.
  public var transferSyntaxes: [String]
  /// Associations served at once; one more is rejected (transient, local limit exceeded).
  public var maxAssociations: Int
  /// C-STOREs a sender may have outstanding on one association (when it proposes a window): it need not
  /// wait for each answer before sending the next object.
  public var maxOperations: UInt16 = 16
  /// Address to listen on: loopback unless the user opens it.
  public var bindHost: String
  /// DICOM TLS on the port (PS3.15 B.9): our certificate, and with mutual TLS who may call as which AE.
  public var tls: TLSServerSettings?

  public init(
    local: LocalEntity, allowedCallingAETitles: Set<String>? = nil, allowedHosts: Set<String>? = nil,
    abstractSyntaxes: Set<String> = ServiceClasses.allStorage,
    transferSyntaxes: [String] = ServiceClasses.uncompressedSyntaxes, maxAssociations: Int = 16,
    bindHost: String = "127.0.0.1", tls: TLSServerSettings? = nil
  ) {
    self.tls = tls
    self.local = local
    self.allowedCallingAETitles = allowedCallingAETitles
    self.allowedHosts = allowedHosts
    self.abstractSyntaxes = abstractSyntaxes
    self.transferSyntaxes = transferSyntaxes
    self.maxAssociations = maxAssociations
    self.bindHost = bindHost
  }

  /// Open connections at most, associated or not: a flood of half-open connections is bounded by this,
  /// and each of them by ARTIM.
  public var maxConnections: Int { max(8, maxAssociations * 4) }

  var policy: AcceptorPolicy {
    var policy = AcceptorPolicy(
      aeTitle: local.aeTitle, allowedCallingAETitles: allowedCallingAETitles,
      abstractSyntaxes: abstractSyntaxes.union([ServiceClasses.verification]),
      transferSyntaxes: Set(transferSyntaxes), maxPDULength: local.maxPDULength)
    policy.maxOperations = maxOperations
    return policy
  }
}

/// The Storage SCP (PS3.4 annex B) with Verification: accepts associations, answers C-ECHO, and hands
/// every C-STORE to the storage handler.
public final class StorageSCP: Sendable {
  public let configuration: StorageSCPConfiguration
  let storage: any StorageHandler
  let logger: Logger
  private let counts = Mutex((connections: 0, associations: 0))

  public init(configuration: StorageSCPConfiguration, storage: any StorageHandler, logger: Logger) {
    self.configuration = configuration
    self.storage = storage
    self.logger = logger
  }

  /// Connections open now, associated or not (for tests and status lines).
  public var openConnections: Int { counts.withLock { $0.connections } }

  /// A bound listening socket, served by `serve()`.
  public struct Listener: Sendable {
    let server: NIOAsyncChannel<Connection, Never>
    let scp: StorageSCP
    /// The port bound (useful when 0 was asked for).
    public let port: Int

    /// Accepts and serves associations until the task is cancelled.
    public func serve() async throws { try await scp.serve(server) }
  }

  /// Binds `port` (0: any free port); fails at once when the port is taken.
  public func listen(port: Int) async throws -> Listener {
    try LocalEntity.validate(aeTitle: configuration.local.aeTitle)
    // Load the data dictionary now rather than during the first association.
    _ = DataDictionary.entry(for: Tag.sopInstanceUID)
    let local = configuration.local
    let tls: NIOSSLContext?
    do { tls = try configuration.tls.map { try TLSPolicy.context(TLSPolicy.server($0)) } } catch {
      throw NetworkError.tlsSetup("\(error)")
    }
    let handshakeLimit = TimeAmount.milliseconds(Int64(local.timeouts.artim * 1000))
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(ChannelOptions.backlog, value: 256)
      .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(ChannelOptions.recvAllocator, value: Association.receiveAllocator)
      .childChannelOption(ChannelOptions.writeBufferWaterMark, value: Association.writeWaterMark)
      .bind(host: configuration.bindHost, port: port) { channel in
        channel.eventLoop.makeCompletedFuture {
          let peerNames = try tls.map {
            try TLSChannel.addServer(to: channel.pipeline.syncOperations, context: $0, limit: handshakeLimit)
          }
          try channel.pipeline.syncOperations.addPDUHandlers(
            maxPDULength: local.maxPDULength, timeouts: local.timeouts, inactivity: local.timeouts.idle)
          return Connection(
            channel: try NIOAsyncChannel<PDU, PDU>(wrappingChannelSynchronously: channel), peerNames: peerNames)
        }
      }
    let bound = server.channel.localAddress?.port ?? port
    logger.notice("storage SCP listening", metadata: ["aet": "\(configuration.local.aeTitle)", "port": "\(bound)"])
    return Listener(server: server, scp: self, port: bound)
  }

  /// Listens on `port` and serves until the task is cancelled.
  public func run(port: Int) async throws {
    try await listen(port: port).serve()
  }

  /// An accepted connection; over TLS, the names on the client's certificate once the handshake is done.
  struct Connection: Sendable {
    let channel: NIOAsyncChannel<PDU, PDU>
    let peerNames: EventLoopFuture<[String]>?
  }

  func serve(_ server: NIOAsyncChannel<Connection, Never>) async throws {
    try await withThrowingDiscardingTaskGroup { group in
      try await server.executeThenClose { inbound in
        for try await connection in inbound {
          guard admit(connection.channel.channel) else {
            try? await connection.channel.channel.close()
            continue
          }
          group.addTask {
            await self.serve(connection)
            self.counts.withLock { $0.connections -= 1 }
          }
        }
      }
    }
  }

  private func admit(_ channel: any Channel) -> Bool {
    if let allowed = configuration.allowedHosts {
      guard let ip = channel.remoteAddress?.ipAddress, allowed.contains(ip) else {
        logger.warning("connection refused: host not allowed")
        return false
      }
    }
    let admitted = counts.withLock { c in
      guard c.connections < configuration.maxConnections else { return false }
      c.connections += 1
      return true
    }
    if !admitted { logger.warning("connection refused: \(configuration.maxConnections) connections open") }
    return admitted
  }

  /// Whether a calling AE title may call over this connection: with mutual TLS and a map of certificate
  /// names to AE titles, only the titles the client's certificate is mapped to.
  private func callerAllowed(_ callingAE: String, on connection: Connection) async -> Bool {
    guard let peerNames = connection.peerNames, let settings = configuration.tls,
      settings.aeTitlesByCertificateName != nil
    else { return true }
    guard let names = try? await peerNames.get() else { return false }
    let allowed = settings.aeTitles(forCertificateNames: names) ?? []
    if !allowed.contains(callingAE.trimmingSpaces) {
      logger.warning("association refused: the client certificate is not mapped to the calling AE title")
      return false
    }
    return true
  }

  private func serve(_ accepted: Connection) async {
    var associated = false
    let connection = accepted.channel
    do {
      try await connection.executeThenClose { inbound, outbound in
        let association = Association(
          role: .acceptor, channel: connection.channel, inbound: inbound, outbound: outbound,
          timeouts: configuration.local.timeouts, logger: logger,
          privacy: LogPrivacy(showsPatientData: configuration.local.logsPatientData),
          maxMessageLength: configuration.local.maxMessageInMemory)
        associated = try await association.acceptAssociation(
          policy: configuration.policy, callerAllowed: { await self.callerAllowed($0, on: accepted) }
        ) {
          counts.withLock { c in
            guard c.associations < configuration.maxAssociations else { return false }
            c.associations += 1
            return true
          }
        }
        guard associated else { return }
        try await association.serveRequests(storage: storage)
      }
    } catch {
      // A failed TLS handshake is the reason, not the closed connection that follows it.
      var reason = "association ended: \(error)"
      if let peerNames = accepted.peerNames {
        do { _ = try await peerNames.get() } catch { reason = "TLS handshake failed: \(TLSFailure(error))" }
      }
      logger.notice("\(reason)")
    }
    if associated { counts.withLock { $0.associations -= 1 } }
  }
}

extension Association {
  /// Waits for the A-ASSOCIATE-RQ (ARTIM running), negotiates it, and answers. `reserveSlot` says
  /// whether one more association may run. Returns whether the association was accepted.
  func acceptAssociation(
    policy: AcceptorPolicy, callerAllowed: (String) async -> Bool = { _ in true }, reserveSlot: () -> Bool
  ) async throws(NetworkError) -> Bool {
    try await apply(.transportIndication)
    let (pdu, _) = try await receivePDU()
    guard case .associateRQ(let rq) = pdu else {
      throw NetworkError.protocolViolation("expected A-ASSOCIATE-RQ")
    }
    request = rq
    var result = policy.negotiate(rq)
    if case .associateAC = result.reply, await !callerAllowed(rq.callingAE) {
      result = NegotiationResult(reply: .associateRJ(.callingAENotRecognized), accepted: [:], peerMaxPDULength: 0)
    }
    if case .associateAC = result.reply, !reserveSlot() {
      result = NegotiationResult(reply: .associateRJ(.localLimitExceeded), accepted: [:], peerMaxPDULength: 0)
    }
    switch result.reply {
    case .associateAC(let ac):
      try await apply(.associateResponseAccept, sending: result.reply)
      peerMaxPDULength = result.peerMaxPDULength
      acceptedRoles = ac.user.roles
      for (id, c) in result.accepted {
        contexts[id] = Context(id: id, abstractSyntax: c.abstractSyntax, transferSyntax: c.transferSyntax)
      }
      logger.info(
        "association accepted",
        metadata: ["peer": "\(LogPrivacy.peerText(rq.callingAE))", "contexts": "\(contexts.count)"])
      return true
    default:
      try await apply(.associateResponseReject, sending: result.reply)
      logger.notice("association rejected", metadata: ["peer": "\(LogPrivacy.peerText(rq.callingAE))"])
      // Sta13: the requestor closes; ARTIM bounds the wait.
      while true { _ = try await receivePDU() }
    }
  }

  /// Answers requests until the peer releases or aborts: C-ECHO and C-STORE; C-CANCEL is ignored.
  func serveRequests(storage: any StorageHandler) async throws(NetworkError) {
    while let message = try await receiveMessage(storage: storage, beforeRelease: { await storage.flush() }) {
      switch message.command.field {
      case .cEchoRQ:
        let response = try dimse { () throws(DICOMError) in
          try DIMSECommand.response(to: message.command, status: .success)
        }
        try await send(response, contextID: message.contextID)
      case .cStoreRQ:
        try await answerStore(message, callingAE: peerAETitle, storage: storage)
      case .cCancelRQ:
        continue
      default:
        // A request we do not serve on a context we accepted: unrecognized operation (PS3.7 C.4.2).
        if let response = try? DIMSECommand.response(to: message.command, status: DIMSEStatus(code: 0x0211)) {
          try await send(response, contextID: message.contextID)
        } else {
          try await abort(.invalidParameter)
          throw NetworkError.protocolViolation("a DIMSE message that is not a request")
        }
      }
    }
  }
}

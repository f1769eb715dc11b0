public import Logging
import DICOM
import NIOCore

/// One DICOM association over a SwiftNIO channel. It owns the PS3.8 state machine and does what its
/// effects say (send a PDU, start or stop ARTIM, close); every PDU in or out passes through the machine,
/// so the transport has no protocol logic of its own. Used by one task at a time (not Sendable).
public final class Association {
  public enum Role: Sendable { case requestor, acceptor }

  /// A DIMSE message as received: the command and, when one followed, the dataset's bytes in the
  /// context's transfer syntax.
  public struct Message: Sendable {
    public var contextID: UInt8
    public var command: DIMSECommand
    public var dataset: [UInt8]?
    /// Where a C-STORE's dataset went instead of `dataset`, when the storage handler spooled it.
    public var spool: (any DatasetSpool)? = nil
  }

  /// An accepted presentation context.
  public struct Context: Sendable, Equatable {
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntax: String
  }

  public let role: Role
  public let logger: Logger
  public let privacy: LogPrivacy
  /// The request as sent (requestor) or received (acceptor).
  public internal(set) var request: AssociateRequest?
  /// The accepted presentation contexts by ID.
  public internal(set) var contexts: [UInt8: Context] = [:]
  /// Roles the acceptor agreed to (SCP role for C-GET storage sub-operations).
  public internal(set) var acceptedRoles: [RoleSelection] = []
  /// The peer's maximum PDU length: nothing larger is ever sent (0: no limit announced).
  public internal(set) var peerMaxPDULength: UInt32 = 0
  /// Requests we may have outstanding at once: 1 unless the acceptor agreed to a wider window.
  public internal(set) var operationsWindow = 1

  let channel: any Channel
  var inbound: NIOAsyncChannelInboundStream<PDU>.AsyncIterator
  let outbound: NIOAsyncChannelOutboundWriter<PDU>
  var machine: AssociationStateMachine
  var assembler: PDataAssembler
  var queuedPDVs: [PresentationDataValue] = []
  /// The command of the message being reassembled, decoded when its last fragment came.
  var pendingCommand: DIMSECommand?
  /// Why the last command set did not decode, for the message that says so.
  var commandError: (any Error)?
  var lastMessageID: UInt16 = 0
  let timeouts: NetworkTimeouts

  init(
    role: Role, channel: any Channel, inbound: NIOAsyncChannelInboundStream<PDU>,
    outbound: NIOAsyncChannelOutboundWriter<PDU>, timeouts: NetworkTimeouts, logger: Logger, privacy: LogPrivacy,
    maxMessageLength: Int
  ) {
    self.role = role
    self.channel = channel
    self.inbound = inbound.makeAsyncIterator()
    self.outbound = outbound
    self.timeouts = timeouts
    self.logger = logger
    self.privacy = privacy
    machine = AssociationStateMachine(isRequestor: role == .requestor)
    assembler = PDataAssembler(limit: maxMessageLength)
  }

  deinit {
    // An object cut short by the end of the association leaves nothing behind.
    assembler.activeSpool?.discard()
  }

  /// Who sent the objects this association receives: the calling AE of an acceptor's peer, the called
  /// AE of a requestor's (C-GET's storage sub-operations).
  var peerAETitle: String { (role == .acceptor ? request?.callingAE : request?.calledAE) ?? "" }

  public var state: AssociationStateMachine.State { machine.state }
  public var isEstablished: Bool { machine.state == .established }

  /// A new message ID for a request on this association.
  public func nextMessageID() -> UInt16 {
    lastMessageID = lastMessageID == .max ? 1 : lastMessageID + 1
    return lastMessageID
  }

  /// The accepted context for an abstract syntax, preferring the given transfer syntax when several were.
  public func context(for abstractSyntax: String, transferSyntax: String? = nil) -> Context? {
    let candidates = contexts.values.filter { $0.abstractSyntax == abstractSyntax }.sorted { $0.id < $1.id }
    if let transferSyntax { return candidates.first { $0.transferSyntax == transferSyntax } }
    return candidates.first
  }

  // MARK: - Driving the state machine

  /// Applies an event and carries out its effects; `pdu` is what a `send` effect sends.
  @discardableResult
  func apply(_ event: AssociationStateMachine.Event, sending pdu: PDU? = nil, acceptable: Bool = true)
    async throws(NetworkError) -> [AssociationStateMachine.Indication]
  {
    let effects: [AssociationStateMachine.Effect]
    do {
      (_, effects) = try machine.handle(event, acceptable: acceptable)
    } catch {
      throw NetworkError.protocolViolation("\(event) is not allowed in state \(machine.state)")
    }
    var indications: [AssociationStateMachine.Indication] = []
    for effect in effects {
      switch effect {
      case .openTransport: break  // the channel exists before the machine starts
      case .send(let kind):
        let toSend = pdu.flatMap { Self.kind(of: $0) == kind ? $0 : nil } ?? Self.defaultPDU(for: kind)
        try await write([toSend])
      case .startARTIM: trigger(.startARTIM)
      case .stopARTIM: trigger(.stopARTIM)
      case .closeTransport: close()
      case .indicate(let i): indications.append(i)
      }
    }
    return indications
  }

  func write(_ pdus: [PDU]) async throws(NetworkError) {
    do {
      try await outbound.write(contentsOf: pdus)
    } catch {
      throw NetworkError.connectionClosed
    }
  }

  func trigger(_ command: AssociationTimers.Command) {
    channel.triggerUserOutboundEvent(command, promise: nil)
  }

  func close() {
    outbound.finish()
    channel.close(promise: nil)
  }

  static func kind(of pdu: PDU) -> AssociationStateMachine.PDUKind {
    switch pdu {
    case .associateRQ: .associateRQ
    case .associateAC: .associateAC
    case .associateRJ: .associateRJ
    case .dataTF: .pData
    case .releaseRQ: .releaseRQ
    case .releaseRP: .releaseRP
    case .abort: .abort
    }
  }

  /// The PDU a `send` effect means when the caller gave none: an abort from the provider, a release.
  static func defaultPDU(for kind: AssociationStateMachine.PDUKind) -> PDU {
    switch kind {
    case .releaseRQ: .releaseRQ
    case .releaseRP: .releaseRP
    case .associateRJ: .associateRJ(AssociateReject(result: 1, source: 1, reason: 1))
    default: .abort(.unexpectedPDU)
    }
  }

  static func event(for pdu: PDU) -> AssociationStateMachine.Event {
    switch pdu {
    case .associateRQ: .associateRQReceived
    case .associateAC: .associateACReceived
    case .associateRJ: .associateRJReceived
    case .dataTF: .pDataReceived
    case .releaseRQ: .releaseRQReceived
    case .releaseRP: .releaseRPReceived
    case .abort: .abortReceived
    }
  }

  // MARK: - Reading

  /// The next PDU from the peer, after the machine has seen it. A malformed PDU, a timer and the end of
  /// the connection become the machine's events and end in a thrown error.
  func receivePDU() async throws(NetworkError) -> (PDU, [AssociationStateMachine.Indication]) {
    let next: PDU?
    do {
      next = try await inbound.next()
    } catch let error as PDUError {
      let abort: AssociateAbort =
        if case .unknownPDUType = error { .unrecognizedPDU } else { .invalidParameter }
      _ = try? await apply(.invalidPDUReceived, sending: .abort(abort))
      close()
      throw NetworkError.protocolViolation(error.description)
    } catch NetworkError.timeout(let kind, let seconds) {
      if kind == .artim {
        _ = try? await apply(.artimExpired)
      } else {
        // Nothing from the peer for too long: abort as the service user.
        _ = try? await apply(.abortRequest, sending: .abort(AssociateAbort(source: 0, reason: 0)))
      }
      close()
      throw NetworkError.timeout(role == .acceptor && kind == .dimse ? .idle : kind, seconds: seconds)
    } catch {
      _ = try? await apply(.transportClosed)
      close()
      throw NetworkError.connectionClosed
    }
    guard let pdu = next else {
      _ = try? await apply(.transportClosed)
      throw NetworkError.connectionClosed
    }
    let indications = try await apply(Self.event(for: pdu), sending: nil)
    if indications.contains(.providerAbort) {
      close()
      throw NetworkError.protocolViolation("unexpected \(Self.kind(of: pdu)) PDU")
    }
    if indications.contains(.abort), case .abort(let a) = pdu {
      throw NetworkError.aborted(a)
    }
    return (pdu, indications)
  }

  /// The next whole DIMSE message, or nil when the peer released the association (answered with a
  /// release response once `beforeRelease` says all is well; aborted otherwise). PDVs on a context that
  /// was not accepted abort the association.
  /// A C-STORE's dataset goes to `storage`'s spool as it arrives when a handler is given.
  public func receiveMessage(
    storage: (any StorageHandler)? = nil, beforeRelease: () async -> Bool = { true }
  ) async throws(NetworkError) -> Message? {
    while true {
      if !queuedPDVs.isEmpty {
        let pdv = queuedPDVs.removeFirst()
        guard contexts[pdv.contextID] != nil else {
          try await abort(.invalidParameter)
          throw NetworkError.protocolViolation("data on presentation context \(pdv.contextID), which was not accepted")
        }
        let assembled: PDataAssembler.Message?
        do {
          // The command is decoded once, when its last fragment arrives, and kept for the message.
          assembled = try assembler.add(pdv) { bytes in
            do { pendingCommand = try DIMSECommand.decode(bytes) } catch { commandError = error }
            guard let command = pendingCommand else { return .none }
            guard let storage else { return command.hasDataset ? .memory : .none }
            return datasetDestination(command, contextID: pdv.contextID, callingAE: peerAETitle, storage: storage)
          }
        } catch {
          assembler.activeSpool?.discard()
          assembler = PDataAssembler(limit: assembler.limit)
          try await abort(.invalidParameter)
          if case .tooLarge(let limit) = error {
            throw NetworkError.protocolViolation(
              "a DIMSE message longer than the limit of \(limit) bytes held in memory")
          }
          if case .spoolFailed(let reason) = error {
            throw NetworkError.protocolViolation("incoming object refused: \(TextSafety.text(reason))")
          }
          throw NetworkError.protocolViolation("presentation data values out of order: \(error)")
        }
        guard let m = assembled else { continue }
        defer { pendingCommand = nil }
        guard let command = pendingCommand else {
          m.spool?.discard()
          try await abort(.invalidParameter)
          throw NetworkError.protocolViolation(
            "undecodable DIMSE command set" + (commandError.map { ": \(TextSafety.text("\($0)"))" } ?? ""))
        }
        return Message(contextID: m.contextID, command: command, dataset: m.dataset, spool: m.spool)
      }
      let (pdu, indications) = try await receivePDU()
      if case .dataTF(let values) = pdu, indications.contains(.pData) {
        queuedPDVs += values
        continue
      }
      if indications.contains(.releaseRequest) {
        guard await beforeRelease() else {
          try await abort(AssociateAbort(source: 2, reason: 0))
          throw NetworkError.protocolViolation("stored objects could not be made durable; association aborted")
        }
        try await answerRelease()
        return nil
      }
      throw NetworkError.protocolViolation("unexpected \(Self.kind(of: pdu)) PDU")
    }
  }

  // MARK: - Sending

  /// Sends a DIMSE message, fragmented so that no PDU exceeds the peer's maximum.
  public func send(_ command: DIMSECommand, dataset: [UInt8]? = nil, contextID: UInt8) async throws(NetworkError) {
    var command = command
    command.dataset.set(DIMSECommand.dataSetType, .US, integers: [dataset == nil ? DIMSECommand.noDataset : 0])
    let commandBytes: [UInt8]
    do {
      commandBytes = try command.encoded()
    } catch {
      throw NetworkError.dataset(error)
    }
    let pdus = PDataFragmenter.pdus(
      contextID: contextID, command: commandBytes, dataset: dataset, maxPDULength: peerMaxPDULength)
    for _ in pdus {
      do {
        _ = try machine.handle(.pDataRequest)
      } catch {
        throw NetworkError.protocolViolation("cannot send data in state \(machine.state)")
      }
    }
    try await write(pdus)
  }

  // MARK: - Ending

  /// Releases the association (PS3.8 7.2), handling a release collision.
  public func release() async throws(NetworkError) {
    try await apply(.releaseRequest)
    while true {
      let (_, indications) = try await receivePDU()
      if indications.contains(.releaseConfirmed) {
        // Requestor: AR-3 closed the transport. Acceptor in a collision (Sta12): answer it.
        if machine.state == .collisionAcceptorAwaitingLocalResponse {
          try await apply(.releaseResponse)
          close()
        }
        return
      }
      if indications.contains(.releaseRequest) {
        // A collision: the requestor answers first (AR-9), then waits for the peer's response.
        if machine.state == .collisionRequestorAwaitingLocalResponse { try await apply(.releaseResponse) }
        continue
      }
      // P-DATA arriving before the release response is dropped (AR-6 gave it to us; nobody asked for it).
    }
  }

  /// Answers the peer's release request and closes once the peer has closed (or ARTIM ran out).
  func answerRelease() async throws(NetworkError) {
    try await apply(.releaseResponse)
    // Sta13: wait for the peer to close; ARTIM bounds the wait.
    while machine.state == .awaitingTransportClose {
      do {
        _ = try await receivePDU()
      } catch {
        break
      }
    }
    close()
  }

  /// Aborts the association as the service user (source 0) or provider, and closes the connection.
  public func abort(_ reason: AssociateAbort = AssociateAbort(source: 0, reason: 0)) async throws(NetworkError) {
    if machine.state != .idle && machine.state != .awaitingTransportClose {
      _ = try? await apply(.abortRequest, sending: .abort(reason))
    }
    close()
  }
}

public import DICOM
import NIOCore

/// Sub-operation counts of a C-MOVE or C-GET (PS3.4 C.4.2.1.6): what the peer reports in its responses.
public struct SubOperationProgress: Sendable, Equatable, CustomStringConvertible {
  public var remaining: Int?
  public var completed: Int
  public var failed: Int
  public var warning: Int

  public init(remaining: Int? = nil, completed: Int = 0, failed: Int = 0, warning: Int = 0) {
    self.remaining = remaining
    self.completed = completed
    self.failed = failed
    self.warning = warning
  }

  public var description: String {
    "\(completed) completed, \(failed) failed, \(warning) warning" + (remaining.map { ", \($0) remaining" } ?? "")
  }
}

/// The end of a C-MOVE or C-GET: the final status and counts.
public struct RetrieveOutcome: Sendable, Equatable {
  public var status: DIMSEStatus
  public var progress: SubOperationProgress

  public init(status: DIMSEStatus, progress: SubOperationProgress) {
    self.status = status
    self.progress = progress
  }

  /// True when every sub-operation succeeded and the final status says so.
  public var isCompleteSuccess: Bool { status.kind == .success && progress.failed == 0 }
}

/// What a C-FIND callback says: go on, or send C-CANCEL.
public enum QueryControl: Sendable { case proceed, cancel }

extension Association {
  /// C-ECHO (PS3.7 9.1.5): the verification status.
  public func echo() async throws(NetworkError) -> DIMSEStatus {
    guard let ctx = context(for: ServiceClasses.verification) else {
      throw NetworkError.noPresentationContext(sopClass: ServiceClasses.verification, transferSyntax: nil)
    }
    let id = nextMessageID()
    try await send(try dimse { () throws(DICOMError) in try .echoRequest(messageID: id) }, contextID: ctx.id)
    return try await finalResponse(to: id).command.status ?? .processingFailure
  }

  /// C-FIND (PS3.4 C.4.1): `onMatch` gets each pending response's identifier as it arrives and may
  /// cancel (C-CANCEL-RQ; the peer then ends with Cancel). Returns the final status.
  /// At most `maxMatches` pending responses are taken: past that the association is aborted, so a peer
  /// cannot keep a query going without end.
  public func find(
    root: ServiceClasses.Root, identifier: Dataset, maxMatches: Int = Association.defaultMaxMatches,
    onMatch: (Dataset) -> QueryControl
  ) async throws(NetworkError) -> DIMSEStatus {
    let ctx = try queryContext(root.find)
    let id = nextMessageID()
    let request = try dimse { () throws(DICOMError) in
      try DIMSECommand.queryRequest(.cFindRQ, messageID: id, sopClass: root.find)
    }
    try await send(request, dataset: try encode(identifier, in: ctx), contextID: ctx.id)
    var cancelled = false
    var matches = 0
    while true {
      let response = try await response(to: id)
      guard let status = response.command.status else {
        throw NetworkError.protocolViolation("C-FIND-RSP without status")
      }
      guard status.kind == .pending else { return status }
      matches += 1
      guard matches <= maxMatches else {
        try await abort()
        throw NetworkError.protocolViolation("more than \(maxMatches) matches")
      }
      guard let bytes = response.dataset else { continue }
      let match = try decode(bytes, in: ctx)
      if !cancelled && onMatch(match) == .cancel {
        cancelled = true
        try await send(try dimse { () throws(DICOMError) in try .cancelRequest(respondingTo: id) }, contextID: ctx.id)
      }
    }
  }

  /// C-MOVE (PS3.4 C.4.2) to `destination`: the peer opens its own associations to that AE for the
  /// sub-operations; `onProgress` gets the counts of each pending response.
  /// The DIMSE timeout runs between responses as for every request; the SCP receiving the sub-operations
  /// can extend it with `keepAlive()` while objects arrive there.
  public func move(
    root: ServiceClasses.Root, identifier: Dataset, destination: String,
    maxSubOperations: Int = Association.defaultMaxSubOperations, onProgress: (SubOperationProgress) -> Void
  ) async throws(NetworkError) -> RetrieveOutcome {
    try LocalEntity.validate(aeTitle: destination)
    let ctx = try queryContext(root.move)
    let id = nextMessageID()
    let request = try dimse { () throws(DICOMError) in
      try DIMSECommand.queryRequest(.cMoveRQ, messageID: id, sopClass: root.move, moveDestination: destination)
    }
    try await send(request, dataset: try encode(identifier, in: ctx), contextID: ctx.id)
    var progress = SubOperationProgress()
    var budget = SubOperationBudget(fallback: maxSubOperations)
    while true {
      let response = try await response(to: id)
      guard let status = response.command.status else {
        throw NetworkError.protocolViolation("C-MOVE-RSP without status")
      }
      progress.update(from: response.command)
      try await withinBudget { () throws(NetworkError) in
        try budget.response(progress, isPending: status.kind == .pending)
      }
      if status.kind == .pending {
        onProgress(progress)
        continue
      }
      return RetrieveOutcome(status: status, progress: progress)
    }
  }

  /// C-GET (PS3.4 C.4.3): the sub-operations come back as C-STORE requests on this association (we took
  /// the SCP role for the storage classes); each goes to `storage`.
  public func get(
    root: ServiceClasses.Root, identifier: Dataset, storage: any StorageHandler,
    maxSubOperations: Int = Association.defaultMaxSubOperations, onProgress: (SubOperationProgress) -> Void
  ) async throws(NetworkError) -> RetrieveOutcome {
    let ctx = try queryContext(root.get)
    let id = nextMessageID()
    let request = try dimse { () throws(DICOMError) in
      try DIMSECommand.queryRequest(.cGetRQ, messageID: id, sopClass: root.get)
    }
    try await send(request, dataset: try encode(identifier, in: ctx), contextID: ctx.id)
    var progress = SubOperationProgress()
    var budget = SubOperationBudget(fallback: maxSubOperations)
    while true {
      guard let message = try await receiveMessage(storage: storage) else { throw NetworkError.connectionClosed }
      if message.command.field == .cStoreRQ {
        do {
          try budget.store()
        } catch {
          message.spool?.discard()
          try await abort()
          throw error
        }
        try await answerStore(message, callingAE: peerAETitle, storage: storage)
        continue
      }
      guard message.command.messageIDBeingRespondedTo == id, message.command.field == .cGetRSP,
        let status = message.command.status
      else { throw NetworkError.protocolViolation("unexpected DIMSE message during C-GET") }
      progress.update(from: message.command)
      try await withinBudget { () throws(NetworkError) in
        try budget.response(progress, isPending: status.kind == .pending)
      }
      if status.kind == .pending {
        onProgress(progress)
        continue
      }
      return RetrieveOutcome(status: status, progress: progress)
    }
  }

  /// Matches a C-FIND takes by default before it gives up on the peer.
  public static let defaultMaxMatches = 100_000
  /// Sub-operations a C-MOVE or C-GET allows when the peer announces no count.
  public static let defaultMaxSubOperations = 10_000

  /// Runs a budget check; a peer past its budget gets an abort.
  func withinBudget(_ check: () throws(NetworkError) -> Void) async throws(NetworkError) {
    do {
      try check()
    } catch {
      try await abort()
      throw error
    }
  }

  /// Something that restarts this association's inactivity timer from another task: activity seen
  /// elsewhere (C-MOVE's sub-operations arriving at our SCP) that shows the peer is working.
  public var keepAlive: KeepAlive { KeepAlive(channel: channel) }

  // MARK: - Helpers

  func queryContext(_ sopClass: String) throws(NetworkError) -> Context {
    guard let ctx = context(for: sopClass) else {
      throw NetworkError.noPresentationContext(sopClass: sopClass, transferSyntax: nil)
    }
    return ctx
  }

  func dimse(_ make: () throws(DICOMError) -> DIMSECommand) throws(NetworkError) -> DIMSECommand {
    do { return try make() } catch { throw NetworkError.dataset(error) }
  }

  func encode(_ dataset: Dataset, in ctx: Context) throws(NetworkError) -> [UInt8] {
    do {
      return try DatasetWriter(transferSyntax: .from(uid: ctx.transferSyntax)).encode(dataset)
    } catch {
      throw NetworkError.dataset(error)
    }
  }

  func decode(_ bytes: [UInt8], in ctx: Context) throws(NetworkError) -> Dataset {
    do {
      return try DICOMFile.readDataset(bytes: bytes, transferSyntax: .from(uid: ctx.transferSyntax))
    } catch {
      throw NetworkError.dataset(error)
    }
  }

  /// The next response to request `id`.
  func response(to id: UInt16) async throws(NetworkError) -> Message {
    guard let message = try await receiveMessage() else { throw NetworkError.connectionClosed }
    guard message.command.messageIDBeingRespondedTo == id else {
      throw NetworkError.protocolViolation("a response to a request that was not made")
    }
    return message
  }

  /// The first non-pending response to request `id`.
  func finalResponse(to id: UInt16) async throws(NetworkError) -> Message {
    while true {
      let message = try await response(to: id)
      if message.command.status?.kind != .pending { return message }
    }
  }
}

extension SubOperationProgress {
  mutating func update(from command: DIMSECommand) {
    let counts = command.subOperations
    // A final response need not carry Remaining (PS3.4 C.4.2.1.6): then none remain.
    if command.status?.kind == .pending {
      remaining = counts.remaining ?? remaining
    } else {
      remaining = counts.remaining
    }
    if let c = counts.completed { completed = c }
    if let f = counts.failed { failed = f }
    if let w = counts.warning { warning = w }
  }
}

/// Restarts an association's inactivity timer (see `Association.keepAlive`); safe from any thread.
public struct KeepAlive: Sendable {
  let channel: any Channel

  public func callAsFunction() {
    channel.triggerUserOutboundEvent(AssociationTimers.Command.touch, promise: nil)
  }
}

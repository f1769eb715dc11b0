import Archive
public import DICOM
public import DICOMNetwork
public import Logging
public import SecureTransport
import Synchronization

/// A remote archive over DIMSE: C-FIND for queries, C-GET on the association or C-MOVE into a Storage
/// SCP of our own for retrieves, C-STORE for sends. Every association goes through the network module,
/// TLS included when the node has it.
public struct DIMSEArchive: RemoteArchive {
  public enum Method: Sendable {
    /// C-GET: the objects come back on the association (works behind NAT).
    case get
    /// C-MOVE to our SCP on `listenPort` bound to `bindHost`, as `destination` (our AE title when nil);
    /// the SCP speaks TLS with `tls`.
    case move(listenPort: Int, destination: String?, bindHost: String, tls: TLSServerSettings?)
  }

  public let node: RemoteNode
  public let entity: LocalEntity
  public var method: Method
  /// Transfer syntaxes we accept objects in (the viewer's decodable ones).
  public var acceptedSyntaxes: [String]
  /// When set, a C-GET asks for objects in these syntaxes alone (lossless compressed ones): the node
  /// transcodes what it stores otherwise, for fewer bytes on the wire. What it cannot send so fails
  /// its sub-operation, and is asked for again as stored (`asStored`).
  public var compressedSyntaxes: [String]?
  public let logger: Logger

  public init(
    node: RemoteNode, entity: LocalEntity, method: Method = .get, acceptedSyntaxes: [String], logger: Logger
  ) {
    self.node = node
    self.entity = entity
    self.method = method
    self.acceptedSyntaxes = acceptedSyntaxes
    self.logger = logger
  }

  public var name: String { node.aeTitle }
  public var fetchNeedsSOPClasses: Bool { true }

  public var asStored: (any RemoteArchive)? {
    guard compressedSyntaxes != nil, case .get = method else { return nil }
    var plain = self
    plain.compressedSyntaxes = nil
    return plain
  }
  public var address: String { node.host }

  public func find(
    root: ServiceClasses.Root, identifier: Dataset, onMatch: (Dataset) -> QueryControl
  ) async throws -> DIMSEStatus {
    let contexts = ContextProposal.contexts([(root.find, ServiceClasses.uncompressedSyntaxes)])
    return try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
      association in
      try await association.find(root: root, identifier: identifier, onMatch: onMatch)
    }
  }

  public func fetch(
    _ requests: RequestSource, root: ServiceClasses.Root, storageClasses: [String], storage: ArchiveStorage,
    onProgress: @escaping @Sendable (SubOperationProgress) -> Void
  ) async throws -> RetrieveOutcome {
    var outcome = RetrieveOutcome(status: .success, progress: SubOperationProgress())
    switch method {
    case .get:
      var retry: Dataset?
      if let compressedSyntaxes {
        // Compressed for the wire while the node can: a request that brings nothing but failures says it
        // cannot (Orthanc 1.10 transcodes C-GET to uncompressed syntaxes only); it and the rest go as stored.
        (outcome, retry) = try await get(
          requests, root: root, storageClasses: storageClasses, syntaxes: compressedSyntaxes, storage: storage,
          onProgress: onProgress
        ) { done, next in next.progress.failed > 0 && done.progress.completed + next.progress.completed == 0 }
        guard retry != nil else { return outcome }
        logger.notice("the node does not send compressed objects; asking for them as stored")
      }
      let first = retry
      let rest = RequestSource(
        pull: { [retry = Mutex(first)] in retry.withLock { $0.take() } ?? requests.next() },
        remaining: requests.remaining)
      outcome = try await get(
        rest, root: root, storageClasses: storageClasses, syntaxes: acceptedSyntaxes, storage: storage,
        onProgress: onProgress, giveUp: { _, _ in false }
      ).outcome
    case .move(let port, let destination, let bindHost, let tls):
      // C-MOVE's sub-operations keep the move's association alive.
      let keepAlive = KeepAliveBox()
      var moved = storage
      moved.onActivity = { keepAlive.touch() }
      // The SCP for the sub-operations hears only the node retrieved from: its AE title, its addresses.
      let scp = StorageSCP(
        configuration: StorageSCPConfiguration(
          local: entity, allowedCallingAETitles: [node.aeTitle], allowedHosts: HostAddresses.resolve(node.host),
          abstractSyntaxes: ServiceClasses.allStorage, transferSyntaxes: acceptedSyntaxes, bindHost: bindHost,
          tls: tls),
        storage: moved, logger: logger)
      let bound: StorageSCP.Listener
      do { bound = try await scp.listen(port: port) } catch {
        throw Retriever.Failure(description: "cannot listen on port \(port): \(error)")
      }
      let listener = Task { try await bound.serve() }
      defer { listener.cancel() }
      let contexts = ContextProposal.contexts([(root.move, ServiceClasses.uncompressedSyntaxes)])
      outcome = try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
        association in
        keepAlive.set(association.keepAlive)
        defer { keepAlive.set(nil) }
        var outcome = RetrieveOutcome(status: .success, progress: SubOperationProgress())
        while let identifier = requests.next() {
          let before = outcome.progress
          let next = try await association.move(
            root: root, identifier: identifier, destination: destination ?? entity.aeTitle
          ) { p in onProgress(Self.running(before, p, left: requests.remaining())) }
          outcome = outcome.merged(with: next)
        }
        return outcome
      }
      // The peer answers once its sub-operations are done; let our side finish the last one.
      for _ in 0..<50 where scp.openConnections > 0 { try? await Task.sleep(for: .milliseconds(20)) }
    }
    return outcome
  }

  /// C-GETs the requests on one association (one handshake, however many instances are asked for one by
  /// one) proposing `syntaxes`; stops at a request after which `giveUp` (the outcome before it, its own)
  /// holds, and returns that request unmerged.
  func get(
    _ requests: RequestSource, root: ServiceClasses.Root, storageClasses: [String], syntaxes: [String],
    storage: ArchiveStorage, onProgress: @escaping @Sendable (SubOperationProgress) -> Void,
    giveUp: @escaping @Sendable (RetrieveOutcome, RetrieveOutcome) -> Bool
  ) async throws -> (outcome: RetrieveOutcome, givenUp: Dataset?) {
    let (contexts, roles) = ContextProposal.forGet(root: root, storageClasses: storageClasses, syntaxes: syntaxes)
    return try await Association.withAssociation(
      to: node, as: entity, contexts: contexts, roles: roles, logger: logger
    ) { association in
      var outcome = RetrieveOutcome(status: .success, progress: SubOperationProgress())
      while let identifier = requests.next() {
        let before = outcome.progress
        let next = try await association.get(root: root, identifier: identifier, storage: storage) { p in
          onProgress(Self.running(before, p, left: requests.remaining()))
        }
        if giveUp(outcome, next) { return (outcome, identifier) }
        outcome = outcome.merged(with: next)
      }
      return (outcome, nil)
    }
  }

  /// The counts so far: those of the requests done, plus the running one's; what remains counts the
  /// requests not yet made when the source knows them (an instance each), else the peer's figure.
  static func running(_ done: SubOperationProgress, _ now: SubOperationProgress, left: Int?) -> SubOperationProgress {
    var p = done
    p.completed += now.completed
    p.failed += now.failed
    p.warning += now.warning
    p.remaining = left.map { $0 + (now.remaining ?? 0) } ?? now.remaining
    return p
  }

  /// C-STOREs a peer may have outstanding per association: one unless the peer agrees to a window.
  public static let operations: UInt16 = 16

  public func send(_ paths: [String], parallel: Int) async -> SendOutcome {
    var outcome = SendOutcome()
    var objects: [StorableObject] = []
    var readable: [String] = []
    for path in paths {
      do {
        // The proposal needs only the UIDs and the syntax; the bytes are read when the file is sent.
        objects.append(try StorableObject.load(path: path, headerOnly: true))
        readable.append(path)
      } catch {
        outcome.failed += 1
        outcome.problems.append("\(path.strippingControlCharacters): \(error)")
      }
    }
    outcome.studies = Set(objects.compactMap(\.studyInstanceUID))
    guard !readable.isEmpty else { return outcome }
    let contexts = StorableObject.proposal(for: objects)
    guard contexts.count <= 128 else {
      outcome.error = "more than 128 kinds of object; send fewer at once"
      return outcome
    }
    // Files are dealt round-robin to the associations, each of which sends its share in order.
    let count = max(1, min(parallel, readable.count))
    let shares = (0..<count).map { k in stride(from: k, to: readable.count, by: count).map { readable[$0] } }
    let parts = await withTaskGroup(of: SendOutcome.self) { group in
      for share in shares {
        group.addTask { await send(share, contexts: contexts) }
      }
      var all: [SendOutcome] = []
      for await part in group { all.append(part) }
      return all
    }
    return SendOutcome.merged([outcome] + parts)
  }

  /// Sends files in order on one association; the next file is read while the peer answers. When the
  /// peer agreed to an asynchronous operations window, up to that many objects are sent before their
  /// answers are awaited (answers are matched to requests by message ID).
  func send(_ paths: [String], contexts: [ProposedContext]) async -> SendOutcome {
    var share = SendOutcome()
    do {
      try await Association.withAssociation(
        to: node, as: entity, contexts: contexts, operations: Self.operations, logger: logger
      ) { association in
        func load(_ i: Int) -> Task<Result<StorableObject, DICOMError>, Never>? {
          guard i < paths.count else { return nil }
          let path = paths[i]
          return Task { () -> Result<StorableObject, DICOMError> in
            do throws(DICOMError) { return .success(try StorableObject.load(path: path)) } catch {
              return .failure(error)
            }
          }
        }
        var outstanding: [UInt16: String] = [:]
        func takeAnswer() async throws(NetworkError) {
          let (id, status) = try await association.storeResponse()
          guard let path = outstanding.removeValue(forKey: id) else {
            throw NetworkError.protocolViolation("a C-STORE response to a request that was not made")
          }
          if status.kind == .failure {
            share.failed += 1
            share.problems.append("\(path): \(status)")
          } else {
            share.sent += 1
          }
        }
        var next = load(0)
        for i in paths.indices {
          let path = paths[i].strippingControlCharacters
          guard let loading = next else { break }
          let loaded = await loading.value
          next = load(i + 1)
          while outstanding.count >= association.operationsWindow { try await takeAnswer() }
          do {
            outstanding[try await association.sendStore(try loaded.get())] = path
          } catch let error as NetworkError {
            if case .noPresentationContext = error {
              share.failed += 1
              share.problems.append("\(path): \(error)")
              continue
            }
            throw error
          } catch {
            share.failed += 1
            share.problems.append("\(path): \(error)")
          }
        }
        while !outstanding.isEmpty { try await takeAnswer() }
      }
    } catch {
      share.error = "\(error)"
    }
    return share
  }
}

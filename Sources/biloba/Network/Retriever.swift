import Archive
import DICOMImaging
import DICOMNetwork
import Logging

/// One retrieve into the local archive, as `biloba move`, `biloba get` and the workstation do it: plan
/// (skip what is already here), C-MOVE into our own Storage SCP or C-GET on the association, make the
/// objects durable, and record the job in the archive's retrieval table.
struct Retriever: Sendable {
  enum Method: Sendable {
    /// C-MOVE to our SCP on `listenPort`, as `destination` (our AE title when nil).
    case move(listenPort: Int, destination: String?)
    case get
  }

  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let node: RemoteNode
  let entity: LocalEntity
  let archive: LocalArchive
  let config: BilobaConfig
  let logger: Logger

  func run(
    _ target: RetrieveTarget, method: Method, refetch: Bool, announce: Bool,
    onProgress: @escaping @Sendable (SubOperationProgress) -> Void
  ) async throws -> RetrieveOutcome {
    archive.prepareForReceiving(logger: logger)
    let verb: String
    var listener: Task<Void, any Error>?
    var scp: StorageSCP?
    switch method {
    case .move(let port, _):
      verb = "move"
      let server = StorageSCP(
        configuration: StorageSCPConfiguration(
          local: entity, allowedCallingAETitles: config.network?.allowed_calling_aets.map(Set.init),
          allowedHosts: config.network?.allowed_hosts.map(Set.init), abstractSyntaxes: ServiceClasses.allStorage,
          transferSyntaxes: CodecRegistry.decodableTransferSyntaxUIDs, bindHost: config.network?.bind ?? "0.0.0.0"),
        storage: ArchiveStorage(archive: archive), logger: logger)
      let bound: StorageSCP.Listener
      do { bound = try await server.listen(port: port) } catch {
        throw Failure(description: "cannot listen on port \(port): \(error)")
      }
      listener = Task { try await bound.serve() }
      scp = server
    case .get:
      verb = "get"
    }
    defer { listener?.cancel() }
    let root = target.root
    let plan = try await target.plan(node: node, entity: entity, archive: archive, refetch: refetch)
    if announce { plan.announce(verb) }
    let record = RetrievalRecord(archive: archive, node: node.aeTitle, target: target)
    var outcome = RetrieveOutcome(status: .success, progress: SubOperationProgress())
    do {
      for identifier in plan.requests {
        let next: RetrieveOutcome
        switch method {
        case .move(_, let destination):
          let contexts = ContextProposal.contexts([(root.move, ServiceClasses.uncompressedSyntaxes)])
          next = try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
            association in
            try await association.move(
              root: root, identifier: identifier, destination: destination ?? entity.aeTitle, onProgress: onProgress)
          }
        case .get:
          let (contexts, roles) = ContextProposal.forGet(
            root: root, storageClasses: plan.storageClasses, syntaxes: CodecRegistry.decodableTransferSyntaxUIDs)
          next = try await Association.withAssociation(
            to: node, as: entity, contexts: contexts, roles: roles, logger: logger
          ) { association in
            try await association.get(
              root: root, identifier: identifier, storage: ArchiveStorage(archive: archive), onProgress: onProgress)
          }
        }
        outcome = outcome.merged(with: next)
      }
    } catch let error as NetworkError {
      record.finish(nil)
      throw Failure(description: "\(error)")
    }
    // After a C-MOVE the peer answers once its sub-operations are done; let our side finish the last one.
    if let scp { for _ in 0..<50 where scp.openConnections > 0 { try? await Task.sleep(for: .milliseconds(20)) } }
    let unflushed = await archive.flushReceived()
    if !unflushed.isEmpty {
      record.finish(nil)
      throw Failure(description: "\(unflushed.count) objects could not be stored: \(unflushed[0])")
    }
    record.finish(outcome)
    return outcome
  }
}

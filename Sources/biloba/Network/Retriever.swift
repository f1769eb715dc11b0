import Archive
import DICOM
import Foundation
import Retrieval
import Synchronization
import DICOMImaging
import DICOMNetwork
import Logging
import SecureTransport

/// One retrieve into the local archive, as `biloba move`, `biloba get` and the workstation do it: plan
/// (skip what is already here), C-MOVE into our own Storage SCP or C-GET on the association, make the
/// objects durable, and record the job in the archive's retrieval table.
struct Retriever: Sendable {
  enum Method: Sendable {
    /// C-MOVE to our SCP on `listenPort`, as `destination` (our AE title when nil); the SCP speaks TLS
    /// with `tls`.
    case move(listenPort: Int, destination: String?, tls: TLSServerSettings? = nil)
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
    // Only what was asked for is kept; C-MOVE's sub-operations keep the move's association alive.
    let keepAlive = KeepAliveBox()
    let storage = ArchiveStorage(
      archive: archive, replacingAETitles: config.replacingAETitles, accepts: target.accepts,
      maxObjectSize: config.maxObjectSize, logger: logger, onActivity: { keepAlive.touch() })
    switch method {
    case .move(let port, _, let tls):
      verb = "move"
      // The SCP for the sub-operations hears only the node retrieved from: its AE title, its addresses.
      let server = StorageSCP(
        configuration: StorageSCPConfiguration(
          local: entity, allowedCallingAETitles: [node.aeTitle], allowedHosts: HostAddresses.resolve(node.host),
          abstractSyntaxes: ServiceClasses.allStorage, transferSyntaxes: CodecRegistry.decodableTransferSyntaxUIDs,
          bindHost: config.moveBind, tls: tls),
        storage: storage, logger: logger)
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
        case .move(_, let destination, _):
          let contexts = ContextProposal.contexts([(root.move, ServiceClasses.uncompressedSyntaxes)])
          next = try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
            association in
            keepAlive.set(association.keepAlive)
            defer { keepAlive.set(nil) }
            return try await association.move(
              root: root, identifier: identifier, destination: destination ?? entity.aeTitle, onProgress: onProgress)
          }
        case .get:
          let (contexts, roles) = ContextProposal.forGet(
            root: root, storageClasses: plan.storageClasses, syntaxes: CodecRegistry.decodableTransferSyntaxUIDs)
          next = try await Association.withAssociation(
            to: node, as: entity, contexts: contexts, roles: roles, logger: logger
          ) { association in
            try await association.get(
              root: root, identifier: identifier, storage: storage, onProgress: onProgress)
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

/// The move association's keep-alive, set while it runs and touched from the SCP's tasks.
final class KeepAliveBox: Sendable {
  private let current = Mutex<KeepAlive?>(nil)

  func set(_ keepAlive: KeepAlive?) { current.withLock { $0 = keepAlive } }
  func touch() { current.withLock { $0?() } }
}

extension RetrieveTarget {
  /// Whether a received object is part of this target: its study, and its series and instance when the
  /// target names them.
  var accepts: @Sendable (InstanceRecord) -> Bool {
    let (study, series, instance) = (study, series, instance)
    return { record in
      record.studyInstanceUID == study && (series.map { $0 == record.seriesInstanceUID } ?? true)
        && (instance.map { $0 == record.sopInstanceUID } ?? true)
    }
  }
}

/// The IP addresses a host name stands for, to admit a node's connections by address.
enum HostAddresses {
  static func resolve(_ host: String) -> Set<String> {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [host] }
    defer { freeaddrinfo(first) }
    var out: Set<String> = []
    var next: UnsafeMutablePointer<addrinfo>? = first
    while let entry = next {
      var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      if getnameinfo(
        entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
      {
        out.insert(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
      }
      next = entry.pointee.ai_next
    }
    return out.isEmpty ? [host] : out
  }
}

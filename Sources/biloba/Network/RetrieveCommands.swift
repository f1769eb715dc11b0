import Archive
import ArgumentParser
import DICOM
import DICOMImaging
import DICOMNetwork
import Foundation

/// What to retrieve: --study UID [--series UID] [--instance UID], at the level of the deepest one given.
struct RetrieveOptions: ParsableArguments {
  @Option(name: .long, help: "Study Instance UID.")
  var study: String

  @Option(name: .long, help: "Series Instance UID (retrieves one series).")
  var series: String?

  @Option(name: .long, help: "SOP Instance UID (retrieves one instance; needs --series).")
  var instance: String?

  @Option(name: .long, help: "Patient ID, needed with --root patient.")
  var patientId: String?

  @Option(name: .long, help: "Information model: patient or study root.")
  var root: ServiceClasses.Root = .study

  func validate() throws {
    for uid in [study, series, instance].compactMap({ $0 }) where !UIDSyntax.isValid(uid) {
      throw ValidationError("\(uid.strippingControlCharacters) is not a UID")
    }
    if instance != nil && series == nil { throw ValidationError("--instance needs --series") }
    if root == .patient && patientId == nil { throw ValidationError("--root patient needs --patient-id") }
  }

  func identifier() throws -> Dataset {
    let level: ServiceClasses.Level = instance != nil ? .image : series != nil ? .series : .study
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag(0x0008, 0x0052), .CS, level.rawValue)
    if let patientId { try ds.set(Tag(0x0010, 0x0020), .LO, patientId) }
    try ds.set(Tag(0x0020, 0x000D), .UI, study)
    if let series { try ds.set(Tag(0x0020, 0x000E), .UI, series) }
    if let instance { try ds.set(Tag(0x0008, 0x0018), .UI, instance) }
    return ds
  }

  /// What to ask for: a C-FIND at image level lists the instances and their SOP classes; those already
  /// in the archive are left out (an interrupted retrieve resumes with the missing ones), asked for
  /// series by series with UID lists. When the peer does not answer the C-FIND, the whole target is
  /// asked for and the proposal covers every retrievable class.
  func plan(node: RemoteNode, entity: LocalEntity, archive: LocalArchive, refetch: Bool) async throws -> RetrievalPlan {
    let whole = try identifier()
    var query = whole
    try query.set(Tag(0x0008, 0x0052), .CS, "IMAGE")
    for tag in [Tag(0x0008, 0x0016), Tag(0x0020, 0x000E), Tag(0x0008, 0x0018)] where query.string(tag) == nil {
      query.set(Element(tag: tag, vr: .UI, bytes: []))
    }
    let root = self.root
    let contexts = ContextProposal.contexts([(root.find, ServiceClasses.uncompressedSyntaxes)])
    var found: [(series: String, instance: String, sopClass: String)] = []
    let answered =
      (try? await Association.withAssociation(to: node, as: entity, contexts: contexts) { association in
        try await association.find(root: root, identifier: query) { match in
          if let series = match.string(Tag(0x0020, 0x000E)), let instance = match.string(Tag(0x0008, 0x0018)),
            UIDSyntax.isValid(series), UIDSyntax.isValid(instance)
          {
            found.append((series, instance, match.string(Tag(0x0008, 0x0016)) ?? ""))
          }
          return .proceed
        }
      })?.kind == .success
    let classes = Set(found.map(\.sopClass).filter(UIDSyntax.isValid)).sorted()
    guard answered, !found.isEmpty, !refetch else {
      return RetrievalPlan(requests: [whole], storageClasses: classes, present: 0, total: found.count)
    }
    let missing = Set(try archive.missing(sopInstanceUIDs: found.map(\.instance)))
    if missing.count == found.count {
      return RetrievalPlan(requests: [whole], storageClasses: classes, present: 0, total: found.count)
    }
    var requests: [Dataset] = []
    let bySeries = Dictionary(grouping: found.filter { missing.contains($0.instance) }, by: \.series)
    for (series, items) in bySeries.sorted(by: { $0.key < $1.key }) {
      var ds = Dataset(byteOrder: .little)
      try ds.set(Tag(0x0008, 0x0052), .CS, "IMAGE")
      if let patientId { try ds.set(Tag(0x0010, 0x0020), .LO, patientId) }
      try ds.set(Tag(0x0020, 0x000D), .UI, study)
      try ds.set(Tag(0x0020, 0x000E), .UI, series)
      try ds.set(Tag(0x0008, 0x0018), .UI, items.map(\.instance))
      requests.append(ds)
    }
    return RetrievalPlan(
      requests: requests, storageClasses: classes, present: found.count - missing.count, total: found.count)
  }
}

/// The requests a retrieve will make, and what the archive already had.
struct RetrievalPlan {
  var requests: [Dataset]
  var storageClasses: [String]
  var present: Int
  var total: Int

  func announce(_ verb: String) {
    if present > 0 { StandardError.line("\(verb): \(present) of \(total) instances already in the archive") }
  }
}

extension RetrieveOutcome {
  /// Folds the outcome of the next request into this one.
  func merged(with next: RetrieveOutcome) -> RetrieveOutcome {
    var p = progress
    p.completed += next.progress.completed
    p.failed += next.progress.failed
    p.warning += next.progress.warning
    p.remaining = next.progress.remaining
    return RetrieveOutcome(status: next.status.kind == .success ? status : next.status, progress: p)
  }
}

/// Progress on stderr, one line rewritten in place on a terminal, one line per change otherwise.
struct RetrieveProgress {
  let verb: String
  let isTerminal = isatty(2) != 0

  func show(_ p: SubOperationProgress) {
    let line = "\(verb): \(p)"
    if isTerminal { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) } else { StandardError.line(line) }
  }

  func finish(_ outcome: RetrieveOutcome) {
    if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    StandardError.line("\(verb): \(outcome.progress); \(outcome.status)")
  }
}

/// A retrieval recorded in the archive's queue while it runs, so a later look shows what happened.
struct RetrievalRecord {
  let archive: LocalArchive
  let id: Int64?

  init(archive: LocalArchive, node: String, options: RetrieveOptions) {
    self.archive = archive
    id = try? archive.enqueueRetrieval(node: node, studyInstanceUID: options.study, seriesInstanceUID: options.series)
  }

  func finish(_ outcome: RetrieveOutcome?) {
    guard let id else { return }
    let p = outcome?.progress ?? SubOperationProgress()
    try? archive.updateRetrieval(
      id, state: outcome?.isCompleteSuccess == true ? .done : .failed, completed: p.completed, failed: p.failed,
      remaining: p.remaining)
  }
}

/// `biloba move`: C-MOVE to our own Storage SCP, started for the sub-operations on --listen-port.
struct MoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "move", abstract: "Retrieve a study, series or instance with C-MOVE into the local archive.",
    discussion: """
      The peer must know our AE title (--aet) with this machine's address and --listen-port. Objects are
      stored in the archive as they arrive; the exit status is non-zero when any sub-operation failed.
      """)

  @OptionGroup var peer: PeerOptions
  @OptionGroup var local: LocalOptions
  @OptionGroup var target: RetrieveOptions
  @OptionGroup var archive: ArchiveOptions

  @Option(
    name: .long, help: "Port of our Storage SCP for the sub-operations (default: network.listen_port, else 11112).")
  var listenPort: Int?

  @Option(name: .long, help: "C-MOVE destination AE title (default: our --aet).")
  var destination: String?

  @Flag(name: .long, help: "Retrieve every instance, even those already in the archive.")
  var refetch = false

  func run() async throws {
    let config = try local.loadConfig()
    let node = try peer.resolve(config)
    let entity = local.entity(config)
    let store = try archive.open()
    let logger = local.logger(label: "biloba.move")
    store.prepareForReceiving(logger: logger)
    let scp = StorageSCP(
      configuration: StorageSCPConfiguration(
        local: entity, allowedCallingAETitles: config.network?.allowed_calling_aets.map(Set.init),
        allowedHosts: config.network?.allowed_hosts.map(Set.init), abstractSyntaxes: ServiceClasses.allStorage,
        transferSyntaxes: CodecRegistry.decodableTransferSyntaxUIDs,
        bindHost: config.network?.bind ?? "0.0.0.0"),
      storage: ArchiveStorage(archive: store), logger: logger)
    let port = listenPort ?? config.network?.listen_port ?? 11112
    let bound: StorageSCP.Listener
    do { bound = try await scp.listen(port: port) } catch {
      throw CommandFailure("move: cannot listen on port \(port): \(error)")
    }
    let listener = Task { try await bound.serve() }
    defer { listener.cancel() }
    let root = target.root
    let plan = try await target.plan(node: node, entity: entity, archive: store, refetch: refetch)
    plan.announce("move")
    let record = RetrievalRecord(archive: store, node: node.aeTitle, options: target)
    let progress = RetrieveProgress(verb: "move")
    let contexts = ContextProposal.contexts([(root.move, ServiceClasses.uncompressedSyntaxes)])
    var outcome = RetrieveOutcome(status: .success, progress: SubOperationProgress())
    do {
      for identifier in plan.requests {
        let next = try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
          association in
          try await association.move(
            root: root, identifier: identifier, destination: destination ?? entity.aeTitle, onProgress: progress.show)
        }
        outcome = outcome.merged(with: next)
      }
    } catch let error as NetworkError {
      record.finish(nil)
      throw CommandFailure("move: \(error)")
    }
    // The peer answers once its sub-operations are done; let our side finish its last association.
    for _ in 0..<50 where scp.openConnections > 0 { try? await Task.sleep(for: .milliseconds(20)) }
    let unflushed = await store.flushReceived()
    progress.finish(outcome)
    if !unflushed.isEmpty {
      throw CommandFailure("move: \(unflushed.count) objects could not be stored: \(unflushed[0])")
    }
    record.finish(outcome)
    if !outcome.isCompleteSuccess { throw ExitCode.failure }
  }
}

/// `biloba get`: C-GET; the objects come back on the same association (no inbound port: works behind NAT).
struct GetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "get", abstract: "Retrieve a study, series or instance with C-GET into the local archive.",
    discussion: "Exit status is non-zero when any sub-operation failed.")

  @OptionGroup var peer: PeerOptions
  @OptionGroup var local: LocalOptions
  @OptionGroup var target: RetrieveOptions
  @OptionGroup var archive: ArchiveOptions

  @Flag(name: .long, help: "Retrieve every instance, even those already in the archive.")
  var refetch = false

  func run() async throws {
    let config = try local.loadConfig()
    let node = try peer.resolve(config)
    let entity = local.entity(config)
    let store = try archive.open()
    let logger = local.logger(label: "biloba.get")
    store.prepareForReceiving(logger: logger)
    let root = target.root
    // Which instances and storage classes are there? Then only missing instances are asked for, and each
    // class can be proposed in every syntax it may be stored in.
    let plan = try await target.plan(node: node, entity: entity, archive: store, refetch: refetch)
    plan.announce("get")
    let record = RetrievalRecord(archive: store, node: node.aeTitle, options: target)
    let progress = RetrieveProgress(verb: "get")
    let (contexts, roles) = ContextProposal.forGet(
      root: root, storageClasses: plan.storageClasses, syntaxes: CodecRegistry.decodableTransferSyntaxUIDs)
    var outcome = RetrieveOutcome(status: .success, progress: SubOperationProgress())
    do {
      for identifier in plan.requests {
        let next = try await Association.withAssociation(
          to: node, as: entity, contexts: contexts, roles: roles, logger: logger
        ) { association in
          try await association.get(
            root: root, identifier: identifier, storage: ArchiveStorage(archive: store), onProgress: progress.show)
        }
        outcome = outcome.merged(with: next)
      }
    } catch let error as NetworkError {
      record.finish(nil)
      throw CommandFailure("get: \(error)")
    }
    let unflushed = await store.flushReceived()
    progress.finish(outcome)
    if !unflushed.isEmpty {
      throw CommandFailure("get: \(unflushed.count) objects could not be stored: \(unflushed[0])")
    }
    record.finish(outcome)
    if !outcome.isCompleteSuccess { throw ExitCode.failure }
  }
}

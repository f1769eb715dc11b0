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

  /// The SOP classes of the objects to retrieve, from a C-FIND at image level; empty when the peer does
  /// not say (the proposal then covers every retrievable class).
  func storageClasses(node: RemoteNode, entity: LocalEntity) async -> [String] {
    guard var identifier = try? identifier() else { return [] }
    try? identifier.set(Tag(0x0008, 0x0052), .CS, "IMAGE")
    identifier.set(Element(tag: Tag(0x0008, 0x0016), vr: .UI, bytes: []))
    if identifier.string(Tag(0x0020, 0x000E)) == nil {
      identifier.set(Element(tag: Tag(0x0020, 0x000E), vr: .UI, bytes: []))
    }
    if identifier.string(Tag(0x0008, 0x0018)) == nil {
      identifier.set(Element(tag: Tag(0x0008, 0x0018), vr: .UI, bytes: []))
    }
    let root = self.root
    let contexts = ContextProposal.contexts([(root.find, ServiceClasses.uncompressedSyntaxes)])
    var classes: Set<String> = []
    _ = try? await Association.withAssociation(to: node, as: entity, contexts: contexts) { association in
      try await association.find(root: root, identifier: identifier) { match in
        if let c = match.string(Tag(0x0008, 0x0016)), UIDSyntax.isValid(c) { classes.insert(c) }
        return .proceed
      }
    }
    return classes.sorted()
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
    let identifier = try target.identifier()
    let root = target.root
    let record = RetrievalRecord(archive: store, node: node.aeTitle, options: target)
    let progress = RetrieveProgress(verb: "move")
    let contexts = ContextProposal.contexts([(root.move, ServiceClasses.uncompressedSyntaxes)])
    let outcome: RetrieveOutcome
    do {
      outcome = try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
        association in
        try await association.move(
          root: root, identifier: identifier, destination: destination ?? entity.aeTitle, onProgress: progress.show)
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

  func run() async throws {
    let config = try local.loadConfig()
    let node = try peer.resolve(config)
    let entity = local.entity(config)
    let store = try archive.open()
    let logger = local.logger(label: "biloba.get")
    store.prepareForReceiving(logger: logger)
    let identifier = try target.identifier()
    let root = target.root
    let record = RetrievalRecord(archive: store, node: node.aeTitle, options: target)
    let progress = RetrieveProgress(verb: "get")
    // Which storage classes are there? Then each can be proposed in every syntax it may be stored in.
    let classes = await target.storageClasses(node: node, entity: entity)
    let (contexts, roles) = ContextProposal.forGet(
      root: root, storageClasses: classes, syntaxes: CodecRegistry.decodableTransferSyntaxUIDs)
    let outcome: RetrieveOutcome
    do {
      outcome = try await Association.withAssociation(
        to: node, as: entity, contexts: contexts, roles: roles, logger: logger
      ) { association in
        try await association.get(
          root: root, identifier: identifier, storage: ArchiveStorage(archive: store), onProgress: progress.show)
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

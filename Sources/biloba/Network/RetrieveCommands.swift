import Archive
import ArgumentParser
import Audit
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

  var target: RetrieveTarget {
    RetrieveTarget(study: study, series: series, instance: instance, patientId: patientId, root: root)
  }
}

/// What to retrieve, at the level of the deepest UID given.
struct RetrieveTarget: Sendable {
  var study: String
  var series: String?
  var instance: String?
  var patientId: String?
  var root: ServiceClasses.Root = .study
  /// Ask for the study's first image on its own before the rest, so a reader sees it at once (the
  /// workstation opens a study while it arrives).
  var firstImageFirst = false

  func identifier() throws -> Dataset {
    let level: ServiceClasses.Level = instance != nil ? .image : series != nil ? .series : .study
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, level.rawValue)
    if let patientId { try ds.set(Tag.patientID, .LO, patientId) }
    try ds.set(.studyInstanceUID, .UI, study)
    if let series { try ds.set(Tag.seriesInstanceUID, .UI, series) }
    if let instance { try ds.set(Tag.sopInstanceUID, .UI, instance) }
    return ds
  }

  /// What to ask for: a C-FIND at image level lists the instances and their SOP classes; those already
  /// in the archive are left out (an interrupted retrieve resumes with the missing ones), asked for
  /// series by series with UID lists. When the peer does not answer the C-FIND, the whole target is
  /// asked for and the proposal covers every retrievable class.
  func plan(node: RemoteNode, entity: LocalEntity, archive: LocalArchive, refetch: Bool) async throws -> RetrievalPlan {
    let whole = try identifier()
    var query = whole
    try query.set(Tag.queryRetrieveLevel, .CS, "IMAGE")
    for tag in [Tag.sopClassUID, Tag.seriesInstanceUID, Tag.sopInstanceUID] where query.string(tag) == nil {
      query.set(Element(tag: tag, vr: .UI, bytes: []))
    }
    if firstImageFirst {
      for tag in [Tag.seriesNumber, Tag.instanceNumber] { query.set(Element(tag: tag, vr: .IS, bytes: [])) }
    }
    let root = self.root
    let contexts = ContextProposal.contexts([(root.find, ServiceClasses.uncompressedSyntaxes)])
    var found: [(series: String, instance: String, sopClass: String, order: (Int, Int))] = []
    let answered =
      (try? await Association.withAssociation(to: node, as: entity, contexts: contexts) { association in
        try await association.find(root: root, identifier: query) { match in
          if let series = match.string(Tag.seriesInstanceUID), let instance = match.string(Tag.sopInstanceUID),
            UIDSyntax.isValid(series), UIDSyntax.isValid(instance)
          {
            // Series number, then instance number: the reading order (unknown ones last).
            let order = (match.int(Tag.seriesNumber) ?? Int.max, match.int(Tag.instanceNumber) ?? Int.max)
            found.append((series, instance, match.string(Tag.sopClassUID) ?? "", order))
          }
          return .proceed
        }
      })?.kind == .success
    let classes = Set(found.map(\.sopClass).filter(UIDSyntax.isValid)).sorted()
    guard answered, !found.isEmpty, !refetch else {
      return RetrievalPlan(requests: [whole], storageClasses: classes, present: 0, total: found.count)
    }
    let missingUIDs = Set(try archive.missing(sopInstanceUIDs: found.map(\.instance)))
    if missingUIDs.count == found.count && !firstImageFirst {
      return RetrievalPlan(requests: [whole], storageClasses: classes, present: 0, total: found.count)
    }
    var missing = found.filter { missingUIDs.contains($0.instance) }
    var requests: [Dataset] = []
    if firstImageFirst,
      let first = missing.min(by: { ($0.order.0, $0.order.1, $0.series) < ($1.order.0, $1.order.1, $1.series) })
    {
      requests.append(try imageRequest(series: first.series, instances: [first.instance]))
      missing.removeAll { $0.instance == first.instance }
    }
    for (series, items) in Dictionary(grouping: missing, by: \.series).sorted(by: { $0.key < $1.key }) {
      requests.append(try imageRequest(series: series, instances: items.map(\.instance)))
    }
    return RetrievalPlan(
      requests: requests, storageClasses: classes, present: found.count - missingUIDs.count, total: found.count)
  }

  /// An image-level request for some instances of one series of the target's study.
  func imageRequest(series: String, instances: [String]) throws -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, "IMAGE")
    if let patientId { try ds.set(Tag.patientID, .LO, patientId) }
    try ds.set(.studyInstanceUID, .UI, study)
    try ds.set(Tag.seriesInstanceUID, .UI, series)
    try ds.set(Tag.sopInstanceUID, .UI, instances)
    return ds
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
    if isTerminal { StandardError.rewrite(line) } else { StandardError.line(line) }
  }

  func finish(_ outcome: RetrieveOutcome) {
    if isTerminal { StandardError.clearLine() }
    StandardError.line("\(verb): \(outcome.progress); \(outcome.status)")
  }
}

/// A retrieval recorded in the archive's queue while it runs, so a later look shows what happened.
struct RetrievalRecord {
  let archive: LocalArchive
  let id: Int64?

  init(archive: LocalArchive, node: String, target: RetrieveTarget) {
    self.archive = archive
    id = try? archive.enqueueRetrieval(node: node, studyInstanceUID: target.study, seriesInstanceUID: target.series)
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
      The peer must know our AE title (--aet) with this machine's address and --listen-port. Objects are \
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

  func validate() throws {
    if let listenPort { try CheckedNumber.count(listenPort, option: "--listen-port", range: 1...65535) }
    if let destination { try validateAETitle(destination, option: "--destination") }
  }

  func run() async throws {
    let config = try local.loadConfig()
    let (node, store) = (try peer.resolve(config), try archive.open())
    let retriever = Retriever(
      node: node, entity: local.entity(config), archive: store, config: config,
      logger: local.logger(label: "biloba.move"))
    let progress = RetrieveProgress(verb: "move")
    // Sub-operations of a TLS move come back over TLS.
    let method = Retriever.Method.move(
      listenPort: listenPort ?? config.listenPort, destination: destination,
      tls: try peer.tls.server(config: config, alsoWhen: node.tls != nil))
    let outcome: RetrieveOutcome
    do {
      outcome = try await retriever.run(
        target.target, method: method, refetch: refetch, announce: true, onProgress: progress.show)
    } catch let failure as Retriever.Failure {
      auditRetrieve("move", node: node, study: target.study, outcome: nil, config: config, archive: store)
      throw CommandFailure("move: \(failure)")
    }
    auditRetrieve("move", node: node, study: target.study, outcome: outcome, config: config, archive: store)
    progress.finish(outcome)
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
    let (node, store) = (try peer.resolve(config), try archive.open())
    let retriever = Retriever(
      node: node, entity: local.entity(config), archive: store, config: config,
      logger: local.logger(label: "biloba.get"))
    let progress = RetrieveProgress(verb: "get")
    let outcome: RetrieveOutcome
    do {
      outcome = try await retriever.run(
        target.target, method: .get, refetch: refetch, announce: true, onProgress: progress.show)
    } catch let failure as Retriever.Failure {
      auditRetrieve("get", node: node, study: target.study, outcome: nil, config: config, archive: store)
      throw CommandFailure("get: \(failure)")
    }
    auditRetrieve("get", node: node, study: target.study, outcome: outcome, config: config, archive: store)
    progress.finish(outcome)
    if !outcome.isCompleteSuccess { throw ExitCode.failure }
  }
}

/// The audit record of a command-line retrieve: the study asked for, from which node, how it ended.
func auditRetrieve(
  _ verb: String, node: RemoteNode, study: String, outcome: RetrieveOutcome?, config: BilobaConfig,
  archive: LocalArchive
) {
  let result: AuditEvent.Outcome =
    outcome.map { $0.isCompleteSuccess ? .success : .minorFailure } ?? .seriousFailure
  AuditTrail.record(
    AuditEvent(
      action: .retrieve, outcome: result, source: verb, peer: .init(aeTitle: node.aeTitle, address: node.host),
      studies: [study], objects: outcome?.progress.completed),
    in: AuditTrail.log(config, archiveRoot: archive.store.root))
}

import Archive
import ArgumentParser
import Audit
import DICOM
import DICOMImaging
import DICOMNetwork
import Foundation
import Logging
import Retrieval

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
    if config.isDICOMweb(peer.node) {
      throw CommandFailure("move: DICOMweb has no move; retrieve with biloba get --node \(peer.node ?? "")")
    }
    let (node, store) = (try peer.resolve(config), try archive.open())
    // Sub-operations of a TLS move come back over TLS.
    let method = config.moveMethod(
      port: listenPort ?? config.listenPort, destination: destination,
      tls: try peer.tls.server(config: config, alsoWhen: node.tls != nil))
    let logger = local.logger(label: "biloba.move")
    let remote = config.dimseArchive(node, entity: local.entity(config), method: method, logger: logger)
    try await runRetrieve(
      "move", target.target, from: remote, into: store, refetch: refetch, config: config, logger: logger)
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
    let store = try archive.open()
    let logger = local.logger(label: "biloba.get")
    let remote = try peer.remote(config, entity: local.entity(config), logger: logger)
    try await runRetrieve(
      "get", target.target, from: remote, into: store, refetch: refetch, config: config, logger: logger)
  }
}

/// A command-line retrieve: what was already here, progress on stderr, the audit record, the exit status.
func runRetrieve(
  _ verb: String, _ target: RetrieveTarget, from remote: any RemoteArchive, into archive: LocalArchive, refetch: Bool,
  config: BilobaConfig, logger: Logger
) async throws {
  let progress = RetrieveProgress(verb: verb)
  let outcome: RetrieveOutcome
  do {
    outcome = try await config.retriever(remote, archive: archive, logger: logger).run(
      target, refetch: refetch, onPlan: { plan in plan.announcement(verb).map(StandardError.line) },
      onProgress: progress.show)
  } catch let failure as Retriever.Failure {
    auditRetrieve(verb, remote: remote, study: target.study, outcome: nil, config: config, archive: archive)
    throw CommandFailure("\(verb): \(failure)")
  }
  auditRetrieve(verb, remote: remote, study: target.study, outcome: outcome, config: config, archive: archive)
  progress.finish(outcome)
  if !outcome.isCompleteSuccess { throw ExitCode.failure }
}

/// The audit record of a command-line retrieve: the study asked for, from which node, how it ended.
func auditRetrieve(
  _ verb: String, remote: any RemoteArchive, study: String, outcome: RetrieveOutcome?, config: BilobaConfig,
  archive: LocalArchive
) {
  let result: AuditEvent.Outcome =
    outcome.map { $0.isCompleteSuccess ? .success : .minorFailure } ?? .seriousFailure
  AuditTrail.record(
    AuditEvent(
      action: .retrieve, outcome: result, source: verb, peer: .init(aeTitle: remote.name, address: remote.address),
      studies: [study], objects: outcome?.progress.completed),
    in: AuditTrail.log(config, archiveRoot: archive.store.root))
}

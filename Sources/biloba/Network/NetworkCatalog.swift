import Archive
import DICOM
import DICOMNetwork
import Logging
import Workstation

/// The workstation's remote study lists and retrievals, over the network module: C-FIND at study level
/// for the list, the same `Retriever` as `biloba move` and `biloba get` for retrieval (per node, C-GET
/// unless the node's `retrieve = "move"`).
struct NetworkCatalog: RemoteCatalog {
  let config: BilobaConfig
  let entity: LocalEntity
  let archive: LocalArchive
  let logger: Logger

  var nodes: [String] { (config.nodes ?? [:]).keys.sorted() }

  func node(_ name: String) throws -> (RemoteNode, BilobaConfig.Node) {
    guard let n = config.nodes?[name] else { throw Retriever.Failure(description: "no node named \(name)") }
    return (config.remoteNode(n), n)
  }

  func studies(node name: String, query: StudyQuery) async throws -> [StudyQuery.Study] {
    let (node, _) = try node(name)
    var keys: [String] = []
    if let v = query.patientName { keys.append("PatientName=\(v)") }
    if let v = query.patientID { keys.append("PatientID=\(v)") }
    if let v = query.studyDate { keys.append("StudyDate=\(v)") }
    if let v = query.modality { keys.append("ModalitiesInStudy=\(v)") }
    if let v = query.accessionNumber { keys.append("AccessionNumber=\(v)") }
    if let v = query.studyDescription { keys.append("StudyDescription=\(v)") }
    keys += ["NumberOfStudyRelatedInstances", "NumberOfStudyRelatedSeries"]
    var found: [StudyQuery.Study] = []
    try await find(on: node, level: .study, keys: keys) { match in
      let text = Self.text(of: match)
      guard UIDSyntax.isValid(text(0x0020, 0x000D)) else { return true }
      found.append(
        StudyQuery.Study(
          studyInstanceUID: text(0x0020, 0x000D), patientName: text(0x0010, 0x0010), patientID: text(0x0010, 0x0020),
          studyDate: text(0x0008, 0x0020), studyTime: text(0x0008, 0x0030), accessionNumber: text(0x0008, 0x0050),
          description: text(0x0008, 0x1030),
          modalities: (match.strings(Tag.modalitiesInStudy) ?? []).joined(separator: "\\"),
          seriesCount: match.int(Tag.numberOfStudyRelatedSeries) ?? 0,
          instanceCount: match.int(Tag.numberOfStudyRelatedInstances) ?? 0))
      return found.count < 5000
    }
    return found.sorted { ($0.studyDate, $0.studyTime) > ($1.studyDate, $1.studyTime) }
  }

  func series(node name: String, studyInstanceUID: String) async throws -> [LocalArchive.SeriesSummary] {
    let (node, _) = try node(name)
    let keys = [
      "StudyInstanceUID=\(studyInstanceUID)", "SeriesInstanceUID", "SeriesNumber", "Modality", "SeriesDescription",
      "NumberOfSeriesRelatedInstances",
    ]
    var found: [LocalArchive.SeriesSummary] = []
    try await find(on: node, level: .series, keys: keys) { match in
      let text = Self.text(of: match)
      guard UIDSyntax.isValid(text(0x0020, 0x000E)) else { return true }
      found.append(
        LocalArchive.SeriesSummary(
          seriesInstanceUID: text(0x0020, 0x000E), seriesNumber: match.int(Tag.seriesNumber),
          modality: text(0x0008, 0x0060), description: text(0x0008, 0x103E),
          instanceCount: match.int(Tag.numberOfSeriesRelatedInstances) ?? 0))
      return found.count < 5000
    }
    return found
  }

  /// A match's string values without control characters ("" when absent): what reaches the screen.
  static func text(of match: Dataset) -> (UInt16, UInt16) -> String {
    { g, e in match.string(Tag(g, e))?.strippingControlCharacters ?? "" }
  }

  /// A Study Root C-FIND on one association; `match` returns false to stop (C-CANCEL).
  private func find(
    on node: RemoteNode, level: ServiceClasses.Level, keys: [String], match: @escaping (Dataset) -> Bool
  ) async throws {
    let identifier = try QueryKeys.identifier(level: level, keys: keys)
    let contexts = ContextProposal.contexts([(ServiceClasses.Root.study.find, ServiceClasses.uncompressedSyntaxes)])
    _ = try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) { association in
      try await association.find(root: .study, identifier: identifier) { match($0) ? .proceed : .cancel }
    }
  }

  func send(node name: String, files: [String]) async throws -> (JobProgress, problems: [String]) {
    let (node, _) = try node(name)
    var objects: [StorableObject] = []
    for path in files { objects.append(try StorableObject.load(path: path, headerOnly: true)) }
    let share = await SendCommand.send(
      files, to: node, as: entity, contexts: StorableObject.proposal(for: objects), logger: logger)
    if let error = share.error { throw error }
    return (JobProgress(completed: share.sent, failed: share.failed, remaining: 0, finished: true), share.problems)
  }

  func retrieve(
    node name: String, studyInstanceUID: String, seriesInstanceUID: String?,
    progress: @escaping @Sendable (JobProgress) -> Void
  ) async throws -> JobProgress {
    let (node, settings) = try node(name)
    let retriever = Retriever(node: node, entity: entity, archive: archive, config: config, logger: logger)
    let method: Retriever.Method =
      settings.retrieve == "move"
      ? .move(
        listenPort: config.listenPort, destination: nil,
        tls: try TLSRequest().server(config: config, alsoWhen: node.tls != nil))
      : .get
    var target = RetrieveTarget(study: studyInstanceUID, series: seriesInstanceUID)
    target.firstImageFirst = true
    let outcome = try await retriever.run(
      target, method: method, refetch: false, announce: false
    ) { p in
      progress(JobProgress(completed: p.completed, failed: p.failed, remaining: p.remaining))
    }
    return JobProgress(
      completed: outcome.progress.completed, failed: outcome.progress.failed, remaining: 0, finished: true,
      error: outcome.status.kind == .failure ? "\(outcome.status)" : nil)
  }
}

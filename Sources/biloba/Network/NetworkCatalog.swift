import Archive
import DICOMImaging
import DICOMNetwork
import Logging
import Retrieval
import Workstation

/// The workstation's remote study lists, retrievals and sends: each configured node as a
/// `RemoteArchive` (whatever protocol it speaks), through the same `Retriever` as `biloba get`.
struct NetworkCatalog: RemoteCatalog {
  let config: BilobaConfig
  let entity: LocalEntity
  let archive: LocalArchive
  let logger: Logger

  var nodes: [String] { (config.nodes ?? [:]).keys.sorted() }

  /// The node named `name` as a remote archive: C-GET unless its `retrieve = "move"`.
  func remote(_ name: String) throws -> any RemoteArchive {
    guard let settings = config.nodes?[name] else {
      throw Retriever.Failure(description: "no node named \(name.strippingControlCharacters)")
    }
    if settings.url != nil { return try config.dicomwebArchive(name: name, node: settings, logger: logger) }
    let node = config.remoteNode(settings)
    let method: DIMSEArchive.Method =
      settings.retrieve == "move"
      ? config.moveMethod(
        port: config.listenPort, destination: nil,
        tls: try TLSRequest().server(config: config, alsoWhen: node.tls != nil))
      : .get
    return config.dimseArchive(
      node, entity: entity, method: method, compress: config.compresses(name), logger: logger)
  }

  func studies(node name: String, query: StudyQuery) async throws -> [StudyQuery.Study] {
    try await remote(name).studies(matching: query)
  }

  func series(node name: String, studyInstanceUID: String) async throws -> [LocalArchive.SeriesSummary] {
    try await remote(name).series(ofStudy: studyInstanceUID)
  }

  func send(node name: String, files: [String]) async throws -> (JobProgress, problems: [String]) {
    let outcome = try await remote(name).send(files, parallel: 1)
    if let error = outcome.error { throw Retriever.Failure(description: error) }
    return (
      JobProgress(completed: outcome.sent, failed: outcome.failed, remaining: 0, finished: true), outcome.problems
    )
  }

  func retrieve(
    node name: String, studyInstanceUID: String, seriesInstanceUID: String?,
    readingAt: @escaping @Sendable () -> ReadingPosition?,
    planned: @escaping @Sendable ([String: [PendingInstance]]) -> Void,
    progress: @escaping @Sendable (JobProgress) -> Void
  ) async throws -> JobProgress {
    var target = RetrieveTarget(study: studyInstanceUID, series: seriesInstanceUID)
    target.firstImageFirst = true
    // One instance at a time, around the slice on screen once the reader has one.
    let focus: @Sendable () -> ReadingFocus? = {
      readingAt().map {
        ReadingFocus(series: $0.seriesInstanceUID, instanceNumber: $0.instanceNumber, direction: $0.direction)
      }
    }
    // Progress is said once what it counts is indexed, so the reader it calls finds the slices that came
    // (the archive indexes received objects in batches, behind their C-STORE answers); the newest count
    // wins while an index commit runs.
    let (counts, counted) = AsyncStream.makeStream(of: JobProgress.self, bufferingPolicy: .bufferingNewest(1))
    let relay = Task { [archive] in
      for await p in counts {
        _ = await archive.flushReceived()
        progress(p)
      }
    }
    defer { relay.cancel() }
    let outcome = try await config.retriever(try remote(name), archive: archive, logger: logger).run(
      target, refetch: false, focus: focus,
      onPlan: { plan in
        planned(
          Dictionary(grouping: plan.pending, by: \.series).mapValues { items in
            items.map {
              PendingInstance(
                sopInstanceUID: $0.instance, sopClassUID: $0.sopClass, instanceNumber: $0.instanceNumber,
                orientation: $0.place?.orientation, position: $0.place?.position, columns: $0.columns, rows: $0.rows)
            }
          })
      }
    ) { p in
      counted.yield(JobProgress(completed: p.completed, failed: p.failed, remaining: p.remaining))
    }
    counted.finish()
    await relay.value
    return JobProgress(
      completed: outcome.progress.completed, failed: outcome.progress.failed, remaining: 0, finished: true,
      error: outcome.status.kind == .failure ? "\(outcome.status)" : nil)
  }

  func preview(
    node name: String, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, width: Int,
    height: Int, window: Window?
  ) async throws -> [UInt8]? {
    guard let web = try remote(name) as? DICOMwebArchive else { return nil }
    return try await web.rendered(
      study: studyInstanceUID, series: seriesInstanceUID, instance: sopInstanceUID, width: width, height: height,
      window: window.map { ($0.center, $0.width) })
  }
}

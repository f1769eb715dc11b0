import Archive
import DICOM
import DICOMNetwork
import Foundation
import Logging
import Retrieval
import SyntheticData
import Synchronization
import TerminalGraphics
import Workstation

/// Issue 16's figures: a prior opened beside the study read when it is local (the key to both panes'
/// sixel bytes, 512x512 CT), and the patient history of a patient with 50 studies across two nodes
/// (two Orthancs on loopback, 25 studies each), from the series opening to the last answer merged,
/// through the workstation's own runtime.
enum ReadingBenchmark {
  static func run(repeats: Int, directory: String) throws -> [Figure] {
    var figures = try priorBeside(repeats: max(15, repeats), directory: directory + "-prior")
    figures += try history(repeats: max(5, repeats), directory: directory + "-history")
    return figures
  }

  static let keymap = try! Keymap(toml: "[viewer]\n\"o\" = \"open_prior\"\n", file: "benchmark")

  /// Applies messages (and the effects they ask for) until nothing is left; background effects are run
  /// and their answers posted to `inbox`.
  /// Answers of background effects, as they come.
  final class Inbox: Sendable {
    let box = Mutex<[Msg]>([])
    func take() -> [Msg] {
      box.withLock { msgs in
        defer { msgs = [] }
        return msgs
      }
    }
  }

  static func apply(_ msgs: [Msg], to model: inout Model, runtime: Runtime, inbox: Inbox? = nil) {
    var queue = msgs
    while !queue.isEmpty {
      for effect in update(&model, queue.removeFirst(), keymap: keymap) {
        if Runtime.runsInBackground(effect) {
          runtime.performInBackground(effect) { msg in inbox?.box.withLock { $0.append(msg) } }
        } else {
          queue += runtime.perform(effect, model: model)
        }
      }
    }
  }

  /// Two 60-slice 512x512 CT studies of one patient a year apart, the current one open and drawn: the
  /// time from `o` to both panes' sixel bytes (the prior's slice decoded for the first time).
  static func priorBeside(repeats: Int, directory: String) throws -> [Figure] {
    try? FileManager.default.removeItem(atPath: directory)
    let folder = directory + "/in"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (number, date) in [(1601, "20260115"), (1602, "20250110")] {
      var subject = SyntheticData.Subject()
      subject.studyNumber = number
      subject.studyDate = date
      for i in 0..<60 {
        let ds = try SyntheticData.ctSlice(index: i, of: 60, rows: 512, columns: 512, subject: subject)
        try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: folder + "/\(number)-\(i).dcm")
      }
    }
    let archive = try LocalArchive(root: directory + "/archive")
    _ = try Importer(archive: archive).run([folder])
    let pane = GraphicsLayout(columns: 80, rows: 36, cell: .init(width: 10, height: 20))
    let encoder = TerminalImageEncoder(protocol: .sixel)
    func sixel(_ runtime: Runtime, _ viewer: Viewer) -> Int {
      guard
        case .success(let (raster, _)) = runtime.render(
          viewer, box: pane.capacity(protocol: .sixel),
          fit: { pane.rasterSize(imageWidth: $0, imageHeight: $1, protocol: .sixel) })
      else { return 0 }
      return encoder.encode(raster, layout: pane).count
    }
    var samples: [Double] = []
    var bytes = 0
    let clock = ContinuousClock()
    for _ in 0..<repeats {
      // A fresh workstation each time: the prior has never been decoded, the slice read has.
      let runtime = Runtime(archive: archive)
      var model = Model()
      model.size = (160, 40)
      apply([Msg.studiesLoaded(try StudyQuery().run(on: archive))], to: &model, runtime: runtime)
      model.studyIndex = model.studies.firstIndex { $0.studyInstanceUID == SyntheticData.uid(1601) } ?? 0
      apply(
        runtime.perform(.loadSeries(studyInstanceUID: SyntheticData.uid(1601)), model: model), to: &model,
        runtime: runtime)
      guard let series = model.series.first else { throw BenchmarkError.peerFailed("no series") }
      apply(
        runtime.perform(
          .openSeries(studyInstanceUID: SyntheticData.uid(1601), seriesInstanceUID: series.seriesInstanceUID),
          model: model), to: &model, runtime: runtime)
      model.viewer?.index = 30
      bytes += sixel(runtime, model.panes[0])
      guard case .success(let (_, info)) = runtime.render(model.panes[0], box: (800, 720), fit: { ($0, $1) }) else {
        throw BenchmarkError.peerFailed("the current slice did not render")
      }
      apply([Msg.sliceRendered(info)], to: &model, runtime: runtime)
      guard model.history.count == 2 else { throw BenchmarkError.peerFailed("history of \(model.history.count)") }
      let start = clock.now
      apply([Msg.key("o")], to: &model, runtime: runtime)
      guard model.panes.count == 2 else { throw BenchmarkError.peerFailed("the prior did not open: \(model.status)") }
      bytes += sixel(runtime, model.panes[0]) + sixel(runtime, model.panes[1])
      samples.append((clock.now - start).seconds * 1e3)
    }
    samples.sort()
    if bytes == 0 { print("(no bytes)") }
    return [
      Figure(
        name: "prior beside the study read, key to both panes' sixel bytes, 512x512 CT (median)",
        ours: samples[samples.count / 2], peer: nil, peerName: "", unit: "ms")
    ]
  }

  /// The nodes as the workstation's runtime sees them: C-FIND on each Orthanc by patient.
  final class Nodes: RemoteCatalog, Sendable {
    let archives: [String: DIMSEArchive]
    init(_ archives: [String: DIMSEArchive]) { self.archives = archives }
    var nodes: [String] { archives.keys.sorted() }
    func studies(node: String, query: StudyQuery) async throws -> [StudyQuery.Study] {
      guard let archive = archives[node] else { return [] }
      return try await archive.studies(matching: query)
    }
    func series(node: String, studyInstanceUID: String) async throws -> [LocalArchive.SeriesSummary] { [] }
    func retrieve(
      node: String, studyInstanceUID: String, seriesInstanceUID: String?,
      readingAt: @escaping @Sendable () -> ReadingPosition?,
      planned: @escaping @Sendable ([String: [PendingInstance]]) -> Void,
      progress: @escaping @Sendable (JobProgress) -> Void
    ) async throws -> JobProgress { JobProgress(finished: true) }
    func send(node: String, files: [String]) async throws -> (JobProgress, problems: [String]) {
      (JobProgress(finished: true), [])
    }
  }

  /// 50 studies of one patient on two Orthancs (25 each), the study read here: the time from its series
  /// opening to the history listing all 51.
  static func history(repeats: Int, directory: String) throws -> [Figure] {
    for tool in ["Orthanc", "storescu", "echoscu"]
    where (try? GraphicsBenchmark.runProcess(["which", tool])) == nil {
      print("reading: \(tool) missing (apt-get install orthanc dcmtk); patient history skipped")
      return []
    }
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let base = Int.random(in: 20000...50000)
    var servers: [NetworkBenchmark.Server] = []
    defer { for server in servers { server.stop() } }
    var archives: [String: DIMSEArchive] = [:]
    func subject(_ n: Int) -> SyntheticData.Subject {
      var s = SyntheticData.Subject()
      s.patientID = "HISTORY-1"
      s.studyNumber = 1700 + n
      s.studyDate = String(format: "20%02d%02d%02d", 10 + n % 15, n % 12 + 1, n % 28 + 1)
      return s
    }
    for k in 0..<2 {
      let (http, dicom) = (base + 10 * k, base + 10 * k + 1)
      let home = directory + "/orthanc\(k)"
      try FileManager.default.createDirectory(atPath: home + "/in", withIntermediateDirectories: true)
      try """
      { "Name": "history\(k)", "StorageDirectory": "\(home)/storage", "IndexDirectory": "\(home)/index",
        "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC\(k)", "RemoteAccessAllowed": false,
        "AuthenticationEnabled": false, "Plugins": [],
        "DicomModalities": { "biloba": ["BILOBA", "127.0.0.1", \(dicom + 5)] } }
      """.write(toFile: home + "/orthanc.json", atomically: true, encoding: .utf8)
      servers.append(try NetworkBenchmark.start(["Orthanc", home + "/orthanc.json"]))
      try NetworkBenchmark.waitForEcho(aet: "ORTHANC\(k)", port: dicom)
      var files: [String] = []
      for n in (25 * k)..<(25 * k + 25) {
        let ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 16, columns: 16, subject: subject(n))
        let path = home + "/in/\(n).dcm"
        try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
        files.append(path)
      }
      _ = try GraphicsBenchmark.runProcess(["storescu", "-aec", "ORTHANC\(k)", "127.0.0.1", String(dicom)] + files)
      archives["NODE\(k)"] = DIMSEArchive(
        node: RemoteNode(host: "127.0.0.1", port: dicom, aeTitle: "ORTHANC\(k)"),
        entity: LocalEntity(aeTitle: "BILOBA"),
        acceptedSyntaxes: ServiceClasses.uncompressedSyntaxes, logger: Logger(label: "benchmark"))
    }
    // The study read, here.
    let local = try LocalArchive(root: directory + "/archive")
    let current = directory + "/current.dcm"
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 0, of: 1, rows: 16, columns: 16, subject: subject(50)),
      transferSyntax: .explicitVRLittleEndian
    ).write(to: current)
    _ = try Importer(archive: local).run([current])
    let nodes = Nodes(archives)
    var samples: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<repeats {
      let runtime = Runtime(archive: local, remote: nodes)
      var model = Model()
      model.size = (160, 40)
      model.sources = ["Local"] + nodes.nodes
      model.studies = try StudyQuery().run(on: local)
      model.series = try local.series(studyInstanceUID: SyntheticData.uid(1750))
      guard let series = model.series.first else { throw BenchmarkError.peerFailed("no series here") }
      let inbox = Inbox()
      let start = clock.now
      apply(
        runtime.perform(
          .openSeries(studyInstanceUID: SyntheticData.uid(1750), seriesInstanceUID: series.seriesInstanceUID),
          model: model), to: &model, runtime: runtime, inbox: inbox)
      let deadline = clock.now + .seconds(10)
      while model.history.count < 51 && clock.now < deadline {
        let arrived = inbox.take()
        if arrived.isEmpty { usleep(200) } else { apply(arrived, to: &model, runtime: runtime) }
      }
      guard model.history.count == 51 else {
        throw BenchmarkError.peerFailed("the history listed \(model.history.count) of 51: \(model.status)")
      }
      samples.append((clock.now - start).seconds * 1e3)
    }
    samples.sort()
    return [
      Figure(
        name: "patient history, 50 studies on two nodes + 1 here, listed (median)", ours: samples[samples.count / 2],
        peer: nil, peerName: "", unit: "ms")
    ]
  }
}

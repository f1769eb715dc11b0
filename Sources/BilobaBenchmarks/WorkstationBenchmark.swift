import Archive
import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TerminalGraphics
import Workstation

/// Issue 7's figures: a key press to the next slice's bytes (the whole path: update, decode, window,
/// resample, sixel), the first paint of a study list over 10,000 studies, and resident memory while
/// scrolling a 1,000-slice series.
enum WorkstationBenchmark {
  static func run(paths: [String], directory: String) throws -> [Figure] {
    var figures: [Figure] = []
    let keymap = try Keymap(
      toml: "[viewer]\n\"Down\" = \"next_slice\"\n\"Right\" = \"wider\"\n", file: "benchmark")
    let layout = GraphicsLayout(columns: 100, rows: 34, cell: .init(width: 10, height: 20))
    let encoder = TerminalImageEncoder(protocol: .sixel)

    // Key to bytes over a 300-slice scroll of 512x512 CT, from the archive.
    let series = try makeSeries(in: directory + "-ws300", count: 300, size: 512, study: 300)
    let archive300 = try LocalArchive(root: directory + "-ws300-archive")
    _ = try Importer(archive: archive300, link: true).run([series])
    var model = Model()
    model.size = (100, 40)
    let runtime = Runtime(archive: archive300)
    for effect in [Effect.loadStudies(StudyQuery())] {
      for m in runtime.perform(effect, model: model) { _ = update(&model, m, keymap: keymap) }
    }
    guard let study = model.studies.first else { return figures }
    for m in runtime.perform(.loadSeries(studyInstanceUID: study.studyInstanceUID), model: model) {
      _ = update(&model, m, keymap: keymap)
    }
    guard let firstSeries = model.series.first else { return figures }
    for m in runtime.perform(
      .openSeries(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: firstSeries.seriesInstanceUID),
      model: model)
    {
      _ = update(&model, m, keymap: keymap)
    }
    /// The viewer's slice rendered and encoded as the view would: the bytes' count, nil on failure.
    let defaultRuntime = runtime
    func sixelBytes(_ viewer: Viewer?, runtime: Runtime? = nil) -> Int? {
      guard let viewer,
        case .success(let (raster, _)) = (runtime ?? defaultRuntime).render(
          viewer, box: layout.capacity(protocol: .sixel),
          fit: { layout.rasterSize(imageWidth: $0, imageHeight: $1, protocol: .sixel) })
      else { return nil }
      return encoder.encode(raster, layout: layout).count
    }
    var bytes = 0
    let clock = ContinuousClock()
    /// Milliseconds from `key` to the slice's bytes, `times` times over, sorted.
    func keyToBytes(_ key: String, times: Int) -> [Double] {
      var samples: [Double] = []
      for _ in 0..<times {
        let start = clock.now
        let shown = model.viewer?.picture
        _ = update(&model, .key(key), keymap: keymap)
        guard model.viewer?.picture != shown, let sent = sixelBytes(model.viewer) else { break }
        bytes += sent
        samples.append((clock.now - start).seconds * 1e3)
      }
      return samples.sorted()
    }
    let samples = keyToBytes("Down", times: 299)
    figures.append(
      Figure(
        name: "key to next slice's sixel bytes, 300-slice scroll (median)", ours: samples[samples.count / 2], peer: nil,
        peerName: "", unit: "ms"))
    figures.append(
      Figure(
        name: "  same, 95th percentile", ours: samples[samples.count * 95 / 100], peer: nil, peerName: "", unit: "ms"))

    // A window change on the slice shown: drawn again from the decoded slice kept in memory.
    let windowing = keyToBytes("Right", times: 100)
    figures.append(
      Figure(
        name: "key to the re-windowed slice's sixel bytes (median)", ours: windowing[windowing.count / 2], peer: nil,
        peerName: "", unit: "ms"))
    // The same on a JPEG 2000 slice (GDCM's gdcmconv makes it): the kept decode against decoding again.
    let j2k = directory + "-ws-j2k.dcm"
    if (try? GraphicsBenchmark.runProcess(["gdcmconv", "--j2k", paths[0], j2k])) != nil,
      var viewer = model.viewer
    {
      viewer.paths = [j2k]
      viewer.index = 0
      func timeWindowing(_ runtimeFor: () -> Runtime) -> Double {
        var times: [Double] = []
        for i in 0..<20 {
          viewer.window = Window(center: 40, width: Double(400 + i))
          let start = clock.now
          bytes += sixelBytes(viewer, runtime: runtimeFor()) ?? 0
          times.append((clock.now - start).seconds * 1e3)
        }
        return times.sorted()[times.count / 2]
      }
      let kept = timeWindowing { runtime }
      let again = timeWindowing { Runtime(archive: archive300) }
      figures.append(
        Figure(
          name: "  same, JPEG 2000 slice (peer: decoding again)", ours: kept, peer: again, peerName: "no cache",
          unit: "ms"))
    }

    // First paint over 10,000 studies: query, model, the screen's text.
    let archive10k = try studyIndex(root: directory + "-ws10k", studies: 10_000, template: paths[0])
    var paints: [Double] = []
    for _ in 0..<5 {
      let start = clock.now
      var m = Model()
      m.size = (100, 40)
      for msg in Runtime(archive: archive10k).perform(.loadStudies(StudyQuery()), model: m) {
        _ = update(&m, msg, keymap: keymap)
      }
      precondition(m.studies.count == 10_000)
      _ = ScreenText.lines(m, keymap: keymap)
      paints.append((clock.now - start).seconds * 1e3)
    }
    paints.sort()
    figures.append(
      Figure(
        name: "first paint of the study list, 10,000 studies", ours: paints[2], peer: nil, peerName: "", unit: "ms"))

    // Resident memory while scrolling 1,000 slices.
    let big = try makeSeries(in: directory + "-ws1000", count: 1000, size: 512, study: 1000)
    let archive1000 = try LocalArchive(root: directory + "-ws1000-archive")
    _ = try Importer(archive: archive1000, link: true).run([big])
    let paths1000 = try archive1000.instancePaths(seriesInstanceUID: SyntheticData.uid(1000, 1))
    guard let s1000 = try StudyQuery().run(on: archive1000).first,
      let se1000 = try archive1000.series(studyInstanceUID: s1000.studyInstanceUID).first
    else { return figures }
    var viewer = Viewer(study: s1000, series: se1000, paths: paths1000)
    let runtime1000 = Runtime(archive: archive1000)
    for i in paths1000.indices {
      viewer.index = i
      if case .success(let (raster, _)) = runtime1000.render(
        viewer, box: layout.capacity(protocol: .sixel),
        fit: { layout.rasterSize(imageWidth: $0, imageHeight: $1, protocol: .sixel) })
      {
        bytes += encoder.encode(raster, layout: layout).count
      }
    }
    figures.append(
      Figure(
        name: "peak resident memory, 1,000-slice scroll", ours: Double(peakResidentKiB()) / 1024, peer: nil,
        peerName: "",
        unit: "MB"))
    if bytes == 0 { print("(no bytes)") }
    return figures
  }

  /// A series of `count` CT slices of `size`², one study.
  static func makeSeries(in directory: String, count: Int, size: Int, study: Int) throws -> String {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var subject = SyntheticData.Subject()
    subject.studyNumber = study
    for i in 0..<count {
      let path = directory + String(format: "/s%04d.dcm", i)
      if FileManager.default.fileExists(atPath: path) { continue }
      let ds = try SyntheticData.ctSlice(index: i, of: count, rows: size, columns: size, subject: subject)
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    }
    return directory
  }

  /// An index of `studies` one-instance studies (rows only, no files), as the study list sees it.
  static func studyIndex(root: String, studies: Int, template: String) throws -> LocalArchive {
    try? FileManager.default.removeItem(atPath: root)
    let archive = try LocalArchive(root: root)
    guard var record = InstanceRecord(file: try DICOMFile.read(path: template, options: .headerOnly)) else {
      return archive
    }
    var entries: [LocalArchive.Entry] = []
    for study in 0..<studies {
      record.studyInstanceUID = SyntheticData.uid(70_000 + study)
      record.seriesInstanceUID = SyntheticData.uid(70_000 + study, 1)
      record.sopInstanceUID = SyntheticData.uid(70_000 + study, 1, 1)
      record.patientName = "PATIENT\(study)^TEST"
      record.patientID = "W\(study)"
      record.studyDate = String(format: "2025%02d%02d", study % 12 + 1, study % 28 + 1)
      entries.append(.init(record: record, path: "none", linked: true, size: 0, source: "bench"))
    }
    _ = try archive.add(contentsOf: entries)
    return archive
  }

  /// VmHWM of this process, in KiB.
  static func peakResidentKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
}

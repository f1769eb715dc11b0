import Archive
import DICOM
import Foundation
import SyntheticData

/// Issue 6's figures: importing 2,000 files (header-only indexing) against DCMTK's dcmqridx indexing the
/// same files, and the study-list query over an index of 100,000 instances.
enum ArchiveBenchmark {
  static func makeFiles(in directory: String, count: Int) throws -> [String] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var paths: [String] = []
    for i in 0..<count {
      let path = directory + String(format: "/im%05d.dcm", i)
      if !FileManager.default.fileExists(atPath: path) {
        var subject = SyntheticData.Subject()
        subject.studyNumber = 1000 + i / 10
        subject.patientName = "PATIENT\(i / 10)^TEST"
        subject.patientID = "P\(i / 10)"
        let ds = try SyntheticData.ctSlice(index: i % 10, of: 10, rows: 32, columns: 32, subject: subject)
        try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
      }
      paths.append(path)
    }
    return paths
  }

  static func run(repeats: Int, directory: String) throws -> [Figure] {
    let source = directory + "-import"
    let paths = try makeFiles(in: source, count: 2000)
    var figures: [Figure] = []
    let link = try Timing.median(repeats: repeats) {
      let root = directory + "-archive-link"
      try? FileManager.default.removeItem(atPath: root)
      let summary = try Importer(archive: try LocalArchive(root: root), link: true).run([source])
      precondition(summary.imported == 2000)
    }
    var peer: Double? = nil
    if (try? GraphicsBenchmark.runProcess(["which", "dcmqridx"])) != nil {
      peer = try Timing.median(repeats: repeats) {
        try? FileManager.default.removeItem(atPath: source + "/index.dat")
        _ = try GraphicsBenchmark.runProcess(["dcmqridx", source] + paths)
      }.seconds
      try? FileManager.default.removeItem(atPath: source + "/index.dat")
    }
    figures.append(
      Figure(
        name: "import 2,000 files, index in place", ours: link.seconds * 1e3, peer: peer.map { $0 * 1e3 },
        peerName: "dcmqridx", unit: "ms"))
    let copy = try Timing.median(repeats: repeats) {
      let root = directory + "-archive-copy"
      try? FileManager.default.removeItem(atPath: root)
      let summary = try Importer(archive: try LocalArchive(root: root)).run([source])
      precondition(summary.imported == 2000)
    }
    figures.append(
      Figure(
        name: "import 2,000 files, copied (fsync each)", ours: copy.seconds * 1e3, peer: nil,
        peerName: "", unit: "ms"))

    // 100,000 instances: 2,000 studies of 5 series of 10 instances.
    let root = directory + "-archive-100k"
    try? FileManager.default.removeItem(atPath: root)
    let archive = try LocalArchive(root: root)
    guard var record = InstanceRecord(file: try DICOMFile.read(path: paths[0], options: .headerOnly)) else {
      return figures
    }
    var entries: [LocalArchive.Entry] = []
    for study in 0..<2000 {
      record.studyInstanceUID = SyntheticData.uid(50_000 + study)
      record.patientName = study % 7 == 0 ? "DOE^PATIENT\(study)" : "PATIENT\(study)^TEST"
      record.patientID = "Q\(study)"
      record.studyDate = String(format: "2025%02d%02d", study % 12 + 1, study % 28 + 1)
      for series in 0..<5 {
        record.seriesInstanceUID = SyntheticData.uid(50_000 + study, series)
        record.modality = series == 0 ? "CT" : "MR"
        for instance in 0..<10 {
          record.sopInstanceUID = SyntheticData.uid(50_000 + study, series, instance)
          entries.append(.init(record: record, path: "none", linked: true, size: 0, source: "bench"))
        }
      }
      if entries.count >= 5000 {
        _ = try archive.add(contentsOf: entries)
        entries.removeAll()
      }
    }
    _ = try archive.add(contentsOf: entries)
    let all = try Timing.median(repeats: repeats * 2) {
      let studies = try StudyQuery().run(on: archive)
      precondition(studies.count == 2000)
    }
    figures.append(
      Figure(
        name: "study list, 100k instances, all 2,000 studies", ours: all.seconds * 1e3, peer: nil,
        peerName: "", unit: "ms"))
    let filtered = try Timing.median(repeats: repeats * 2) {
      let studies = try StudyQuery(patientName: "doe*", studyDate: "20250101-20250630", modality: "CT").run(on: archive)
      precondition(!studies.isEmpty)
    }
    figures.append(
      Figure(
        name: "study list, 100k instances, name+date+modality", ours: filtered.seconds * 1e3,
        peer: nil, peerName: "", unit: "ms"))
    return figures
  }
}

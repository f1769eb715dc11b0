import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Synthetic studies written as files for the peers, and what is needed to compare what came back.
struct InteropFixture {
  let dir: TemporaryDirectory
  let biloba: String
  /// SOP Instance UID -> dataset bytes (everything after the file meta group) of every original.
  private(set) var originals: [String: [UInt8]] = [:]
  /// Study UID -> series UID -> instance UIDs.
  private(set) var hierarchy: [String: [String: [String]]] = [:]
  private(set) var paths: [String] = []

  /// Study 1 (two series, explicit VR little endian) and study 2 (one series, JPEG-LS lossless made by
  /// DCMTK's dcmcjpls when it is there), 16x16 CT slices.
  init() throws {
    dir = try TemporaryDirectory()
    biloba = try BuiltProducts.biloba()
    let files = dir.file("files")
    try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
    var n = 0
    for (study, seriesCounts) in [(1, [4, 2]), (2, [3])] {
      var subject = SyntheticData.Subject()
      subject.studyNumber = study
      subject.patientID = "BILOBA-IOP\(study)"
      subject.patientName = study == 1 ? "INTEROP^ONE" : "INTEROP^TWO"
      for (s, count) in seriesCounts.enumerated() {
        for i in 0..<count {
          let ds = try SyntheticData.ctSlice(
            index: i, of: count, rows: 16, columns: 16, subject: subject, seriesNumber: s + 1)
          n += 1
          let path = files + "/f\(n).dcm"
          try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
          if study == 2 && ProcessRunner.isInstalled("dcmcjpls") {
            _ = try ProcessRunner.run("dcmcjpls", [path, path + ".jls"])
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: path + ".jls", toPath: path)
          }
          paths.append(path)
          let (uid, bytes) = try Self.datasetBytes(path)
          originals[uid] = bytes
          let studyUID = try #require(ds.string(Tag(0x0020, 0x000D)))
          let seriesUID = try #require(ds.string(Tag(0x0020, 0x000E)))
          hierarchy[studyUID, default: [:]][seriesUID, default: []].append(uid)
        }
      }
    }
  }

  var filesDirectory: String { dir.file("files") }
  var studyUIDs: [String] { hierarchy.keys.sorted() }

  /// The SOP Instance UID and the dataset bytes of a Part 10 file.
  static func datasetBytes(_ path: String) throws -> (String, [UInt8]) {
    let bytes = try DICOMFile.bytes(path: path)
    let file = try DICOMFile.read(bytes: bytes, options: ReadOptions(stopBeforePixelData: true))
    let uid = file.meta.string(.mediaStorageSOPInstanceUID) ?? file.dataset.string(.sopInstanceUID) ?? ""
    return (uid, Array(bytes[file.datasetOffset...]))
  }

  /// Every DICOM file under `folder`, by SOP Instance UID.
  static func contents(of folder: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return out }
    for case let relative as String in walker {
      let path = folder + "/" + relative
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
        let (uid, bytes) = try? datasetBytes(path)
      else { continue }
      out[uid] = bytes
    }
    return out
  }

  /// Checks that `folder` holds exactly `expected` instances, each dataset equal byte for byte to its original.
  func expectRetrieved(_ expected: [String], in folder: String, _ what: String) throws {
    let got = try Self.contents(of: folder)
    #expect(Set(got.keys) == Set(expected), "\(what): \(got.count) instances, expected \(expected.count)")
    for uid in expected {
      // Compared as a Bool: a failure names the instance instead of printing both datasets.
      let same = got[uid] == originals[uid]
      #expect(same, "\(what): dataset of \(uid) \(got[uid] == nil ? "missing" : "differs from the original")")
    }
  }

  func instances(study: String) -> [String] { hierarchy[study, default: [:]].values.flatMap { $0 }.sorted() }

  /// The value of `keyword`'s tag in each object of a `biloba find --json` output.
  static func jsonValues(_ text: String, tag: String) throws -> [String] {
    let data = Data(text.utf8)
    guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
    return array.compactMap { object in
      ((object[tag] as? [String: Any])?["Value"] as? [Any])?.first.map { "\($0)" }
    }
  }

  func read(_ name: String) -> String {
    (try? String(contentsOfFile: dir.file(name), encoding: .utf8)) ?? ""
  }

  /// dcmqrscp's configuration serving the fixture's files as QRSCP on `port`, moving to BILOBA at
  /// `moveTo` (our SCP, or a relay in front of it).
  func writeDCMQRSCPConfig(port: Int, moveTo: Int) throws {
    try """
    NetworkTCPPort = \(port)
    MaxPDUSize = 16384
    MaxAssociations = 16
    HostTable BEGIN
    biloba = (BILOBA, 127.0.0.1, \(moveTo))
    HostTable END
    VendorTable BEGIN
    VendorTable END
    AETable BEGIN
    QRSCP \(filesDirectory) RW (200, 1024mb) ANY
    AETable END
    """.write(toFile: dir.file("qr.cfg"), atomically: true, encoding: .utf8)
  }

  /// Shell lines that start the workstation in tmux on a fresh archive `archive`, open the remote tab,
  /// wait for the fixture's studies (remote.txt), retrieve the first with Enter, which opens it in the
  /// viewer by itself, until the retrieve is done (retrieved.txt, viewer.txt) and quit: what a reader
  /// does with any node.
  func remoteTabRetrieveAndOpen(tmux: String, archive: String) -> String {
    """
    mkdir -p \(archive)
    \(tmux) new-session -d -x 110 -y 30 "XDG_CONFIG_HOME='\(dir.path)/config' '\(biloba)' --archive '\(dir.path)/\(archive)' --graphics ascii"
    sleep 1
    \(tmux) send-keys Tab
    for i in $(seq 50); do \(tmux) capture-pane -p > remote.txt; grep -q 'INTEROP, ONE' remote.txt && break; sleep 0.1; done
    \(tmux) send-keys Home Enter
    for i in $(seq 100); do \(tmux) capture-pane -p > retrieved.txt; grep -q 'done' retrieved.txt && grep -q 'Im 1/' retrieved.txt && break; sleep 0.1; done
    \(tmux) capture-pane -p > viewer.txt
    \(tmux) send-keys q
    sleep 0.3
    \(tmux) kill-server 2>/dev/null
    """
  }
}

import DICOM
import Foundation
import Spawn
import SyntheticData
import TestSupport
import Testing

/// Reading with a prior as a radiologist does, in tmux against Orthanc: the current study is here, its
/// prior (a year before, its own Frame of Reference, 5 mm slices, the table 12 mm higher) only on
/// Orthanc. The history panel lists both; `o` retrieves the prior and opens it beside; scrolling pairs
/// slices by place; two key images are marked and saved; a send broken off (Orthanc down) resumes from
/// the jobs view once Orthanc is back, and the study arrives byte for byte with its key object, which
/// Orthanc's C-FIND finds and dciodvfy passes; a measurement kept is there after a restart.
@Suite(.serialized) struct ReadingWorkflowTmuxTests {
  let layout = SyntheticData.ComparisonLayout()

  /// The dataset of a Part 10 file: its bytes after the meta group (a receiver writes its own meta group).
  static func datasetBytes(_ path: String) throws -> [UInt8] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    guard bytes.count > 144 else { return [] }
    let length = Int(bytes[140]) | Int(bytes[141]) << 8 | Int(bytes[142]) << 16 | Int(bytes[143]) << 24
    return Array(bytes[min(bytes.count, 144 + length)...])
  }

  @Test func a_prior_from_orthanc_beside_the_current_study_key_images_sent_on_and_measurements_that_last()
    async throws
  {
    for tool in ["tmux", "Orthanc", "curl", "findscu", "dciodvfy"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install tmux orthanc curl dcmtk dicom3tools)")
      return
    }
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    let (scout, current, prior) = try SyntheticData.comparisonStudies(layout)
    for (folder, datasets) in [("current", [scout] + current), ("prior", prior)] {
      try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
      for (i, ds) in datasets.enumerated() {
        try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("\(folder)/\(i).dcm"))
      }
    }
    let (http, dicom) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1)
    let ourPort = dicom + 1
    try """
    { "Name": "biloba-reading", "StorageDirectory": "\(dir.path)/orthanc-storage",
      "IndexDirectory": "\(dir.path)/orthanc-index", "HttpPort": \(http), "DicomPort": \(dicom),
      "DicomAet": "ORTHANC", "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "Plugins": [],
      "DicomModalities": { "biloba": ["BILOBA", "127.0.0.1", \(ourPort)] } }
    """.write(toFile: dir.file("orthanc.json"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: dir.file("cfg/biloba"), withIntermediateDirectories: true)
    try """
    [network]
    aet = "BILOBA"
    listen_port = \(ourPort)

    [nodes.orthanc]
    host = "127.0.0.1"
    port = \(dicom)
    aet = "ORTHANC"
    retrieve = "get"
    """.write(toFile: dir.file("cfg/biloba/config.toml"), atomically: true, encoding: .utf8)
    let env = "XDG_CONFIG_HOME='\(dir.file("cfg"))' XDG_DATA_HOME='\(dir.file("data"))'"
    var orthanc = try #require(
      try await TestOrthanc(config: dir.file("orthanc.json"), httpPort: http), "Orthanc did not start")
    defer { orthanc.stop() }
    // The prior is on Orthanc only; the current study is here.
    let uploaded = try ProcessRunner.run(
      "sh", ["-c", "\(env) '\(b)' send --node orthanc '\(dir.file("prior"))'"])
    try #require(uploaded.status == 0, "\(uploaded.stderr)")
    let imported = try ProcessRunner.run("sh", ["-c", "\(env) '\(b)' import '\(dir.file("current"))'"])
    try #require(imported.status == 0, "\(imported.stderr)")

    func startWorkstation() throws -> WorkstationTmuxTests.Session {
      let session = try WorkstationTmuxTests.Session("\(env) '\(b)' --graphics ascii", columns: 160, rows: 40)
      try session.wait(for: "CT HEAD FOLLOW-UP")
      // The study, then its axial series (the scout is series 1).
      try session.keys("Enter")
      try session.wait(for: "AXIAL 2.5MM")
      try session.keys("Down", "Enter")
      try session.wait(for: "Se 2 AXIAL 2.5MM")
      return session
    }
    var session = try startWorkstation()
    // The history panel: the study read (here) and the prior (on Orthanc), newest first.
    var screen = try session.wait(for: "> 2025-01-10 CT   CT HEAD  orthan")
    #expect(screen.contains("History (2)") && screen.contains(" *2026-01-15 CT   CT HEAD  local"), "\(screen)")

    // `o`: retrieved from Orthanc, then opened beside, each pane labelled with its study's date.
    try session.keys("o")
    screen = try session.wait(for: " 20250110 Se 1")
    #expect(screen.contains("*20260115 Se 2 AXIAL 2.5MM"), "\(screen)")
    usleep(500_000)  // both panes drawn: their planes known
    // Scrolling pairs the prior's slice nearest the same place.
    try session.keys("Home")
    for _ in 0..<10 { try session.keys("Down") }
    let z = layout.currentStart + 10 * layout.currentStep
    let nearest = (0..<layout.priorCount).min {
      abs(layout.priorStart + Double($0) * layout.priorStep - z)
        < abs(layout.priorStart + Double($1) * layout.priorStep - z)
    }!
    screen = try session.wait(for: "AXIAL 2.5MM  11/20")
    #expect(screen.contains("  \(nearest + 1)/\(layout.priorCount)"), "prior slice \(nearest + 1) expected:\n\(screen)")

    // Two key images, saved as a key object; a measurement kept.
    try session.keys("*", "Down", "Down", "Down", "*")
    try session.wait(for: "2 in this study")
    try session.keys(":", "keys save", "Enter")
    try session.wait(for: "saved 2 key images as a key object of the study")
    try session.keys("m", "S-Right", "S-Right", "S-Right", "m")
    try session.wait(for: "distance kept (1 on this image")

    // Orthanc goes down: the send stops; back up, the jobs view resumes it.
    orthanc.stop()
    // From the study list, the whole study goes (its key object too).
    try session.keys("Escape", "Escape")
    try session.wait(for: "2 studies")
    try session.keys(":", "send orthanc", "Enter")
    screen = try session.wait(for: "then stopped")
    #expect(screen.contains("sent 0 objects to orthanc"), "\(screen)")
    orthanc = try #require(
      try await TestOrthanc(config: dir.file("orthanc.json"), httpPort: http), "Orthanc did not start again")
    try session.keys("J")
    screen = try session.wait(for: "Enter resumes; ")
    // The send is the newest job, first; the retrieval of the prior after it.
    try session.keys("Enter")
    screen = try session.wait(for: "sent 22 objects to orthanc")
    #expect(!screen.contains("failed"), "\(screen)")

    // Orthanc's C-FIND finds the key object's series in the study.
    let study = SyntheticData.uid(11)
    let find = try ProcessRunner.run(
      "findscu",
      [
        "-S", "-aet", "BILOBA", "-aec", "ORTHANC", "127.0.0.1", String(dicom), "-k", "QueryRetrieveLevel=IMAGE",
        "-k", "StudyInstanceUID=\(study)", "-k", "Modality=KO", "-k", "SeriesInstanceUID", "-k", "SOPInstanceUID",
      ])
    let kos = find.stderr.split(separator: "\n").filter { $0.contains("(0008,0018)") }
    #expect(kos.count == 1, "\(find.stderr)")
    // Every object of the study is on Orthanc as it is here, the key object among them; dciodvfy passes it.
    let lookup = try ProcessRunner.run(
      "curl", ["-sf", "-X", "POST", "-d", study, "http://127.0.0.1:\(http)/tools/lookup"])
    let studyID = try #require(
      (try JSONSerialization.jsonObject(with: Data(lookup.stdout.utf8)) as? [[String: Any]])?.first?["ID"] as? String)
    let listed = try ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(http)/studies/\(studyID)/instances"])
    let instances = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    #expect(instances.count == 22)
    let archive = dir.file("data") + "/biloba"
    var local: [String: [UInt8]] = [:]
    for path in try FileManager.default.subpathsOfDirectory(atPath: archive + "/objects") where path.hasSuffix(".dcm") {
      let full = archive + "/objects/" + path
      if let uid = try? DICOMFile.read(path: full, options: .headerOnly).dataset.string(Tag.sopInstanceUID) {
        local[uid] = try Self.datasetBytes(full)
      }
    }
    var keyObjects = 0
    for instance in instances {
      let id = try #require(instance["ID"] as? String)
      let file = dir.file("orthanc-\(id).dcm")
      _ = try ProcessRunner.run("curl", ["-sf", "-o", file, "http://127.0.0.1:\(http)/instances/\(id)/file"])
      let ds = try DICOMFile.read(path: file, options: .headerOnly).dataset
      let uid = try #require(ds.string(Tag.sopInstanceUID))
      #expect(local[uid] == (try Self.datasetBytes(file)), "\(uid) arrived as it is here")
      if ds.string(Tag.modality) == "KO" {
        keyObjects += 1
        let check = try ProcessRunner.run("dciodvfy", [file])
        let errors = (check.stdout + check.stderr).split(separator: "\n").filter { $0.hasPrefix("Error") }
        #expect(errors.isEmpty, "\(check.stderr)")
      }
    }
    #expect(keyObjects == 1)

    // After a restart: the measurement is kept, the key images are marked.
    try session.keys("q")
    session = try startWorkstation()
    try session.keys(":", "measurements", "Enter")
    screen = try session.wait(for: "1 measurement: Se 2 Im 14 Dist")
    try session.keys(":", "keys", "Enter")
    screen = try session.wait(for: "2 key images: Se 2 Im 11, 14")
    try session.keys("q")
  }
}

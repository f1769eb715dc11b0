import Foundation
import Spawn
import TestSupport
import Testing

/// `:anonymize` in the workstation as a reader uses it, in tmux: a study de-identified into a folder,
/// then sent de-identified to a real node (DCMTK's storescp).
@Suite(.serialized) struct AnonymizeTmuxTests {
  @Test func a_study_goes_deidentified_to_a_folder_and_to_a_storescp_node() throws {
    for tool in ["tmux", "storescp", "echoscu", "dcmdump"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install tmux dcmtk)")
      return
    }
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    let imported = try ProcessRunner.run(
      b, ["import", WorkstationTmuxTests.root + "/Samples/ct-head", "--archive", dir.file("archive")])
    try #require(imported.status == 0, "\(imported.stderr)")
    let port = IsolatedNetwork.port()
    try FileManager.default.createDirectory(atPath: dir.file("received"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: dir.file("config/biloba"), withIntermediateDirectories: true)
    try "[nodes.store]\nhost = \"127.0.0.1\"\nport = \(port)\naet = \"STORE\"\n".write(
      toFile: dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
    let scp = try ChildProcess(["storescp", "-aet", "STORE", "-od", dir.file("received"), String(port)])
    defer {
      scp.send(SIGTERM)
      _ = scp.wait()
    }
    for _ in 0..<50 {
      if (try? ProcessRunner.run("echoscu", ["-aec", "STORE", "127.0.0.1", String(port)]).status) == 0 { break }
      usleep(100_000)
    }
    let session = try WorkstationTmuxTests.Session(
      "XDG_CONFIG_HOME='\(dir.file("config"))' XDG_DATA_HOME='\(dir.file("data"))' '\(b)' --archive '\(dir.file("archive"))' --graphics ascii",
      columns: 120)
    try session.wait(for: "PHANTOM, HEAD")
    try session.keys(":", "anonymize \(dir.file("consult"))", "Enter")
    try session.wait(for: "de-identified 24 objects into")
    try session.keys(":", "anonymize node store", "Enter")
    let screen = try session.wait(for: "de-identified and sent 24 objects to store")
    #expect(!screen.contains("failed"), "\(screen)")
    let consult = try FileManager.default.subpathsOfDirectory(atPath: dir.file("consult")).filter {
      $0.hasSuffix(".dcm")
    }
    #expect(consult.count == 24)
    let received = try FileManager.default.contentsOfDirectory(atPath: dir.file("received"))
    #expect(received.count == 24, "\(received)")
    for file in received.prefix(3) {
      let dump = try ProcessRunner.run(
        "dcmdump", ["+P", "PatientName", "+P", "PatientID", dir.file("received/" + file)])
      #expect(dump.stdout.contains("[ANON-") && !dump.stdout.contains("PHANTOM"), "\(dump.stdout)")
    }
    // The same key, the same pseudonym: the node's copies are the folder's.
    let staged = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive")).filter {
      $0.hasPrefix(".anonymize")
    }
    #expect(staged.isEmpty)
  }
}

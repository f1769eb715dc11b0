import Archive
import DICOM
import Foundation
import Spawn
import SyntheticData
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `biloba listen` killed with SIGKILL while `biloba send` stores to it, 50 times: afterwards no index row
/// lacks its file, no partial file remains, and every object the listener acknowledged is in the archive.
@Suite struct ReceiveCrashTests {
  @Test func listen_killed_during_c_store_loses_nothing_acknowledged_and_leaves_no_partial_file() async throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    var files: [(path: String, uid: String)] = []
    try FileManager.default.createDirectory(atPath: dir.file("source"), withIntermediateDirectories: true)
    for i in 0..<40 {
      let ds = try SyntheticData.ctSlice(index: i, of: 40, rows: 256, columns: 256)
      let path = dir.file("source/\(i).dcm")
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
      files.append((path, ds.string(.sopInstanceUID) ?? ""))
    }
    let archive = dir.file("archive")
    var generator = SystemRandomNumberGenerator()
    var killedMidway = 0
    for round in 0..<50 {
      // A listener that cannot bind its random port (taken by another process) exits: try another. One
      // that recovers the last round's journal first may take a few seconds on a loaded machine.
      var port = 0
      var listener: ChildProcess?
      var ready = false
      for _ in 0..<3 where !ready {
        port = Int.random(in: 20000...60000, using: &generator)
        let started = try ChildProcess([biloba, "listen", "--port", String(port), "--archive", archive])
        listener = started
        for _ in 0..<250 where !ready && started.isRunning {
          ready =
            (try? ProcessRunner.run(
              biloba, ["echo", "--host", "127.0.0.1", "--port", String(port), "--called-aet", "BILOBA"]))?
            .status == 0
          if !ready { usleep(20_000) }
        }
        if !ready && started.isRunning {
          started.send(SIGKILL)
          started.wait()
        }
      }
      #expect(ready, "round \(round): the listener did not start")
      guard let listener, ready else { continue }
      // Its output goes to a file: read after it ends, it cannot fill a pipe and stall.
      let log = dir.file("sender-\(round).txt")
      let sender = try ChildProcess(
        [biloba, "send", "--host", "127.0.0.1", "--port", String(port), "--called-aet", "BILOBA"] + files.map(\.path),
        stdout: .file(log), stderr: .file(log))
      usleep(UInt32.random(in: 0...250_000, using: &generator))
      listener.send(SIGKILL)
      listener.wait()
      sender.wait()
      let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      // "40 sent, 0 failed", or "... (17 sent before)" when the kill came first.
      let acknowledged: Int
      if let range = said.range(of: #"\((\d+) sent before\)"#, options: .regularExpression) {
        acknowledged = Int(said[range].dropFirst().prefix { $0.isNumber }) ?? 0
        killedMidway += 1
      } else if said.contains("\(files.count) sent") {
        acknowledged = files.count
      } else {
        acknowledged = 0
      }
      let check = try ProcessRunner.run(biloba, ["archive", "check", "--archive", archive])
      #expect(check.stdout.contains("missing files 0"), "round \(round): \(check.stdout)")
      let store = try LocalArchive(root: archive)
      for file in files.prefix(acknowledged) {
        #expect(try store.contains(sopInstanceUID: file.uid), "round \(round): an acknowledged object was lost")
      }
      let leftovers = (FileManager.default.enumerator(atPath: archive)?.allObjects as? [String] ?? [])
        .filter { $0.hasPrefix("incoming/") || ($0 as NSString).lastPathComponent.hasPrefix(".tmp-") }
      #expect(leftovers.isEmpty, "round \(round): \(leftovers)")
    }
    // Some kills must land in the middle of a transfer for the test to mean anything.
    #expect(killedMidway >= 10, "only \(killedMidway) of 50 kills interrupted a transfer")
  }
}

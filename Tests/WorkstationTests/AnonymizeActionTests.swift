import Archive
import Audit
import DICOM
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Workstation

/// `:anonymize` in the workstation: what it acts on from each screen, and what the runtime writes or sends.
@Suite struct AnonymizeActionTests {
  static func type(_ command: String, into m: inout Model) throws -> [Effect] {
    let keys = try UpdateTests.keymap("default")
    _ = update(&m, .key(":"), keymap: keys)
    for c in command { _ = update(&m, .key(String(c)), keymap: keys) }
    return update(&m, .key("Enter"), keymap: keys)
  }

  @Test func the_study_list_the_series_list_and_the_viewer_each_name_what_they_show() throws {
    var m = UpdateTests.viewerModel()
    m.screen = .studies
    #expect(
      try Self.type("anonymize /tmp/consult", into: &m) == [
        .anonymize(studyInstanceUID: "1.2.1", seriesInstanceUID: nil, to: .folder("/tmp/consult"))
      ])
    m.screen = .series
    #expect(
      try Self.type("anonymize node PACS", into: &m) == [
        .anonymize(studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.1.1", to: .node("PACS"))
      ])
    m.screen = .viewer
    #expect(
      try Self.type("anonymize /tmp/x", into: &m) == [
        .anonymize(studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.1.1", to: .folder("/tmp/x"))
      ])
    #expect(try Self.type("anonymize", into: &m).isEmpty && m.status.hasPrefix(":anonymize wants"))
  }

  @Test func a_remote_study_not_yet_here_is_not_acted_on() throws {
    var m = UpdateTests.viewerModel()
    m.screen = .studies
    m.sources = ["Local", "PACS"]
    m.sourceIndex = 1
    #expect(try Self.type("anonymize /tmp/x", into: &m).isEmpty)
    #expect(m.status.contains("retrieve a remote study first"), "\(m.status)")
  }

  /// A node that keeps what it is sent, as a PACS would, and says so.
  final class FakeNode: StubNode, Sendable {
    let received = Mutex<[(path: String, patient: String?, staged: Bool)]>([])
    func send(node: String, files: [String]) async throws -> (JobProgress, problems: [String]) {
      let seen = try files.map { path in
        (path, try DICOMFile.read(path: path, options: .headerOnly).dataset.string(Tag(0x0010, 0x0010)), true)
      }
      received.withLock { $0 += seen }
      return (JobProgress(completed: files.count, remaining: 0, finished: true), [])
    }
  }

  static func archiveWithSamples(_ dir: TemporaryDirectory) throws -> LocalArchive {
    let archive = try LocalArchive(root: dir.file("archive"))
    _ = try Importer(archive: archive).run([UpdateTests.root + "/Samples/ct-head"])
    return archive
  }

  /// The status texts the runtime posts for an effect, once it has said it is done (20 s at most).
  static func statuses(_ runtime: Runtime, _ effect: Effect) async throws -> [String] {
    let box = Mutex<[String]>([])
    runtime.performInBackground(effect) { msg in
      switch msg {
      case .notice(let text): box.withLock { $0.append("notice: " + text) }
      case .failed(let text): box.withLock { $0.append("failed: " + text) }
      default: break
      }
    }
    for _ in 0..<400 {
      // Done once it says what became of the work (an audit record not kept is said on the way).
      if box.withLock({ $0.contains { !$0.hasPrefix("failed: audit") } }) { break }
      try await Task.sleep(for: .milliseconds(50))
    }
    return box.withLock { $0 }
  }

  @Test func a_study_is_written_deidentified_into_the_folder_and_audited_once() async throws {
    let dir = try TemporaryDirectory()
    let archive = try Self.archiveWithSamples(dir)
    let study = try #require(try StudyQuery().run(on: archive).first)
    let audit = AuditLog(path: dir.file("audit.jsonl"))
    let runtime = Runtime(archive: archive, audit: audit, deidentificationKeyPath: dir.file("key/deid.key"))
    let out = dir.file("consult")
    let said = try await Self.statuses(
      runtime, .anonymize(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: nil, to: .folder(out)))
    let text = try #require(said.first)
    let files = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.hasSuffix(".dcm") }
    #expect(text == "notice: de-identified \(files.count) objects into \(out)" && files.count == study.instanceCount)
    let first = try DICOMFile.read(path: out + "/" + files[0], options: .headerOnly).dataset
    #expect(first.string(Tag(0x0010, 0x0010))?.hasPrefix("ANON-") == true)
    #expect(first.string(Tag(0x0020, 0x000D)) != study.studyInstanceUID)
    let records = try String(contentsOfFile: dir.file("audit.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(records.count == 1 && records[0].contains("\"anonymize\""))
  }

  @Test func a_series_sent_to_a_node_goes_deidentified_and_leaves_nothing_staged() async throws {
    let dir = try TemporaryDirectory()
    let archive = try Self.archiveWithSamples(dir)
    let study = try #require(try StudyQuery().run(on: archive).first)
    let series = try #require(try archive.series(studyInstanceUID: study.studyInstanceUID).first)
    let node = FakeNode()
    let runtime = Runtime(archive: archive, remote: node, deidentificationKeyPath: dir.file("deid.key"))
    let said = try await Self.statuses(
      runtime,
      .anonymize(
        studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID, to: .node("PACS")))
    #expect(said == ["notice: de-identified and sent \(series.instanceCount) objects to PACS"], "\(said)")
    let received = node.received.withLock { $0 }
    #expect(received.count == series.instanceCount && received.allSatisfy { $0.patient?.hasPrefix("ANON-") == true })
    let staged = try FileManager.default.contentsOfDirectory(atPath: archive.store.root).filter {
      $0.hasPrefix(".anonymize")
    }
    #expect(staged.isEmpty, "\(staged)")
  }
}

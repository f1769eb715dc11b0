import Archive
import Audit
import DICOM
import Foundation
import TestSupport
import Testing

@testable import Workstation

/// `:send NODE` and `:media DIR` in the workstation: what they act on from each screen, and what the
/// runtime sends or writes (as stored, audited once).
@Suite struct PassOnActionTests {
  @Test func send_names_what_each_screen_shows_and_media_always_the_whole_study() throws {
    var m = UpdateTests.viewerModel()
    m.screen = .studies
    #expect(
      try AnonymizeActionTests.type("send PACS", into: &m) == [
        .passOn(studyInstanceUID: "1.2.1", seriesInstanceUID: nil, to: .node("PACS"))
      ])
    m.screen = .series
    #expect(
      try AnonymizeActionTests.type("send PACS", into: &m) == [
        .passOn(studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.1.1", to: .node("PACS"))
      ])
    m.screen = .viewer
    #expect(
      try AnonymizeActionTests.type("media /tmp/my cd", into: &m) == [
        .passOn(studyInstanceUID: "1.2.1", seriesInstanceUID: nil, to: .folder("/tmp/my cd"))
      ])
    #expect(try AnonymizeActionTests.type("send", into: &m).isEmpty && m.status.hasPrefix(":send wants"))
    #expect(try AnonymizeActionTests.type("media", into: &m).isEmpty && m.status.hasPrefix(":media wants"))
    m.screen = .studies
    m.sources = ["Local", "PACS"]
    m.sourceIndex = 1
    #expect(try AnonymizeActionTests.type("send PACS", into: &m).isEmpty)
    #expect(m.status.contains("retrieve a remote study first"), "\(m.status)")
  }

  @Test func a_series_is_sent_as_stored_and_audited_once() async throws {
    let dir = try TemporaryDirectory()
    let archive = try AnonymizeActionTests.archiveWithSamples(dir)
    let study = try #require(try StudyQuery().run(on: archive).first)
    let series = try #require(try archive.series(studyInstanceUID: study.studyInstanceUID).first)
    let node = AnonymizeActionTests.FakeNode()
    let runtime = Runtime(archive: archive, remote: node, audit: AuditLog(path: dir.file("audit.jsonl")))
    let said = try await AnonymizeActionTests.statuses(
      runtime,
      .passOn(
        studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID, to: .node("PACS")))
    #expect(said == ["notice: sent \(series.instanceCount) objects to PACS"], "\(said)")
    let received = node.received.withLock { $0 }
    let stored = Set(try archive.instancePaths(seriesInstanceUID: series.seriesInstanceUID))
    #expect(Set(received.map(\.path)) == stored, "the archive's own files go, not copies")
    #expect(received.allSatisfy { $0.patient == "PHANTOM^HEAD" })
    let records = try String(contentsOfFile: dir.file("audit.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(records.count == 1 && records[0].contains("\"send\""), "\(records)")
  }

  @Test func a_study_is_written_as_media_whose_directory_names_every_object() async throws {
    let dir = try TemporaryDirectory()
    let archive = try AnonymizeActionTests.archiveWithSamples(dir)
    let study = try #require(try StudyQuery().run(on: archive).first)
    let runtime = Runtime(archive: archive, audit: AuditLog(path: dir.file("audit.jsonl")))
    let out = dir.file("cd")
    let said = try await AnonymizeActionTests.statuses(
      runtime, .passOn(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: nil, to: .folder(out)))
    #expect(said == ["notice: wrote \(study.instanceCount) objects and their DICOMDIR into \(out)"], "\(said)")
    let directory = try DICOMFile.read(path: out + "/DICOMDIR")
    let named = MediaDirectory.referencedFiles(in: directory).files
    #expect(named.count == study.instanceCount)
    for file in named {
      let path = out + "/" + file.fileID.joined(separator: "/")
      let held = try DICOMFile.read(path: path, options: .headerOnly).dataset
      #expect(held.string(Tag(0x0008, 0x0018)) == file.sopInstanceUID, "\(path)")
    }
    // A second time into the same folder: refused, the first media left whole.
    let again = try await AnonymizeActionTests.statuses(
      runtime, .passOn(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: nil, to: .folder(out)))
    #expect(again.first?.hasPrefix("failed: media:") == true && again.first?.contains("not empty") == true)
    #expect(MediaDirectory.referencedFiles(in: try DICOMFile.read(path: out + "/DICOMDIR")).files.count == named.count)
    let records = try String(contentsOfFile: dir.file("audit.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(records.count == 1 && records[0].contains("\"export\""), "\(records)")
  }
}

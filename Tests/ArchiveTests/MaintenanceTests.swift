import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

@testable import Archive

@Suite struct MaintenanceTests {
  static func filled(_ dir: TemporaryDirectory, studies: Int) throws -> LocalArchive {
    let archive = try LocalArchive(root: dir.file("archive"))
    for n in 1...studies {
      try ArchiveTests.study(
        dir, "s\(n)", subject: ArchiveTests.subject(n, name: "P\(n)^X", date: "2026010\(n)"), count: 2)
      _ = try Importer(archive: archive).run([dir.file("s\(n)")])
    }
    return archive
  }

  @Test func eviction_removes_least_recently_viewed_studies_first_and_never_pinned_ones() throws {
    let dir = try TemporaryDirectory()
    let archive = try Self.filled(dir, studies: 4)
    let perStudy = try archive.stats().storedBytes / 4
    let uid = { (n: Int) in SyntheticData.uid(n) }
    try archive.markViewed(studyInstanceUID: uid(1), at: Date(timeIntervalSince1970: 4000))
    try archive.markViewed(studyInstanceUID: uid(2), at: Date(timeIntervalSince1970: 1000))
    try archive.markViewed(studyInstanceUID: uid(3), at: Date(timeIntervalSince1970: 3000))
    try archive.markViewed(studyInstanceUID: uid(4), at: Date(timeIntervalSince1970: 2000))
    try archive.pin(studyInstanceUID: uid(2))
    let evicted = try archive.evict(toFit: perStudy * 2)
    #expect(evicted == [uid(4), uid(3)])  // 2 is older but pinned
    #expect(try archive.stats().studies == 2)
    #expect(try archive.check(repair: false).isConsistent)  // files went with their rows
  }

  @Test func check_finds_missing_orphan_and_temporary_files_and_repairs_them() throws {
    let dir = try TemporaryDirectory()
    let archive = try Self.filled(dir, studies: 2)
    let paths = try archive.instancePaths(seriesInstanceUID: SyntheticData.uid(1, 1))
    try FileManager.default.removeItem(atPath: paths[0])  // a row without its file
    let orphan = try archive.store.write([1, 2, 3])  // a file without its row
    #expect(FileManager.default.createFile(atPath: archive.store.root + "/objects/.tmp-crashed", contents: Data([0])))
    let report = try archive.check(repair: false)
    #expect(report.missingFiles == 1 && report.orphanFiles == 1 && report.temporaryFiles == 1)
    let repaired = try archive.check(repair: true)
    #expect(repaired.missingFiles == 1)
    #expect(try archive.check(repair: false) == LocalArchive.CheckReport())
    #expect(!FileManager.default.fileExists(atPath: archive.store.absolute(orphan)))
    #expect(try archive.stats().instances == 3)
  }

  @Test func an_interrupted_retrieve_asks_only_for_what_is_missing() throws {
    let dir = try TemporaryDirectory()
    let archive = try Self.filled(dir, studies: 1)
    let wanted = [SyntheticData.uid(1, 1, 1), "2.25.1.2.3", SyntheticData.uid(1, 1, 2), "2.25.9"]
    #expect(try archive.missing(sopInstanceUIDs: wanted) == ["2.25.1.2.3", "2.25.9"])
    let id = try archive.enqueueRetrieval(node: "PACS", studyInstanceUID: "2.25.7")
    try archive.enqueueRetrieval(node: "PACS", studyInstanceUID: "2.25.8")
    try archive.updateRetrieval(id, state: .running, completed: 5, failed: 0, remaining: 10)
    let resumable = try archive.retrievals(in: [.queued, .running])
    #expect(resumable.map(\.studyInstanceUID) == ["2.25.7", "2.25.8"])
    #expect(resumable.first?.state == .running && resumable.first?.remaining == 10)
  }
}

@Suite struct DuplicateHandlingTests {
  @Test func duplicates_within_and_across_imports_leave_no_orphan_files() throws {
    let dir = try TemporaryDirectory()
    try ArchiveTests.study(dir, "a", subject: ArchiveTests.subject(1, name: "DUP^ONE", date: "20260101"), count: 2)
    try FileManager.default.copyItem(atPath: dir.file("a/nested"), toPath: dir.file("a/copy"))  // same instances again
    let archive = try LocalArchive(root: dir.file("archive"))
    let first = try Importer(archive: archive).run([dir.file("a")])
    #expect(first.imported == 2 && first.duplicates == 2)
    let replaced = try Importer(archive: archive, duplicates: .replace).run([dir.file("a")])
    #expect(replaced.imported == 2)
    #expect(try archive.check(repair: false) == LocalArchive.CheckReport())  // replaced files went with their rows
    #expect(try archive.stats().instances == 2)
  }
}

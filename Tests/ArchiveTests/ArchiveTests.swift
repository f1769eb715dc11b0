import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

@testable import Archive

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ArchiveTests {
  /// Writes a small study: `count` CT slices for one subject, plus a file that is not DICOM.
  static func study(_ dir: TemporaryDirectory, _ name: String, subject: SyntheticData.Subject, count: Int = 3) throws {
    let folder = dir.file(name)
    try FileManager.default.createDirectory(atPath: folder + "/nested", withIntermediateDirectories: true)
    for i in 0..<count {
      let ds = try SyntheticData.ctSlice(index: i, of: count, rows: 8, columns: 8, subject: subject)
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: folder + "/nested/\(i).dcm")
    }
    #expect(FileManager.default.createFile(atPath: folder + "/README.txt", contents: Data("not an image".utf8)))
  }

  static func subject(_ n: Int, name: String, date: String, charset: String? = nil) -> SyntheticData.Subject {
    var s = SyntheticData.Subject()
    s.patientName = name
    s.patientID = "ID\(n)"
    s.studyDate = date
    s.studyNumber = n
    s.accession = "ACC\(n)"
    s.characterSet = charset
    return s
  }

  @Test func import_counts_images_duplicates_and_files_that_are_not_dicom() throws {
    let dir = try TemporaryDirectory()
    try Self.study(dir, "a", subject: Self.subject(1, name: "DOE^JANE", date: "20260110"))
    let archive = try LocalArchive(root: dir.file("archive"))
    let first = try Importer(archive: archive).run([dir.file("a")])
    #expect(first.description == Importer.Summary(imported: 3, duplicates: 0, notDICOM: 1, failed: 0).description)
    let again = try Importer(archive: archive).run([dir.file("a")])
    #expect(again.imported == 0 && again.duplicates == 3)
    // Both name the study they found, new or already here (what `biloba PATH` opens).
    #expect(first.studies.count == 1 && again.studies == first.studies)
    let replaced = try Importer(archive: archive, duplicates: .replace).run([dir.file("a")])
    #expect(replaced.imported == 3)
    let studies = try StudyQuery().run(on: archive)
    #expect(studies.count == 1)
    #expect(studies.first?.instanceCount == 3)
    #expect(studies.first?.modalities == "CT")
  }

  @Test func names_are_stored_decoded_from_their_character_set() throws {
    let dir = try TemporaryDirectory()
    try Self.study(
      dir, "jp",
      subject: Self.subject(
        2, name: "Yamada^Tarou=山田^太郎=やまだ^たろう", date: "20260111",
        charset: "\\ISO 2022 IR 87"), count: 1)
    let archive = try LocalArchive(root: dir.file("archive"))
    _ = try Importer(archive: archive).run([dir.file("jp")])
    #expect(
      try StudyQuery(patientName: "yamada*").run(on: archive).first?.patientName
        == "Yamada^Tarou=山田^太郎=やまだ^たろう")
  }

  @Test func queries_match_as_c_find_matches() throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    for (n, name, date) in [(1, "DOE^JANE", "20260110"), (2, "DOE^JOHN", "20260201"), (3, "SMITH^ANNA", "20251231")] {
      try Self.study(dir, "s\(n)", subject: Self.subject(n, name: name, date: date), count: 1)
      _ = try Importer(archive: archive).run([dir.file("s\(n)")])
    }
    func names(_ q: StudyQuery) throws -> Set<String> { Set(try q.run(on: archive).map(\.patientName)) }
    #expect(try names(StudyQuery(patientName: "DOE*")) == ["DOE^JANE", "DOE^JOHN"])
    #expect(try names(StudyQuery(patientName: "doe^j?ne")) == ["DOE^JANE"])
    #expect(try names(StudyQuery(studyDate: "20260101-")) == ["DOE^JANE", "DOE^JOHN"])
    #expect(try names(StudyQuery(studyDate: "-20251231")) == ["SMITH^ANNA"])
    #expect(try names(StudyQuery(studyDate: "20260110")) == ["DOE^JANE"])
    #expect(try names(StudyQuery(patientID: "id1")) == [])  // IDs are case-sensitive
    #expect(try names(StudyQuery(patientID: "ID?")).count == 3)
    #expect(try names(StudyQuery(modality: "MR")) == [])
    #expect(try names(StudyQuery(accessionNumber: "ACC[2]")) == [])  // [ is not a wildcard in C-FIND
    #expect(throws: ArchiveError.self) { try StudyQuery(studyDate: "2026").run(on: archive) }
  }

  @Test func files_and_folders_are_private_and_named_by_uuid_never_by_dicom_strings() throws {
    let dir = try TemporaryDirectory()
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 4, columns: 4)
    try ds.set(.sopInstanceUID, .UI, "../../../../tmp/escape")
    try ds.set(Tag(0x0020, 0x000D), .UI, "/abs/study")
    try ds.set(Tag(0x0010, 0x0020), .LO, "a/b\\c")
    try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("in/x.dcm"))
    let archive = try LocalArchive(root: dir.file("archive"))
    #expect(try Importer(archive: archive).run([dir.file("in")]).imported == 1)
    let files = FileManager.default.enumerator(atPath: dir.file("archive"))!.allObjects as! [String]
    let stored = files.filter { $0.hasSuffix(".dcm") }
    #expect(stored.count == 1)
    #expect(stored.allSatisfy { $0.hasPrefix("objects/") && !$0.contains("escape") && !$0.contains("study") })
    #expect(!FileManager.default.fileExists(atPath: "/tmp/escape"))
    var st = stat()
    #expect(stat(dir.file("archive/" + stored[0]), &st) == 0 && st.st_mode & 0o777 == 0o600)
    #expect(stat(dir.file("archive/objects"), &st) == 0 && st.st_mode & 0o777 == 0o700)
    #expect(stat(dir.file("archive/index.sqlite"), &st) == 0 && st.st_mode & 0o777 == 0o600)
  }

  @Test func a_symlink_planted_inside_the_store_is_not_followed() throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let outside = dir.file("outside")
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    // Replace every shard directory with a link, so whatever UUID comes next meets one.
    for a in 0..<256 {
      let shard = String(format: "%02x", a)
      try? FileManager.default.removeItem(atPath: dir.file("archive/objects/\(shard)"))
      try FileManager.default.createSymbolicLink(
        atPath: dir.file("archive/objects/\(shard)"), withDestinationPath: outside)
    }
    #expect(throws: ArchiveError.self) { _ = try archive.store.write([1, 2, 3]) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
  }

  @Test func link_mode_indexes_files_in_place() throws {
    let dir = try TemporaryDirectory()
    try Self.study(dir, "media", subject: Self.subject(4, name: "LINK^ME", date: "20260301"), count: 2)
    let archive = try LocalArchive(root: dir.file("archive"))
    #expect(try Importer(archive: archive, link: true).run([dir.file("media")]).imported == 2)
    let series = SyntheticData.uid(4, 1)
    let paths = try archive.instancePaths(seriesInstanceUID: series)
    #expect(paths.count == 2)
    #expect(paths.allSatisfy { $0.hasPrefix(dir.file("media")) })
    #expect(!FileManager.default.fileExists(atPath: dir.file("archive/objects/") + "nothing"))
  }

  @Test func a_dicomdir_path_imports_the_media_folder() throws {
    let dir = try TemporaryDirectory()
    try Self.study(dir, "cd", subject: Self.subject(5, name: "CD^ROM", date: "20260302"), count: 2)
    #expect(FileManager.default.createFile(atPath: dir.file("cd/DICOMDIR"), contents: Data([0])))
    let archive = try LocalArchive(root: dir.file("archive"))
    let summary = try Importer(archive: archive).run([dir.file("cd/DICOMDIR")])
    #expect(summary.imported == 2)
  }
}

import DICOM
import Foundation
import TestSupport
import Testing

/// `biloba media` writes studies as DICOM media that other tools read: pydicom's FileSet finds every
/// object through the DICOMDIR's records and each file is the one its record names, dcmdump reads the
/// DICOMDIR, dicom3tools' dciodvfy finds no error in it; `biloba import` of the DICOMDIR brings back
/// what its records name and nothing else in the folder.
@Suite struct MediaCommandTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  static func environment(_ dir: TemporaryDirectory, data: String = "data") -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["XDG_DATA_HOME"] = dir.file(data)
    env["XDG_CONFIG_HOME"] = dir.file("config")
    return env
  }

  /// The samples' objects by SOP Instance UID (path), and their studies.
  static func samples() throws -> (files: [String: String], studies: [String]) {
    var files: [String: String] = [:]
    var studies: Set<String> = []
    for folder in ["ct-head", "names", "misc"] {
      for name in try FileManager.default.contentsOfDirectory(atPath: root + "/Samples/" + folder) {
        let path = root + "/Samples/" + folder + "/" + name
        let file = try DICOMFile.read(path: path, options: ReadOptions(stopBeforePixelData: true))
        files[try #require(file.dataset.string(Tag.sopInstanceUID))] = path
        studies.insert(try #require(file.dataset.string(.studyInstanceUID)))
      }
    }
    return (files, studies.sorted())
  }

  @Test func every_sample_study_as_media_is_read_by_pydicom_dcmdump_and_dciodvfy_and_imported_back() throws {
    for tool in ["python3", "dcmdump", "dciodvfy"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install python3-pydicom dcmtk dicom3tools)")
      return
    }
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    let (files, studies) = try Self.samples()
    let imported = try ProcessRunner.run(b, ["import", Self.root + "/Samples"], environment: Self.environment(dir))
    #expect(imported.status == 0, "\(imported.stderr)")
    let out = dir.file("media")
    let written = try ProcessRunner.run(
      b, ["media", "-o", out] + studies.flatMap { ["--study", $0] }, environment: Self.environment(dir))
    #expect(written.status == 0, "\(written.stderr)")
    #expect(written.stdout.contains("wrote \(files.count) objects of \(studies.count) studies"), "\(written.stdout)")

    // pydicom walks the records; each names a file holding the instance the record says.
    let script = """
      import sys
      from pydicom import dcmread
      from pydicom.fileset import FileSet
      fs = FileSet(dcmread(sys.argv[1]))
      for instance in fs:
          held = dcmread(instance.path, stop_before_pixels=True)
          assert held.SOPInstanceUID == instance.ReferencedSOPInstanceUIDInFile, instance.path
          print(instance.ReferencedSOPInstanceUIDInFile, instance.path)
      """
    let read = try ProcessRunner.run("python3", ["-c", script, out + "/DICOMDIR"])
    #expect(read.status == 0, "\(read.stderr)")
    var found: [String: String] = [:]
    for line in read.stdout.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      if parts.count == 2 { found[parts[0]] = parts[1] }
    }
    #expect(Set(found.keys) == Set(files.keys), "pydicom found \(found.count) of \(files.count)")
    // Every object on the media is the sample, byte for byte.
    for (uid, path) in found {
      let original = try #require(files[uid])
      #expect(FileManager.default.contentsEqual(atPath: path, andPath: original), "\(path) is not \(original)")
    }

    let dump = try ProcessRunner.run("dcmdump", [out + "/DICOMDIR"])
    #expect(dump.status == 0, "\(dump.stderr)")
    #expect(dump.stdout.contains("\"PATIENT\"") || dump.stdout.contains("[PATIENT]"), "\(dump.stdout.prefix(2000))")
    let check = try ProcessRunner.run("dciodvfy", [out + "/DICOMDIR"])
    let errors = (check.stdout + check.stderr).split(separator: "\n").filter { $0.hasPrefix("Error") }
    #expect(errors.isEmpty, "\(check.stdout)\(check.stderr)")

    // Back in through the DICOMDIR: what its records name, not a stray file beside them.
    let stray = out + "/DICOM/STRAY"
    var other = try DICOMFile.read(path: try #require(files.values.first)).dataset
    try other.set(Tag.sopInstanceUID, .UI, "2.25.1234567890")
    try other.set(.studyInstanceUID, .UI, "2.25.1234567891")
    try DICOMFile(dataset: other, transferSyntax: .explicitVRLittleEndian).write(to: stray)
    let back = try ProcessRunner.run(
      b, ["import", out + "/DICOMDIR"], environment: Self.environment(dir, data: "again"))
    #expect(back.status == 0, "\(back.stderr)")
    #expect(back.stdout.contains("imported \(files.count),"), "\(back.stdout)")
    let list = try ProcessRunner.run(b, ["studies", "--json"], environment: Self.environment(dir, data: "again"))
    #expect(!list.stdout.contains("2.25.1234567891"), "the stray file was imported")
    for study in studies { #expect(list.stdout.contains(study), "\(study) did not come back") }
  }

  @Test func media_written_in_lower_case_elsewhere_are_still_found_through_their_records() throws {
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    let (files, _) = try Self.samples()
    _ = try ProcessRunner.run(b, ["import", Self.root + "/Samples/ct-head"], environment: Self.environment(dir))
    let headStudy = try #require(
      try DICOMFile.read(
        path: Self.root + "/Samples/ct-head/slice001.dcm", options: ReadOptions(stopBeforePixelData: true)
      )
      .dataset.string(.studyInstanceUID))
    let out = dir.file("media")
    let written = try ProcessRunner.run(
      b, ["media", "--study", headStudy, "-o", out], environment: Self.environment(dir))
    #expect(written.status == 0, "\(written.stderr)")
    // As a system that lower-cases names would copy them.
    let lowered = try ProcessRunner.run(
      "sh",
      [
        "-c",
        "cd '\(out)' && find DICOM -depth -mindepth 1 | while read p; do "
          + "mv \"$p\" \"$(dirname \"$p\")/$(basename \"$p\" | tr A-Z a-z)\"; done && mv DICOM dicom && ls dicom",
      ])
    #expect(lowered.status == 0 && lowered.stdout.contains("pat00001"), "\(lowered.stderr)")
    let back = try ProcessRunner.run(
      b, ["import", out + "/DICOMDIR"], environment: Self.environment(dir, data: "again"))
    let count = files.values.filter { $0.contains("ct-head") }.count
    #expect(back.stdout.contains("imported \(count),"), "\(back.stdout) \(back.stderr)")
  }

  @Test func a_record_whose_file_is_a_link_is_skipped_and_a_missing_file_is_a_failure() throws {
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    _ = try ProcessRunner.run(b, ["import", Self.root + "/Samples/ct-head"], environment: Self.environment(dir))
    let out = dir.file("media")
    let written = try ProcessRunner.run(
      b, ["media", "--study", "2.25.98230487216347812364012873645001.1", "-o", out], environment: Self.environment(dir))
    #expect(written.status == 0, "\(written.stderr)")
    // A planted link where a record's file was (to a file of another patient), and a file gone.
    let series = out + "/DICOM/PAT00001/STU00001/SER00001"
    try FileManager.default.removeItem(atPath: series + "/IMG00001")
    try FileManager.default.createSymbolicLink(
      atPath: series + "/IMG00001", withDestinationPath: Self.root + "/Samples/names/name01.dcm")
    try FileManager.default.removeItem(atPath: series + "/IMG00002")
    let back = try ProcessRunner.run(
      b, ["import", out + "/DICOMDIR"], environment: Self.environment(dir, data: "again"))
    #expect(back.stdout.contains("imported 22,") && back.stdout.contains("failed 1"), "\(back.stdout)")
    #expect(back.stdout.contains("skipped 1"), "\(back.stdout)")
    #expect(back.stderr.contains("IMG00002"), "\(back.stderr)")
    let list = try ProcessRunner.run(b, ["studies", "--json"], environment: Self.environment(dir, data: "again"))
    #expect(!list.stdout.contains("2.25.98230487216347812364012873645001.10"), "the link was followed")
  }

  @Test func archives_and_media_named_by_one_letter_or_under_missing_folders_are_made() throws {
    // Foundation's deletingLastPathComponent traps on "a"; XDG_DATA_HOME may not exist on a fresh account.
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    let run = try ProcessRunner.run(
      "sh",
      [
        "-c",
        "cd '\(dir.path)' && '\(b)' import '\(Self.root)/Samples/misc' --archive a && '\(b)' media --archive a "
          + "--study 2.25.98230487216347812364012873645001.1 -o m && '\(b)' import '\(Self.root)/Samples/misc' "
          + "--archive deep/er/archive",
      ], environment: Self.environment(dir, data: "not/yet/there"))
    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.file("m/DICOMDIR")))
    #expect(FileManager.default.fileExists(atPath: dir.file("deep/er/archive/index.sqlite")))
  }

  @Test func media_go_into_a_new_or_empty_folder_and_name_studies_the_archive_holds() throws {
    let dir = try TemporaryDirectory()
    let b = try BuiltProducts.biloba()
    let busy = dir.file("busy")
    try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: true)
    try "mine".write(toFile: busy + "/notes.txt", atomically: true, encoding: .utf8)
    _ = try ProcessRunner.run(b, ["import", Self.root + "/Samples/misc"], environment: Self.environment(dir))
    let study = try #require(try Self.samples().studies.first)
    let intoBusy = try ProcessRunner.run(
      b, ["media", "--study", study, "-o", busy], environment: Self.environment(dir))
    #expect(intoBusy.status == 1 && intoBusy.stderr.contains("not empty"), "\(intoBusy.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: busy) == ["notes.txt"])
    let unknown = try ProcessRunner.run(
      b, ["media", "--study", "2.25.42", "-o", dir.file("new")], environment: Self.environment(dir))
    #expect(unknown.status == 1 && unknown.stderr.contains("not in the archive"), "\(unknown.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("new")))
  }
}

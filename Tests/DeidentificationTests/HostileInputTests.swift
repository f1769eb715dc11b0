import DICOM
import Deidentification
import Foundation
import SyntheticData
import TestSupport
import Testing

/// What a file says cannot make de-identification hang, trap or write outside its folder.
@Suite struct DeidentificationHostileInputTests {
  static func file(_ edit: (inout Dataset) throws -> Void) throws -> DICOMFile {
    var d = try #require(try SyntheticData.ctSeries(count: 1, rows: 8, columns: 8).first)
    try d.set(Tag.burnedInAnnotation, .CS, "NO")
    try edit(&d)
    return DICOMFile(dataset: d, transferSyntax: .explicitVRLittleEndian)
  }

  @Test func a_patient_named_with_xs_is_cleaned_once_not_forever() throws {
    let input = try Self.file { d in
      try d.set(Tag.patientName, .PN, "XXXX^XXX")
      try d.set(Tag.studyDescription, .LO, "CT for XXXX xxxx")
    }
    let settings = DeidentificationSettings(options: [.cleanDescriptors])
    let out = try Deidentifier(settings: settings, key: ProfileConformanceTests.key).deidentify(input)
    #expect(out.dataset.string(Tag.studyDescription) == "CT for XXXX XXXX")
  }

  @Test func a_kept_uid_that_is_a_path_does_not_choose_where_the_output_goes() throws {
    let dir = try TemporaryDirectory()
    let input = try Self.file { d in
      try d.set(Tag.studyInstanceUID, .UI, "../../escaped")
      try d.set(Tag.sopInstanceUID, .UI, "../../../x")
    }
    try input.write(to: dir.file("hostile.dcm"))
    let run = DeidentificationRun(
      deidentifier: Deidentifier(
        settings: DeidentificationSettings(options: [.retainUIDs]), key: ProfileConformanceTests.key))
    let summary = try run.run(files: [dir.file("hostile.dcm")], into: dir.file("out"))
    let written = try #require(summary.written.first)
    #expect(written.hasPrefix(dir.file("out") + "/") && !written.contains(".."), "\(written)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("escaped")))
    #expect(try DICOMFile.read(path: written).dataset.string(Tag.studyInstanceUID) == "../../escaped")
  }

  @Test func a_header_that_lies_about_its_frames_is_refused_for_blanking_not_a_trap() throws {
    // 65535 x 65535 x 2 bytes x 2e9 frames overflows a 64-bit size.
    let input = try Self.file { d in
      try d.set(Tag.numberOfFrames, .IS, "2000000000")
      d.set(Tag.rows, .US, integers: [UInt16(65535)])
      d.set(Tag.columns, .US, integers: [UInt16(65535)])
    }
    let settings = DeidentificationSettings(blank: [PixelRegion(x: 0, y: 0, width: 2, height: 2)])
    #expect(throws: DeidentificationError.self) {
      try Deidentifier(settings: settings, key: ProfileConformanceTests.key).deidentify(input)
    }
  }
}

/// The key file: made private on first use, refused when malformed or readable by others.
@Suite struct PseudonymKeyFileTests {
  @Test func a_key_is_made_once_private_and_read_back_the_same() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("keys/deid.key")
    let made = try PseudonymKey.loadOrCreate(path: path)
    let again = try PseudonymKey.loadOrCreate(path: path)
    let file = DICOMFile(
      dataset: try #require(try SyntheticData.ctSeries(count: 1, rows: 4, columns: 4).first),
      transferSyntax: .explicitVRLittleEndian)
    let a = try Deidentifier(settings: .init(), key: made).deidentify(file).dataset.string(Tag.patientID)
    let b = try Deidentifier(settings: .init(), key: again).deidentify(file).dataset.string(Tag.patientID)
    #expect(a == b)
    #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
  }

  @Test(arguments: [
    ("zz" + String(repeating: "0", count: 62), 0o600), (String(repeating: "ab", count: 31), 0o600),
    (String(repeating: "ab", count: 32), 0o644),
  ])
  func a_malformed_or_shared_key_is_refused(text: String, mode: Int) throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("deid.key")
    try (text + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    #expect(throws: DeidentificationError.self) { try PseudonymKey.load(path: path) }
  }
}

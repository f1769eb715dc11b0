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

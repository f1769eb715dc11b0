import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// `biloba dump` run as a user runs it: the executable, its stdout, stderr and exit status.
@Suite struct DumpCommandTests {
  static func biloba() throws -> String { try BuiltProducts.biloba() }

  static func sample(_ dir: TemporaryDirectory) throws -> String {
    let path = dir.file("every-vr.dcm")
    try DICOMFile(dataset: try SyntheticData.everyVR(), transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
  }

  @Test func dump_lists_meta_group_and_dataset_one_element_a_line() throws {
    let dir = try TemporaryDirectory()
    let out = try ProcessRunner.run(try Self.biloba(), ["dump", try Self.sample(dir)])
    #expect(out.status == 0)
    let lines = out.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("(0002,0010) UI =ExplicitVRLittleEndian") })
    #expect(lines.contains { $0.hasPrefix("(0010,0010) PN [DOE^JANE]") && $0.hasSuffix("#   8, 1 PatientName") })
    #expect(lines.contains { $0.hasPrefix("  (fffe,e000) na (Item with explicit length #=2)") })
    #expect(lines.contains { $0.hasPrefix("    (0040,a730) SQ (Sequence with undefined length #=2)") })
  }

  @Test func an_unreadable_file_gives_one_line_on_stderr_and_the_others_still_dump() throws {
    let dir = try TemporaryDirectory()
    let bad = dir.file("bad.dcm")
    #expect(FileManager.default.createFile(atPath: bad, contents: Data("not dicom at all".utf8)))
    let good = try Self.sample(dir)
    let out = try ProcessRunner.run(try Self.biloba(), ["dump", bad, dir.file("missing.dcm"), good])
    #expect(out.status == 1)
    let errors = out.stderr.split(separator: "\n")
    #expect(errors.count == 2)
    #expect(errors.first?.contains("bad.dcm: not DICOM") == true)
    #expect(errors.last?.contains("missing.dcm: No such file or directory") == true)
    #expect(out.stdout.contains("(0010,0010) PN [DOE^JANE]"))
  }

  @Test func long_values_are_cut_unless_all_is_asked_for() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("ct.dcm")
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 0, of: 1, rows: 64, columns: 64),
      transferSyntax: .explicitVRLittleEndian
    )
    .write(to: path)
    let short = try ProcessRunner.run(try Self.biloba(), ["dump", path])
    let pixelLine = try #require(short.stdout.split(separator: "\n").first { $0.hasPrefix("(7fe0,0010)") })
    #expect(pixelLine.contains("..."))
    #expect(pixelLine.count < 140)
    let all = try ProcessRunner.run(try Self.biloba(), ["dump", "--all", path])
    let fullLine = try #require(all.stdout.split(separator: "\n").first { $0.hasPrefix("(7fe0,0010)") })
    #expect(fullLine.count > 64 * 64 * 5)
  }

  @Test func json_output_is_the_dicom_json_model() throws {
    let dir = try TemporaryDirectory()
    let out = try ProcessRunner.run(try Self.biloba(), ["dump", "--json", try Self.sample(dir)])
    #expect(out.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    let name = try #require(object["00100010"] as? [String: Any])
    #expect(name["vr"] as? String == "PN")
    #expect(((name["Value"] as? [[String: String]])?.first)?["Alphabetic"] == "DOE^JANE")
    let ob = try #require(object["00720065"] as? [String: Any])
    #expect(ob["InlineBinary"] as? String == "AQID/g==")
    let sequence = try #require(object["0040A730"] as? [String: Any])
    #expect((sequence["Value"] as? [Any])?.count == 1)
    #expect(object["00020010"] == nil)  // the file meta group is not part of the dataset
  }

  @Test func escape_sequences_in_strings_never_reach_the_terminal() throws {
    let dir = try TemporaryDirectory()
    var ds = try SyntheticData.everyVR()
    ds.set(Element(tag: Tag(0x0010, 0x0010), vr: .PN, bytes: Array("EVIL\u{1B}]2;pwned\u{07}^X".utf8)))
    let path = dir.file("evil.dcm")
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    let out = try ProcessRunner.run(try Self.biloba(), ["dump", path])
    #expect(!out.stdout.contains("\u{1B}"))
    #expect(!out.stdout.contains("\u{07}"))
  }
}

import DICOM
import Deidentification
import Foundation
import TestSupport
import Testing

/// Objects made by other software (pydicom's test files: CT, MR in four syntaxes, JPEG 2000, RLE,
/// deflate, SR, RT plan, dose and structure set, segmentation, overlays) de-identified, then checked
/// by dicom3tools' dciodvfy and beside dicognito.
@Suite struct ThirdPartyFileTests {
  static let names = [
    "CT_small", "MR_small", "MR_small_bigendian", "MR_small_RLE", "JPEG2000", "image_dfl", "liver_1frame", "reportsi",
    "rtplan", "rtdose", "rtstruct", "examples_overlay",
  ]

  static func pydicomFiles() throws -> [String] {
    let out = try ProcessRunner.run(
      "python3", ["-c", "import os, pydicom.data as d; print(os.path.dirname(d.get_testdata_file('CT_small.dcm')))"])
    try #require(out.status == 0, "pydicom is needed: \(out.stderr)")
    let folder = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return names.map { "\(folder)/\($0).dcm" }
  }

  static func deidentify(_ path: String, into directory: TemporaryDirectory) throws -> (DICOMFile, DICOMFile, String) {
    let input = try DICOMFile.read(path: path, options: ReadOptions(loadBulkData: true))
    let settings = DeidentificationSettings(allowBurnedIn: true)
    let output = try Deidentifier(settings: settings, key: ProfileConformanceTests.key).deidentify(input)
    let target = directory.file((path as NSString).lastPathComponent)
    try output.write(to: target)
    return (input, try DICOMFile.read(path: target, options: ReadOptions(loadBulkData: true)), target)
  }

  /// dciodvfy's errors, values and numbers (UIDs) taken out: they change by design.
  static func errors(_ path: String) throws -> [String: Int] {
    let out = try ProcessRunner.run("dciodvfy", [path])
    var counts: [String: Int] = [:]
    for line in (out.stdout + out.stderr).split(separator: "\n") where line.hasPrefix("Error") {
      let normalized = line.replacingOccurrences(of: #"<[^>]*>"#, with: "<>", options: .regularExpression)
        .replacingOccurrences(of: #"[0-9][0-9.]*"#, with: "N", options: .regularExpression)
      counts[normalized, default: 0] += 1
    }
    return counts
  }

  @Test func dciodvfy_finds_no_error_in_the_output_that_the_input_did_not_have() throws {
    try #require(ProcessRunner.isInstalled("dciodvfy"), "dciodvfy (Debian's dicom3tools) is needed")
    let dir = try TemporaryDirectory()
    var checked = 0
    for path in try Self.pydicomFiles() {
      let (_, _, written) = try Self.deidentify(path, into: dir)
      let before = try Self.errors(path)
      let after = try Self.errors(written)
      let new = after.filter { $0.value > before[$0.key] ?? 0 }
      #expect(new.isEmpty, "\((path as NSString).lastPathComponent): new errors \(new.keys.sorted())")
      checked += 1
    }
    #expect(checked == Self.names.count)
  }

  @Test func pixel_data_is_byte_identical_in_every_syntax() throws {
    let dir = try TemporaryDirectory()
    for path in try Self.pydicomFiles() {
      let (input, output, _) = try Self.deidentify(path, into: dir)
      guard let pixels = input.dataset[Tag.pixelData] else { continue }
      #expect(output.dataset[Tag.pixelData]?.value == pixels.value, "\((path as NSString).lastPathComponent)")
      #expect(output.transferSyntax == input.transferSyntax)
    }
  }

  /// Names, IDs, dates and UIDs that dicognito replaces in these files, Biloba replaces or removes.
  @Test func what_dicognito_replaces_in_real_files_biloba_does_not_keep() throws {
    let dir = try TemporaryDirectory()
    let identifying: [DICOM.Tag] = [
      Tag(0x0010, 0x0010), Tag(0x0010, 0x0020), Tag(0x0010, 0x0030), Tag(0x0008, 0x0050), Tag(0x0008, 0x0020),
      Tag(0x0008, 0x0080), Tag(0x0008, 0x0090), Tag(0x0020, 0x000D), Tag(0x0020, 0x000E), Tag(0x0008, 0x0018),
      Tag(0x0020, 0x0052), Tag(0x0008, 0x1070), Tag(0x0008, 0x1010),
    ]
    var compared = 0
    var skipped: [String] = []
    for path in try Self.pydicomFiles() {
      let peerDir = dir.file("dicognito-" + (path as NSString).lastPathComponent)
      let theirFiles = try PeerAgreementTests.dicognito(path, into: peerDir)
      // dicognito 0.19.0 writes nothing for the RT structure set and says nothing of it.
      guard let theirs = theirFiles.first?.dataset else {
        skipped.append((path as NSString).lastPathComponent)
        continue
      }
      let (input, ours, _) = try Self.deidentify(path, into: dir)
      for tag in identifying {
        guard let original = input.dataset.strings(tag), original.contains(where: { !$0.isEmpty }) else { continue }
        let theyChanged = theirs.strings(tag) != original
        let weKept = ours.dataset.strings(tag) == original
        if theyChanged {
          compared += 1
          #expect(!weKept, "\((path as NSString).lastPathComponent) \(tag): dicognito replaced it, Biloba kept it")
        }
      }
    }
    #expect(compared > 40, "\(compared) values compared")
    #expect(skipped.count <= 1, "dicognito wrote nothing for \(skipped)")
  }
}

import DICOM
import Deidentification
import Foundation
import SyntheticData
import TestSupport
import Testing

/// What is not de-identified says why, and leaves nothing behind.
@Suite struct RefusalTests {
  static func image(_ dir: TemporaryDirectory, name: String, modality: String = "CT", burnedIn: String?) throws
    -> String
  {
    var d = try #require(try SyntheticData.ctSeries(count: 1, rows: 8, columns: 8).first)
    try d.set(Tag(0x0008, 0x0060), .CS, modality)
    if let burnedIn { try d.set(Tag(0x0028, 0x0301), .CS, burnedIn) }
    let path = dir.file(name)
    try DICOMFile(dataset: d, transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
  }

  static func run(_ files: [String], into output: String, settings: DeidentificationSettings = .init())
    throws(DeidentificationRun.Failure) -> DeidentificationRun.Summary
  {
    try DeidentificationRun(deidentifier: Deidentifier(settings: settings, key: ProfileConformanceTests.key))
      .run(files: files, into: output)
  }

  @Test(arguments: [("YES", "CT"), (nil, "US"), (nil, "SC"), (nil, "XA")] as [(String?, String)])
  func an_image_that_may_show_burned_in_text_is_refused_and_nothing_is_written(burnedIn: String?, modality: String)
    throws
  {
    let dir = try TemporaryDirectory()
    let good = try Self.image(dir, name: "good.dcm", burnedIn: "NO")
    let bad = try Self.image(dir, name: "bad.dcm", modality: modality, burnedIn: burnedIn)
    let error = #expect(throws: DeidentificationRun.Failure.self) {
      try Self.run([good, bad], into: dir.file("out"))
    }
    let text = error?.description ?? ""
    #expect(text.contains("bad.dcm") && text.contains("burned-in") && text.contains("--blank"), "\(text)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    // Allowed, it is written.
    let summary = try Self.run([good, bad], into: dir.file("out"), settings: .init(allowBurnedIn: true))
    #expect(summary.written.count == 2)
  }

  @Test func an_unreadable_file_is_named_with_its_reason_and_nothing_is_written() throws {
    let dir = try TemporaryDirectory()
    let good = try Self.image(dir, name: "good.dcm", burnedIn: "NO")
    try Data("not DICOM at all".utf8).write(to: URL(fileURLWithPath: dir.file("junk.dcm")))
    let error = #expect(throws: DeidentificationRun.Failure.self) {
      try Self.run([good, dir.file("junk.dcm")], into: dir.file("out"))
    }
    #expect(error?.description.contains("junk.dcm: not readable as DICOM") == true, "\(error?.description ?? "")")
    #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
  }

  @Test func blanking_zeroes_the_region_in_every_frame_and_leaves_the_rest() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.image(dir, name: "us.dcm", modality: "US", burnedIn: "YES")
    let region = PixelRegion(x: 1, y: 2, width: 3, height: 2)
    let summary = try Self.run([path], into: dir.file("out"), settings: .init(blank: [region]))
    let input = try DICOMFile.read(path: path, options: ReadOptions(loadBulkData: true)).dataset
    let output = try DICOMFile.read(path: try #require(summary.written.first), options: ReadOptions(loadBulkData: true))
      .dataset
    let before = try #require(input[Tag.pixelData]?.bytes)
    let after = try #require(output[Tag.pixelData]?.bytes)
    for y in 0..<8 {
      for x in 0..<8 {
        let i = (y * 8 + x) * 2
        let inside = (1..<4).contains(x) && (2..<4).contains(y)
        #expect(Array(after[i..<i + 2]) == (inside ? [0, 0] : Array(before[i..<i + 2])), "pixel \(x),\(y)")
      }
    }
    #expect(output.string(Tag(0x0028, 0x0301)) == "NO")
    let codes = (output.items(Tag(0x0012, 0x0064)) ?? []).compactMap { $0.string(Tag(0x0008, 0x0100)) }
    #expect(codes.contains("113101"))
  }

  @Test func blanking_compressed_pixels_is_refused_with_how_to_decompress() throws {
    let dir = try TemporaryDirectory()
    let source = try Self.image(dir, name: "ct.dcm", burnedIn: "NO")
    try #require(ProcessRunner.isInstalled("dcmcjpeg"), "DCMTK is needed")
    let compressed = dir.file("ct-jpeg.dcm")
    let peer = try ProcessRunner.run("dcmcjpeg", ["+e1", source, compressed])  // DCMTK: JPEG lossless
    try #require(peer.status == 0, "\(peer.stderr)")
    let error = #expect(throws: DeidentificationRun.Failure.self) {
      try Self.run(
        [compressed], into: dir.file("out"), settings: .init(blank: [PixelRegion(x: 0, y: 0, width: 2, height: 2)]))
    }
    #expect(error?.description.contains("decompress it first") == true, "\(error?.description ?? "")")
  }
}

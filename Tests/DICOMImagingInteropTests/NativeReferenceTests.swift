import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Uncompressed decoding and windowing checked against independent readers: pydicom's pixel_array for
/// the stored values, DCMTK's dcmj2pnm for the windowed 8-bit image.
@Suite struct NativeReferenceTests {
  @Test func stored_values_match_pydicom_pixel_array() throws {
    let dir = try TemporaryDirectory()
    var paths: [String] = []
    for source in try SyntheticData.imagingSources(size: 24) {
      let path = dir.file("\(source.name).dcm")
      try DICOMFile(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian).write(to: path)
      paths.append(path)
    }
    let script = """
      import sys, json, pydicom
      out = []
      for p in sys.argv[1:]:
          a = pydicom.dcmread(p).pixel_array
          out.append([int(v) for v in a.reshape(-1)])
      print(json.dumps(out))
      """
    let result = try ProcessRunner.run("python3", ["-c", script] + paths)
    #expect(result.status == 0, "\(result.stderr)")
    let theirs = try JSONDecoder().decode([[Int]].self, from: Data(result.stdout.utf8))
    for (path, expected) in zip(paths, theirs) {
      let image = try DICOMImage(file: try DICOMFile.read(path: path))
      var ours: [Int] = []
      for f in 0..<image.frameCount { ours += try image.decodeFrame(f).values.map(Int.init) }
      #expect(ours == expected, "\(path)")
    }
  }

  static func readPGM(_ path: String) throws -> (width: Int, height: Int, pixels: [UInt8]) {
    let pgm = try PNM(path: path)
    return (pgm.width, pgm.height, pgm.values.map { UInt8(clamping: $0) })
  }

  @Test(arguments: [
    ("ct16-signed", 40.0, 400.0), ("ct16-signed", -600, 1500), ("mr12-unsigned", 2048, 4096),
    ("mr12-unsigned", 1000, 300), ("mono1-8", 128, 256), ("gray8", 100, 50),
  ])
  func windowed_output_matches_dcmj2pnm_within_one_gray_level(name: String, center: Double, width: Double) throws {
    let dir = try TemporaryDirectory()
    let source = try #require(try SyntheticData.imagingSources().first { $0.name == name })
    let path = dir.file("in.dcm")
    try DICOMFile(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian).write(to: path)
    let pgm = dir.file("out.pgm")
    let run = try ProcessRunner.run("dcmj2pnm", ["+Ww", String(center), String(width), path, pgm])
    #expect(run.status == 0, "\(run.stderr)")
    let theirs = try Self.readPGM(pgm)
    let image = try DICOMImage(file: try DICOMFile.read(path: path))
    let rendered = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image, options: DisplayOptions(voi: .window(Window(center: center, width: width))))
    #expect(rendered.raster.width == theirs.width && rendered.raster.height == theirs.height)
    let diff = zip(rendered.raster.pixels, theirs.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    #expect(diff <= 1, "\(name) \(center)/\(width): max difference \(diff)")
  }
}

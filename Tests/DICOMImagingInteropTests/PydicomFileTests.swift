import DICOM
import DICOMImaging
import Foundation
import TestSupport
import Testing

/// Files made by other software that pydicom ships, decoded as pydicom decodes them: each case here was
/// a bug found by that comparison.
@Suite struct PydicomFileTests {
  static func pydicomFolder() throws -> String {
    let out = try ProcessRunner.run(
      "python3", ["-c", "import os, pydicom.data as d; print(os.path.dirname(d.get_testdata_file('CT_small.dcm')))"])
    try #require(out.status == 0, "pydicom is needed: \(out.stderr)")
    return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test(arguments: [
    // 32-bit unsigned samples above 2^31 came out clamped (their top bit lost).
    "SC_rgb_rle_32bit.dcm", "SC_rgb_rle_32bit_2frame.dcm",
    // JPEG baseline whose file says RGB: the components are RGB, not YCbCr (no marker; a short Adobe one).
    "SC_jpeg_no_color_transform.dcm", "SC_jpeg_no_color_transform_2.dcm", "SC_rgb_jpeg.dcm",
    // 8-bit big endian OW of odd length: the last byte sits in the padded last word.
    "SC_rgb_small_odd_big_endian.dcm",
  ])
  func every_frame_equals_pydicom_pixel_array(name: String) throws {
    let path = try Self.pydicomFolder() + "/" + name
    let script = """
      import sys, json, warnings, pydicom
      warnings.simplefilter("ignore")
      print(json.dumps([int(v) for v in pydicom.dcmread(sys.argv[1]).pixel_array.reshape(-1)]))
      """
    let result = try ProcessRunner.run("python3", ["-c", script, path])
    try #require(result.status == 0, "\(result.stderr)")
    let theirs = try JSONDecoder().decode([Int].self, from: Data(result.stdout.utf8))
    let image = try DICOMImage(file: try DICOMFile.read(path: path))
    var ours: [Int] = []
    for f in 0..<image.frameCount {
      let frame = Photometric.toRGB(try image.decodeFrame(f))
      ours += frame.values.map { Int(frame.numeric($0)) }
    }
    #expect(ours.count == theirs.count)
    let differing = zip(ours, theirs).filter { $0 != $1 }.count
    #expect(differing == 0, "\(name): \(differing) of \(theirs.count) values differ")
  }

  @Test func a_dataset_written_implicit_under_an_explicit_syntax_is_read_with_a_warning() throws {
    let file = try DICOMFile.read(path: try Self.pydicomFolder() + "/SC_rgb_jpeg.dcm")
    #expect(file.warnings == ["the transfer syntax says explicit VR, the dataset is implicit VR: read as implicit"])
    #expect(!file.transferSyntax.isExplicitVR && file.transferSyntax.uid == "1.2.840.10008.1.2.4.50")
    #expect(file.dataset.int(Tag(0x0028, 0x0010)) == 256)
  }
}

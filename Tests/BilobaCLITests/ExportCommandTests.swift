import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

/// `biloba export` run as a user runs it.
@Suite struct ExportCommandTests {
  static func ctFile(_ dir: TemporaryDirectory) throws -> String {
    let path = dir.file("ct.dcm")
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 6, of: 12, rows: 32, columns: 48),
      transferSyntax: .explicitVRLittleEndian
    ).write(to: path)
    return path
  }

  @Test func raw_export_holds_the_decoded_values_little_endian_at_bits_allocated() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.ctFile(dir)
    let out = try ProcessRunner.run(try DumpCommandTests.biloba(), ["export", path, "--raw", "-o", dir.file("v.raw")])
    #expect(out.status == 0, "\(out.stderr)")
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("v.raw"))))
    let expected = try DICOMImage(path: path).decodeFrame(0).values
    #expect(bytes.count == 32 * 48 * 2)
    let values = stride(from: 0, to: bytes.count, by: 2).map {
      Int32(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8))
    }
    #expect(values == expected)
  }

  @Test func png_and_pgm_exports_are_windowed_with_the_preset() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.ctFile(dir)
    let biloba = try DumpCommandTests.biloba()
    #expect(try ProcessRunner.run(biloba, ["export", path, "--preset", "brain", "-o", dir.file("a.png")]).status == 0)
    #expect(try ProcessRunner.run(biloba, ["export", path, "--window", "40,80", "-o", dir.file("a.pgm")]).status == 0)
    let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("a.png"))))
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    let pgm = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("a.pgm"))))
    #expect(pgm.starts(with: Array("P5\n48 32\n255\n".utf8)))
    let image = try DICOMImage(path: path)
    let rendered = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image, options: DisplayOptions(voi: .window(Window(center: 40, width: 80))))
    #expect(Array(pgm.suffix(48 * 32)) == rendered.raster.pixels)
  }

  @Test func bad_arguments_and_bad_files_fail_with_one_clear_line() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.ctFile(dir)
    let biloba = try DumpCommandTests.biloba()
    let preset = try ProcessRunner.run(biloba, ["export", path, "--preset", "nope", "-o", dir.file("x.png")])
    #expect(preset.status != 0 && preset.stderr.contains("unknown preset 'nope'"))
    let frame = try ProcessRunner.run(biloba, ["export", path, "--frame", "2", "-o", dir.file("x.png")])
    #expect(frame.status != 0 && frame.stderr.contains("frame 2 requested, the image has 1"))
    let format = try ProcessRunner.run(biloba, ["export", path, "-o", dir.file("x.tiff")])
    #expect(format.status != 0 && format.stderr.contains("unknown output format"))
    #expect(!FileManager.default.fileExists(atPath: dir.file("x.png")))
  }

  @Test func an_unsupported_syntax_is_named() throws {
    let dir = try TemporaryDirectory()
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8)
    ds.set(
      Element(
        tag: .pixelData, vr: .OB, value: .fragments(EncapsulatedPixelData(fragments: [.bytes([0, 0, 0, 1])])),
        undefinedLength: true))
    let path = dir.file("video.dcm")
    try DICOMFile(dataset: ds, transferSyntax: TransferSyntax.from(uid: "1.2.840.10008.1.2.4.102")).write(to: path)
    let out = try ProcessRunner.run(try DumpCommandTests.biloba(), ["export", path, "-o", dir.file("v.png")])
    #expect(out.status != 0)
    #expect(out.stderr.contains("MPEG-4 AVC/H.264 High Profile / Level 4.1"))
    #expect(out.stderr.contains("is not supported"))
  }
}

/// A window with a negative centre (a lung window) given after a space, as people type it.
@Suite struct NegativeWindowTests {
  @Test func a_negative_centre_after_a_space_is_a_window_not_an_option() throws {
    let dir = try TemporaryDirectory()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    let b = try BuiltProducts.biloba()
    let spaced = try ProcessRunner.run(
      b, ["export", root + "/Samples/ct-head/slice010.dcm", "--window", "-600,1500", "-o", dir.file("a.png")])
    #expect(spaced.status == 0, "\(spaced.stderr)")
    let joined = try ProcessRunner.run(
      b, ["export", root + "/Samples/ct-head/slice010.dcm", "--window=-600,1500", "-o", dir.file("b.png")])
    #expect(joined.status == 0)
    let mediastinum = try ProcessRunner.run(
      b, ["export", root + "/Samples/ct-head/slice010.dcm", "--window", "40,400", "-o", dir.file("c.png")])
    #expect(mediastinum.status == 0)
    let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.png")))
    #expect(a == (try Data(contentsOf: URL(fileURLWithPath: dir.file("b.png")))))
    #expect(a != (try Data(contentsOf: URL(fileURLWithPath: dir.file("c.png")))), "the window was applied")
  }
}

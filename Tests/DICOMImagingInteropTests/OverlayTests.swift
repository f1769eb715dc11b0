import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Overlay Planes drawn as DCMTK's dcmj2pnm draws them (all planes, graphics replaced at full
/// brightness): a plane made by the project (offset origin, two planes, one multi-frame) and pydicom's
/// overlay example.
@Suite struct OverlayTests {
  /// A bit stream, least significant bit first, of `rows` x `columns` where `set(r, c)`.
  static func bits(rows: Int, columns: Int, frames: Int = 1, _ set: (Int, Int, Int) -> Bool) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: (rows * columns * frames + 15) / 16 * 2)
    for f in 0..<frames {
      for r in 0..<rows {
        for c in 0..<columns where set(f, r, c) {
          let n = f * rows * columns + r * columns + c
          out[n >> 3] |= 1 << UInt8(n & 7)
        }
      }
    }
    return out
  }

  static func withOverlays() throws -> Dataset {
    var ds = try #require(try SyntheticData.imagingSources(size: 48).first { $0.name == "ct16-signed" }).dataset
    // Plane 6000: a frame 20 x 30 at row 5, column 9: its border and a diagonal.
    ds.set(Tag(0x6000, 0x0010), .US, integers: [UInt16(20)])
    ds.set(Tag(0x6000, 0x0011), .US, integers: [UInt16(30)])
    try ds.set(Tag(0x6000, 0x0040), .CS, "G")
    ds.set(Tag(0x6000, 0x0050), .SS, integers: [Int16(5), Int16(9)])
    ds.set(Tag(0x6000, 0x0100), .US, integers: [UInt16(1)])
    ds.set(Tag(0x6000, 0x0102), .US, integers: [UInt16(0)])
    ds.set(
      Element(
        tag: Tag(0x6000, 0x3000), vr: .OW,
        bytes: bits(rows: 20, columns: 30) { _, r, c in r == 0 || r == 19 || c == 0 || c == 29 || r == c }))
    // Plane 6002: hanging off the bottom right corner (origin 40, 40), a filled square.
    ds.set(Tag(0x6002, 0x0010), .US, integers: [UInt16(16)])
    ds.set(Tag(0x6002, 0x0011), .US, integers: [UInt16(16)])
    try ds.set(Tag(0x6002, 0x0040), .CS, "G")
    ds.set(Tag(0x6002, 0x0050), .SS, integers: [Int16(40), Int16(40)])
    ds.set(Tag(0x6002, 0x0100), .US, integers: [UInt16(1)])
    ds.set(Tag(0x6002, 0x0102), .US, integers: [UInt16(0)])
    ds.set(
      Element(tag: Tag(0x6002, 0x3000), vr: .OW, bytes: bits(rows: 16, columns: 16) { _, r, c in (r + c) % 3 == 0 }))
    return ds
  }

  static func compare(_ path: String, center: Double, width: Double, overlays: Bool) throws -> Int {
    let dir = try TemporaryDirectory()
    let pgm = dir.file("out.pgm")
    let run = try ProcessRunner.run(
      "dcmj2pnm", (overlays ? [] : ["-O"]) + ["+Ww", String(center), String(width), path, pgm])
    try #require(run.status == 0, "\(run.stderr)")
    let theirs = try NativeReferenceTests.readPGM(pgm)
    let image = try DICOMImage(file: try DICOMFile.read(path: path))
    let rendered = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image,
      options: DisplayOptions(voi: .window(Window(center: center, width: width)), overlays: overlays))
    try #require(rendered.raster.width == theirs.width && rendered.raster.height == theirs.height)
    return zip(rendered.raster.pixels, theirs.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
  }

  @Test(arguments: [true, false])
  func planes_made_by_the_project_are_drawn_as_dcmj2pnm_draws_them(overlays: Bool) throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("overlay.dcm")
    try DICOMFile(dataset: try Self.withOverlays(), transferSyntax: .explicitVRLittleEndian).write(to: path)
    #expect(try Self.compare(path, center: 40, width: 400, overlays: overlays) <= 1)
    // The overlay shows: pixels of the plane's border are white with it, not without it.
    let image = try DICOMImage(file: try DICOMFile.read(path: path))
    let shown = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image,
      options: DisplayOptions(voi: .window(Window(center: 40, width: 4000)), overlays: overlays))
    #expect((shown.raster.pixels[4 * 48 + 8] == 255) == overlays)
  }

  @Test func pydicoms_overlay_example_is_drawn_as_dcmj2pnm_draws_it() throws {
    let folder = try PydicomFileTests.pydicomFolder()
    let path = folder + "/examples_overlay.dcm"
    let image = try DICOMImage(file: try DICOMFile.read(path: path))
    let values = try image.decodeFrame(0).values
    let low = Double(values.min() ?? 0)
    let high = Double(values.max() ?? 1)
    #expect(try Self.compare(path, center: (low + high) / 2, width: high - low + 1, overlays: true) <= 1)
    #expect(!OverlayPlane.planes(in: image.dataset).isEmpty)
  }

  @Test func an_overlay_in_the_high_bits_of_pixel_data_is_drawn_as_dcmj2pnm_draws_it() throws {
    // 12 bits stored in 16: bit 13 holds a plane (a frame and a cross), its group says so and has no data.
    var ds = try #require(try SyntheticData.imagingSources(size: 48).first { $0.name == "mr12-unsigned" }).dataset
    let words = try #require(ds[.pixelData]?.bytes)
    var marked = words
    for y in 0..<48 {
      for x in 0..<48 where x == 10 || y == 20 || (x >= 30 && y >= 30 && (x == 30 || y == 30 || x == 40 || y == 40)) {
        marked[2 * (y * 48 + x) + 1] |= 1 << 5  // bit 13 of the little-endian word
      }
    }
    ds.set(Element(tag: .pixelData, vr: .OW, bytes: marked))
    ds.set(Tag(0x6000, 0x0010), .US, integers: [UInt16(48)])
    ds.set(Tag(0x6000, 0x0011), .US, integers: [UInt16(48)])
    try ds.set(Tag(0x6000, 0x0040), .CS, "G")
    ds.set(Tag(0x6000, 0x0050), .SS, integers: [Int16(1), Int16(1)])
    ds.set(Tag(0x6000, 0x0100), .US, integers: [UInt16(16)])
    ds.set(Tag(0x6000, 0x0102), .US, integers: [UInt16(13)])
    let dir = try TemporaryDirectory()
    let path = dir.file("embedded.dcm")
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    for overlays in [true, false] {
      #expect(try Self.compare(path, center: 2048, width: 4096, overlays: overlays) <= 1, "overlays \(overlays)")
    }
    // The stored values are the same with the bit set: it is not part of the image.
    let image = try DICOMImage(path: path)
    let shown = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image, options: DisplayOptions(voi: .window(Window(center: 2048, width: 4096))))
    #expect(shown.raster.pixels[20 * 48 + 5] == 255 && shown.raster.pixels[5 * 48 + 10] == 255)
  }
}

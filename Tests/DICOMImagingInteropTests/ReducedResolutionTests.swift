import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Images decoded for a display smaller than they are: JPEG 2000 and HTJ2K by skipping resolution levels
/// (as OpenJPEG's own `opj_decompress -r` does), JPEG baseline by DCT scaling (as libjpeg-turbo's own
/// `djpeg -scale` does), everything else by area averages.
@Suite struct ReducedResolutionTests {
  /// An odd size, so the rounding of reduced sizes shows.
  static let size = 203

  static func source(_ name: String) throws -> SyntheticData.ImagingSource {
    try #require(try SyntheticData.imagingSources(size: size).first { $0.name == name })
  }

  /// The source compressed by `transcoding`, and its first frame's codestream in a file of its own.
  static func compressed(_ source: SyntheticData.ImagingSource, _ transcodingName: String, in dir: TemporaryDirectory)
    throws -> (dicom: String, codestream: String)
  {
    let transcoding = try #require(Transcoding.all.first { $0.name == transcodingName })
    let plain = dir.file("\(source.name).dcm")
    let dicom = dir.file("\(source.name)-c.dcm")
    try DICOMFile(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian).write(to: plain)
    try transcoding.encode(plain, dicom, dir)
    let file = try DICOMFile.read(path: dicom)
    let codestream = dir.file("\(source.name).\(transcoding.syntax.hasSuffix(".50") ? "jpg" : "j2k")")
    try Data(try file.dataset.encapsulatedFrame(0)).write(to: URL(fileURLWithPath: codestream))
    return (dicom, codestream)
  }

  static func expectEqual(_ ours: DecodedFrame, _ theirs: PNM, _ what: String) {
    #expect(ours.width == theirs.width && ours.height == theirs.height, "\(what): size")
    #expect(ours.samplesPerPixel == theirs.channels, "\(what): samples")
    let diff = zip(ours.values, theirs.values).map { abs(Int($0) - $1) }.max() ?? Int.max
    #expect(diff == 0 && ours.values.count == theirs.values.count, "\(what): max difference \(diff)")
  }

  @Test(arguments: [
    ("mr12-unsigned", "JPEG 2000 lossless (gdcmconv -K)"), ("rgb-interleaved", "JPEG 2000 lossless (gdcmconv -K)"),
    ("gray8", "JPEG 2000 lossy (gdcmconv -K -Y -q 40)"),
    ("mr12-unsigned", "HTJ2K lossless (ojph_compress -reversible)"),
  ])
  func jpeg_2000_skips_the_finest_levels_as_openjpeg_itself_does(source name: String, transcoding: String) throws {
    let dir = try TemporaryDirectory()
    let (dicom, codestream) = try Self.compressed(try Self.source(name), transcoding, in: dir)
    let image = try DICOMImage(path: dicom)
    for levels in 1...2 {
      let reference = dir.file("r\(levels).\(image.pixel.samplesPerPixel == 1 ? "pgm" : "ppm")")
      try Transcoding.run("opj_decompress", ["-quiet", "-i", codestream, "-o", reference, "-r", String(levels)])
      let ours = try image.decodeFrame(0, downscale: 1 << levels)
      #expect(ours.downscale == 1 << levels)
      Self.expectEqual(ours, try PNM(path: reference), "\(name) \(transcoding) at 1/\(1 << levels)")
      let side = (Self.size + (1 << levels) - 1) >> levels
      #expect(ours.width == side, "rounded up, as the levels are")
    }
  }

  @Test(arguments: ["gray8", "rgb-interleaved"])
  func jpeg_baseline_scales_in_the_dct_as_libjpeg_turbo_itself_does(source name: String) throws {
    let dir = try TemporaryDirectory()
    let (dicom, codestream) = try Self.compressed(
      try Self.source(name), "JPEG baseline (dcmcjpeg +eb)", in: dir)
    let image = try DICOMImage(path: dicom)
    for factor in [2, 4, 8] {
      let reference = dir.file("s\(factor).pnm")
      try Transcoding.run("djpeg", ["-dct", "int", "-scale", "1/\(factor)", "-pnm", "-outfile", reference, codestream])
      let ours = try image.decodeFrame(0, downscale: factor)
      Self.expectEqual(ours, try PNM(path: reference), "\(name) at 1/\(factor)")
    }
  }

  @Test func native_and_other_data_is_averaged_over_each_block() throws {
    // 5 x 3 signed values, halved: blocks of 4, of 2 at the right edge, of 2 and 1 along the bottom.
    let values: [Int32] = [
      -3, -1, 4, 8, 100,
      1, 3, 6, 10, 101,
      7, 9, -20, 0, 50,
    ]
    let frame = DecodedFrame(
      width: 5, height: 3, samplesPerPixel: 1, values: values, bitsStored: 16, isSigned: true, photometric: .monochrome2
    )
    let half = AreaAverage.reduce(frame, by: 2)
    #expect(half.width == 3 && half.height == 2 && half.downscale == 2)
    // (-3-1+1+3)/4 = 0; (4+8+6+10)/4 = 7; (100+101)/2 = 100.5 -> 101; (7+9)/2 = 8; -20/2 = -10; 50
    #expect(half.values == [0, 7, 101, 8, -10, 50])
    // Colour: each sample on its own.
    let rgb = DecodedFrame(
      width: 2, height: 1, samplesPerPixel: 3, values: [10, 20, 30, 11, 40, 0], bitsStored: 8, isSigned: false,
      photometric: .rgb)
    #expect(AreaAverage.reduce(rgb, by: 2).values == [11, 30, 15])
  }

  @Test func palette_indices_are_never_averaged() throws {
    let dir = try TemporaryDirectory()
    let palette = try Self.source("palette")
    let path = dir.file("palette.dcm")
    try DICOMFile(dataset: palette.dataset, transferSyntax: .explicitVRLittleEndian).write(to: path)
    let image = try DICOMImage(path: path)
    let frame = try image.decodeFrame(0, downscale: 4)
    let whole = try image.decodeFrame(0)
    #expect(frame.downscale == 1 && frame == whole)
  }

  @Test func overlay_lines_one_pixel_wide_stay_visible_at_a_quarter_size() throws {
    let image = try DICOMImage(dataset: try OverlayTests.withOverlays(), transferSyntax: .explicitVRLittleEndian)
    // Where the project's two planes set bits, in image pixels (0-based).
    func set(_ x: Int, _ y: Int) -> Bool {
      let (r, c) = (y - 4, x - 8)
      let border = (0..<20).contains(r) && (0..<30).contains(c) && (r == 0 || r == 19 || c == 0 || c == 29 || r == c)
      let (r2, c2) = (y - 39, x - 39)
      return border || (0..<16).contains(r2) && (0..<16).contains(c2) && (r2 + c2) % 3 == 0
    }
    let rendered = try DisplayPipeline.render(
      try image.decodeFrame(0, downscale: 4), of: image,
      options: DisplayOptions(voi: .window(Window(center: 0, width: 1))))
    #expect(rendered.raster.width == 12 && rendered.raster.height == 12)
    var drawn = 0
    for y in 0..<12 {
      for x in 0..<12 where (0..<16).contains(where: { set(4 * x + $0 % 4, 4 * y + $0 / 4) }) {
        #expect(rendered.raster.pixels[y * 12 + x] == 255, "block (\(x), \(y)) holds a set bit")
        drawn += 1
      }
    }
    #expect(drawn > 20)
  }
}

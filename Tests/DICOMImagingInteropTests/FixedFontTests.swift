import Foundation
import RasterCore
import TestSupport
import Testing

/// Text over presentation-state pictures is the X11 misc-fixed 6x13 font: what Pillow draws from the
/// same font file, pixel for pixel.
@Suite struct FixedFontTests {
  static let pillow = """
    import gzip, sys
    from PIL import Image, ImageDraw, ImageFont, PcfFontFile
    PcfFontFile.PcfFontFile(gzip.open("/usr/share/fonts/X11/misc/6x13.pcf.gz")).save(sys.argv[1])
    font = ImageFont.load(sys.argv[1] + ".pil")
    image = Image.new("L", (6 * len(sys.argv[2]), 13), 0)
    ImageDraw.Draw(image).text((0, 0), sys.argv[2], fill=255, font=font)
    print(image.tobytes().hex())
    """

  @Test(arguments: ["LESION 1", "Ab9 {~} @#%&*", "R/L: 12.5 mm"])
  func text_is_drawn_as_pillow_draws_the_same_font(text: String) throws {
    guard FileManager.default.fileExists(atPath: "/usr/share/fonts/X11/misc/6x13.pcf.gz") else {
      Issue.record("the misc-fixed fonts are needed (apt-get install xfonts-base)")
      return
    }
    let dir = try TemporaryDirectory()
    let run = try ProcessRunner.run("python3", ["-c", Self.pillow, dir.file("font"), text])
    try #require(run.status == 0, "\(run.stderr)")
    let hex = Array(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    let theirs = stride(from: 0, to: hex.count - 1, by: 2).compactMap {
      UInt8(String(decoding: hex[$0..<($0 + 2)], as: UTF8.self), radix: 16)
    }
    var ours = Raster(
      width: 6 * text.count, height: 13, format: .gray8, pixels: [UInt8](repeating: 0, count: 6 * text.count * 13))
    FixedFont.draw(text, into: &ours, x: 0, y: 0)
    try #require(theirs.count == ours.pixels.count, "Pillow gave \(theirs.count) bytes")
    #expect(ours.pixels == theirs)
  }

  @Test func text_past_the_edges_is_clipped_and_outlined_in_black() {
    var raster = Raster(width: 10, height: 10, format: .rgb8, pixels: [UInt8](repeating: 128, count: 300))
    FixedFont.draw("WW", into: &raster, x: 5, y: -4)
    #expect(raster.pixels.contains(255) && raster.pixels.contains(0))
    #expect(raster.pixels.allSatisfy { $0 == 0 || $0 == 128 || $0 == 255 })
  }
}

import RasterCore
import Testing

@testable import DICOMImaging

@Suite struct ResamplerTests {
  @Test func minifying_a_fine_checkerboard_averages_instead_of_aliasing() {
    let n = 512
    let pixels = (0..<(n * n)).map { i in UInt8((i % n + i / n) % 2 == 0 ? 0 : 255) }
    let out = Resampler.fit(Raster(width: n, height: n, format: .gray8, pixels: pixels), box: (300, 300))
    #expect(out.width == 300 && out.height == 300)
    let values = out.pixels.map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let spread = values.map { abs($0 - mean) }.max() ?? 0
    #expect(abs(mean - 127.5) < 2)
    #expect(spread < 40)  // point sampling would give 0 and 255 moire bands
  }

  @Test func fit_keeps_the_aspect_ratio() {
    let r = Raster(width: 200, height: 100, format: .rgb8)
    let out = Resampler.fit(r, box: (80, 80))
    #expect(out.width == 80 && out.height == 40 && out.format == .rgb8)
  }

  @Test func enlarging_interpolates_between_neighbours() {
    let r = Raster(width: 2, height: 1, format: .gray8, pixels: [0, 200])
    let out = Resampler.resample(r, region: .init(x: 0, y: 0, width: 2, height: 1), width: 4, height: 1)
    #expect(out.pixels == [0, 50, 150, 200])
  }

  @Test func a_panned_region_shows_that_region() {
    let r = Raster(width: 4, height: 1, format: .gray8, pixels: [0, 100, 200, 255])
    let out = Resampler.resample(r, region: .init(x: 2, y: 0, width: 2, height: 1), width: 2, height: 1)
    #expect(out.pixels == [200, 255])
  }
}

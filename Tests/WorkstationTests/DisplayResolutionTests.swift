import Archive
import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

@testable import Workstation

/// A fitted image is decoded at the smallest size that still has every pixel the view shows; zoomed, at
/// 1:1 or under the probe, at full size.
@Suite struct DisplayResolutionTests {
  static func image(_ dir: TemporaryDirectory, size: Int) throws -> String {
    let source = try #require(try SyntheticData.imagingSources(size: size).first { $0.name == "mr12-unsigned" })
    let path = dir.file("big.dcm")
    try DICOMFile(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
  }

  @Test func a_fitted_image_is_decoded_at_the_largest_halving_that_keeps_the_pixels_shown() throws {
    let dir = try TemporaryDirectory()
    let image = try DICOMImage(path: try Self.image(dir, size: 300))
    var viewer = UpdateTests.viewerModel().viewer!
    let fit100 = { (_: Int, _: Int) in (width: 100, height: 100) }
    // 300 -> 150 still covers 100 pixels, 75 would not.
    #expect(Runtime.downscale(for: viewer, image: image, fit: fit100) == 2)
    #expect(Runtime.downscale(for: viewer, image: image, fit: { _, _ in (37, 37) }) == 8)
    #expect(Runtime.downscale(for: viewer, image: image, fit: { _, _ in (300, 300) }) == 1)
    viewer.zoom = 2
    #expect(Runtime.downscale(for: viewer, image: image, fit: fit100) == 1, "zoomed: every pixel")
    viewer.zoom = 1
    viewer.actualSize = true
    #expect(Runtime.downscale(for: viewer, image: image, fit: fit100) == 1, "1:1: every pixel")
    viewer.actualSize = false
    viewer.probe = (10, 10)
    #expect(Runtime.downscale(for: viewer, image: image, fit: fit100) == 1, "the probe reads stored values")
  }

  @Test func the_fitted_render_has_the_size_asked_for_and_reports_the_image_s_own() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.image(dir, size: 300)
    let runtime = Runtime(archive: try LocalArchive(root: dir.file("archive")))
    var viewer = UpdateTests.viewerModel().viewer!
    viewer.slices = [StackSlice(path: path, frame: 0)]
    viewer.index = 0
    viewer.window = Window(center: 2048, width: 4096)
    let (raster, info) = try runtime.render(viewer, box: (150, 150), fit: { _, _ in (150, 150) }).get()
    #expect(raster.width == 150 && raster.height == 150)
    #expect(info.rows == 300 && info.columns == 300)
    // Against the whole image windowed, then halved: averaging before or after the window differs by rounding.
    let image = try DICOMImage(path: path)
    let whole = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image, options: DisplayOptions(voi: .window(viewer.window!)))
    let expected = Resampler.resize(whole.raster, width: 150, height: 150)
    let diffs = zip(raster.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }
    #expect((diffs.max() ?? 255) <= 1, "max difference \(diffs.max() ?? 0)")
    let shifted = zip(raster.pixels.dropFirst(), expected.pixels).map { abs(Int($0) - Int($1)) }
    #expect(Double(shifted.reduce(0, +)) / Double(shifted.count) > 3, "a picture one pixel off is told apart")
  }
}

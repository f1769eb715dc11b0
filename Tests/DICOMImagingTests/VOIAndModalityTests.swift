import DICOM
import SyntheticData
import Testing

@testable import DICOMImaging

@Suite struct VOIAndModalityTests {
  @Test func linear_window_follows_ps3_3_c_11_2_1_2() {
    let w = Window(center: 2048, width: 4096)
    #expect(w.apply(2048 - 0.5 - 4095.0 / 2) == 0)  // x <= c - 0.5 - (w-1)/2
    #expect(w.apply(2048 - 0.5 + 4095.0 / 2 + 0.01) == 1)
    #expect(abs(w.apply(2047.5) - 0.5) < 1e-12)
    let narrow = Window(center: 40, width: 1)  // width 1 is a threshold
    #expect(narrow.apply(39) == 0 && narrow.apply(40) == 1)
  }

  @Test func linear_exact_and_sigmoid_windows() {
    let exact = Window(center: 100, width: 50, function: .linearExact)
    #expect(exact.apply(75) == 0)
    #expect(exact.apply(100) == 0.5)
    #expect(exact.apply(125.1) == 1)
    let sigmoid = Window(center: 100, width: 50, function: .sigmoid)
    #expect(sigmoid.apply(100) == 0.5)
    #expect(sigmoid.apply(0) < 0.001 && sigmoid.apply(200) > 0.999)
  }

  @Test func ct_presets_are_those_readers_expect() {
    #expect(Window.presets["lung"] == Window(center: -600, width: 1500, explanation: "Lung"))
    #expect(Window.presets["bone"]?.width == 2500)
    #expect(Window.presets.count >= 5)
  }

  @Test func file_windows_and_modality_come_from_per_frame_functional_groups_first() throws {
    var frameGroup = Dataset()
    var transform = Dataset()
    try transform.set(Tag(0x0028, 0x1052), .DS, "-1000")
    try transform.set(Tag(0x0028, 0x1053), .DS, "2")
    frameGroup.set(Tag(0x0028, 0x9145), items: [transform])
    var voi = Dataset()
    try voi.set(Tag(0x0028, 0x1050), .DS, "300")
    try voi.set(Tag(0x0028, 0x1051), .DS, "600")
    frameGroup.set(Tag(0x0028, 0x9132), items: [voi])
    var ds = Dataset()
    try ds.set(Tag(0x0028, 0x1052), .DS, "-1024")  // top level, overridden for frames with groups
    ds.set(Tag(0x5200, 0x9230), items: [Dataset(), frameGroup])
    #expect(try ModalityTransform.from(ds, frame: 1) == .rescale(slope: 2, intercept: -1000))
    #expect(try ModalityTransform.from(ds, frame: 0) == .rescale(slope: 1, intercept: -1024))
    #expect(Window.fromFile(ds, frame: 1) == [Window(center: 300, width: 600)])
  }

  static func lutItem(first: Int, bits: Int, entries: [UInt16]) -> Dataset {
    var item = Dataset()
    item.set(Tag(0x0028, 0x3002), .US, integers: [UInt16(entries.count), UInt16(first), UInt16(bits)])
    item.set(Tag(0x0028, 0x3006), .OW, integers: entries)
    return item
  }

  @Test func modality_lut_sequence_maps_stored_values() throws {
    var ds = Dataset()
    ds.set(Tag(0x0028, 0x3000), items: [Self.lutItem(first: 10, bits: 16, entries: [100, 200, 300])])
    let t = try ModalityTransform.from(ds)
    #expect(t.apply(5) == 100)  // below the first mapped value: first entry
    #expect(t.apply(11) == 200)
    #expect(t.apply(99) == 300)  // past the end: last entry
  }

  @Test func voi_lut_sequence_is_used_when_the_file_has_no_window() throws {
    var ds = try SyntheticData.imagingSources(size: 4).first { $0.name == "gray8" }!.dataset
    ds.set(Tag(0x0028, 0x3010), items: [Self.lutItem(first: 0, bits: 8, entries: (0..<256).map { UInt16(255 - $0) })])
    let image = try DICOMImage(dataset: ds, transferSyntax: .explicitVRLittleEndian)
    let frame = try image.decodeFrame(0)
    let rendered = try DisplayPipeline.render(frame, of: image)
    #expect(rendered.window == nil)
    #expect(zip(rendered.raster.pixels, frame.values).allSatisfy { Int($0) == 255 - Int($1) })
  }

  @Test func monochrome1_is_inverted_and_invert_undoes_it() throws {
    let source = try SyntheticData.imagingSources(size: 8).first { $0.name == "mono1-8" }!
    let image = try DICOMImage(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian)
    let frame = try image.decodeFrame(0)
    let full = Window(center: 127.5, width: 256)
    let shown = try DisplayPipeline.render(frame, of: image, options: DisplayOptions(voi: .window(full)))
    let inverted = try DisplayPipeline.render(
      frame, of: image, options: DisplayOptions(voi: .window(full), invert: true))
    #expect(shown.raster.pixels[0] == 255 - UInt8(frame.values[0]))
    #expect(inverted.raster.pixels[0] == UInt8(frame.values[0]))
  }

  @Test func auto_window_spans_the_first_to_ninety_ninth_percentile_without_padding() throws {
    let ds = try SyntheticData.ctSlice(index: 6, of: 12, rows: 64, columns: 64)
    let image = try DICOMImage(dataset: ds, transferSyntax: .explicitVRLittleEndian)
    let frame = try image.decodeFrame(0)
    let w = Window.auto(frame, modality: try ModalityTransform.from(ds), padding: -2000)
    #expect(w.center - w.width / 2 >= -1024)  // padding (-2000 stored) left out
    #expect(w.center + w.width / 2 <= 1100)
  }
}

/// How presentation-state graphics are traced: an interpolated curve passes through every point given.
@Suite struct GraphicOutlineTests {
  @Test func an_interpolated_curve_passes_through_its_points_and_bends_between_them() {
    let points: [(x: Double, y: Double)] = [(0, 0), (10, 10), (20, 0), (30, 10)]
    let curve = GraphicAnnotation.catmullRom(points)
    for p in points {
      #expect(curve.contains { abs($0.x - p.x) < 1e-9 && abs($0.y - p.y) < 1e-9 }, "through (\(p.x), \(p.y))")
    }
    // Between (0,0) and (10,10) a straight line would stay on y = x; the curve bows (it heads down after).
    let mid = curve[8]
    #expect(abs(mid.y - mid.x) > 0.3)
  }

  @Test func a_filled_shape_covers_the_pixels_whose_centres_lie_inside() {
    // The square from (2, 2) to (6, 6) in pixel units: pixels 2 to 5 each way, 16 of them.
    let square: [(x: Double, y: Double)] = [(2, 2), (6, 2), (6, 6), (2, 6)]
    let filled = GraphicAnnotation.inside(square, width: 10, height: 10)
    #expect(filled.count == 16)
    #expect(filled.allSatisfy { (2...5).contains($0.x) && (2...5).contains($0.y) })
    // A circle of radius 10: its centre pixel in, a pixel 12 away out, and about pi r^2 pixels.
    let circle = GraphicAnnotation.vertices(
      GraphicAnnotation.Graphic(shape: .circle, points: [(20, 20), (30, 20)], inPixels: true, filled: true))
    let disc = GraphicAnnotation.inside(circle, width: 64, height: 64)
    #expect(disc.contains { $0 == (x: 20, y: 20) } && !disc.contains { $0 == (x: 32, y: 20) })
    #expect(abs(Double(disc.count) - Double.pi * 100) < 15, "\(disc.count) pixels")
  }
}

/// A hostile presentation state or overlay header draws what it can, bounded, and never traps.
@Suite struct HostileGraphicsTests {
  @Test func coordinates_of_1e30_and_millions_of_points_are_held_to_the_picture() {
    let far = GraphicAnnotation.Graphic(
      shape: .polyline, points: [(0, 0), (1e30, -1e30), (5, 5)], inPixels: true, filled: true)
    let outline = GraphicAnnotation.outline(far, scaleX: 1, scaleY: 1)
    #expect(!outline.isEmpty && outline.count < 100_000)
    #expect(GraphicAnnotation.inside(GraphicAnnotation.vertices(far), width: 64, height: 64).count <= 64 * 64)
    #expect(GraphicAnnotation.pixel(-1e300) == -8192 && GraphicAnnotation.pixel(1e300) == 16384)
  }
}

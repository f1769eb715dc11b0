import Archive
import DICOM
import DICOMImaging
import Foundation
import RasterCore
import SyntheticData
import TestSupport
import Testing

@testable import Workstation

/// Distance, rectangle statistics and 1:1 display, on a slice whose values are known: column x holds
/// x - 24 HU, and its pixels are 0.5 mm apart vertically and 0.25 mm horizontally.
@Suite struct MeasurementTests {
  static func rampSlice(in dir: TemporaryDirectory) throws -> String {
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 64, columns: 64)
    try ds.set(Tag(0x0028, 0x0030), .DS, ["0.5", "0.25"])
    ds.set(.pixelData, .OW, integers: (0..<64 * 64).map { Int16($0 % 64 + 1000) })
    let path = dir.file("ramp.dcm")
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
  }

  static func viewer(_ path: String) -> Viewer {
    var m = UpdateTests.viewerModel(slices: 1)
    m.viewer?.paths = [path]
    m.viewer?.slice = SliceInfo(window: nil, sliceLocation: nil, isLossy: false, rows: 64, columns: 64)
    return m.viewer!
  }

  func render(_ viewer: Viewer, box: (Int, Int) = (200, 200)) throws -> (Raster, SliceInfo) {
    let dir = try TemporaryDirectory()
    let runtime = Runtime(archive: try LocalArchive(root: dir.file("archive")))
    return try runtime.render(viewer, box: (box.0, box.1), fit: { w, h in (w * 2, h * 2) }).get()
  }

  @Test func a_distance_is_in_millimetres_from_the_pixel_spacing_rows_first() throws {
    let dir = try TemporaryDirectory()
    var v = Self.viewer(try Self.rampSlice(in: dir))
    v.measure = .distance(x: 0, y: 0)
    v.probe = (30, 40)
    let (_, info) = try render(v)
    // 30 columns of 0.25 mm and 40 rows of 0.5 mm: sqrt(7.5² + 20²).
    guard case .distance(let length, let mm) = info.measured else {
      Issue.record("no distance: \(String(describing: info.measured))")
      return
    }
    #expect(mm)
    let expected: Double = (7.5 * 7.5 + 20.0 * 20.0).squareRoot()
    #expect(abs(length - expected) < 1e-9)
  }

  @Test func a_rectangle_gives_the_mean_sample_sd_and_area_of_its_modality_values() throws {
    let dir = try TemporaryDirectory()
    var v = Self.viewer(try Self.rampSlice(in: dir))
    // Corners given in either order: columns 10...19 (-14...-5 HU), rows 10...29.
    v.measure = .region(x: 19, y: 29)
    v.probe = (10, 10)
    let (_, info) = try render(v)
    guard case .region(let r) = info.measured else {
      Issue.record("no region: \(String(describing: info.measured))")
      return
    }
    #expect(r.pixelCount == 200)
    #expect(abs(r.mean - -9.5) < 1e-9)
    // Ten values, each 20 times: population variance (10² - 1) / 12, sample variance times 200/199.
    let expectedSD: Double = (99.0 / 12.0 * 200.0 / 199.0).squareRoot()
    #expect(abs(r.standardDeviation - expectedSD) < 1e-9)
    #expect(abs(r.area - 200 * 0.125) < 1e-9)
    #expect(r.inMillimetres)
    var m = UpdateTests.viewerModel()
    m.viewer?.slice = info
    let bottom = ScreenText.lines(m, keymap: try UpdateTests.keymap("default"))[m.size.rows - 3]
    #expect(bottom.contains("ROI mean -9.5 SD 2.9 HU area 25.0 mm2 (n 200)"), "\(bottom)")
  }

  @Test func without_pixel_spacing_lengths_are_in_pixels_and_said_so() {
    guard case .distance(let length, let mm) = Measurements.distance(from: (0, 0), to: (3, 4), spacing: nil) else {
      Issue.record("no distance")
      return
    }
    #expect(length == 5 && !mm)
    #expect(Measurements.Spacing([0.5]) == nil)
    #expect(Measurements.Spacing([-1, 1]) == nil)
    #expect(Measurements.Spacing([.infinity, 1]) == nil)
    #expect(Measurements.Spacing([0.7, 0.6]) == Measurements.Spacing(row: 0.7, column: 0.6))
  }

  @Test func the_measured_segment_is_drawn_on_the_slice() throws {
    let dir = try TemporaryDirectory()
    var v = Self.viewer(try Self.rampSlice(in: dir))
    v.window = Window(center: -24, width: 1)  // everything right of column 0 white, the line black
    let (plain, _) = try render(v)
    v.measure = .distance(x: 20, y: 5)
    v.probe = (20, 50)
    let (marked, _) = try render(v)
    // The raster is twice the image (the fit above): column 20 is raster column 40..41.
    let column = 41
    let changed = (12..<98).filter { (y: Int) -> Bool in
      marked.pixels[y * marked.width + column] != plain.pixels[y * plain.width + column]
    }
    #expect(changed.count > 60, "the vertical segment from row 5 to 50 is drawn")
  }

  @Test func one_to_one_shows_image_pixels_unscaled_cropped_to_the_area_around_the_pan_point() throws {
    let dir = try TemporaryDirectory()
    var v = Self.viewer(try Self.rampSlice(in: dir))
    v.actualSize = true
    v.window = Window(center: 7.5, width: 64)  // the ramp spans the grays
    let (whole, wholeInfo) = try render(v, box: (200, 100))
    #expect((whole.width, whole.height) == (64, 64), "a small image at 1:1 is not enlarged")
    #expect(wholeInfo.shownFraction == (1, 1))
    let (part, info) = try render(v, box: (32, 16))
    #expect((part.width, part.height) == (32, 16))
    #expect(info.shownFraction == (0.5, 0.25))
    // Centred: image columns 16..<48 in order, one raster pixel each.
    #expect(part.pixels[0] == whole.pixels[16] && part.pixels[31] == whole.pixels[47])
    v.pan = (0.25, 0)
    let (right, _) = try render(v, box: (32, 16))
    #expect(right.pixels[31] == whole.pixels[63], "panned to the right edge")
  }

  @Test func keys_anchor_a_measurement_at_the_probe_and_the_same_key_ends_it() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    let shown = m.viewer?.picture
    #expect(update(&m, .key("m"), keymap: keys).isEmpty)
    #expect(m.viewer?.picture != shown, "the pane's picture changes: the view draws it again")
    #expect(m.viewer?.measure == .distance(x: 256, y: 256))
    #expect(m.viewer?.probe.map { [$0.x, $0.y] } == [256, 256])
    _ = update(&m, .key("S-Right"), keymap: keys)
    #expect(m.viewer?.measure == .distance(x: 256, y: 256), "the anchor stays, the probe moves")
    _ = update(&m, .key("r"), keymap: keys)
    #expect(m.viewer?.measure == .region(x: 264, y: 256), "the other tool starts again from the probe")
    _ = update(&m, .key("r"), keymap: keys)
    #expect(m.viewer?.measure == nil)
    _ = update(&m, .key("m"), keymap: keys)
    _ = update(&m, .key("p"), keymap: keys)
    #expect(m.viewer?.measure == nil && m.viewer?.probe == nil, "probe off ends the measurement")
  }

  @Test func dragging_right_widens_the_window_and_down_raises_the_level() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    #expect(update(&m, .drag(columns: 4, rows: 0), keymap: keys).isEmpty)
    #expect(m.viewer?.window == Window(center: 40, width: 440))
    _ = update(&m, .drag(columns: 0, rows: -2), keymap: keys)
    #expect(m.viewer?.window == Window(center: 18, width: 440))
    #expect(update(&m, .drag(columns: 0, rows: 0), keymap: keys).isEmpty)
    m.screen = .studies
    #expect(update(&m, .drag(columns: 3, rows: 3), keymap: keys).isEmpty, "only the viewer takes drags")
  }

  @Test func one_to_one_then_fit_and_its_corner_text() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    _ = update(&m, .key("="), keymap: keys)
    #expect(m.viewer?.actualSize == true)
    #expect(ScreenText.lines(m, keymap: keys)[m.size.rows - 4].contains("Zoom 1:1"))
    m.viewer?.slice?.shownFraction = (0.5, 0.5)
    _ = update(&m, .key("l"), keymap: keys)
    #expect(m.viewer?.pan.x == 0.05, "a tenth of what is shown")
    _ = update(&m, .key("f"), keymap: keys)
    #expect(m.viewer?.actualSize == false && m.viewer?.pan.x == 0)
  }
}

/// The file's own windows in turn, and the automatic one, on a synthetic CT slice that carries two
/// (BRAIN 40/400 and LUNG -600/1500).
@Suite struct FileWindowTests {
  @Test func zero_cycles_through_the_files_windows_by_their_names_and_nine_takes_the_automatic_one() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("ct.dcm")
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 0, of: 1, rows: 64, columns: 64),
      transferSyntax: .explicitVRLittleEndian
    ).write(to: path)
    let runtime = Runtime(archive: try LocalArchive(root: dir.file("archive")))
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel(slices: 1)
    m.viewer?.paths = [path]
    func render() throws {
      let info = try runtime.render(m.viewer!, box: (64, 64), fit: { ($0, $1) }).get().1
      _ = update(&m, .sliceRendered(info), keymap: keys)
    }
    try render()
    #expect(m.viewer?.slice?.fileWindows == ["BRAIN", "LUNG"])
    _ = update(&m, .key("0"), keymap: keys)
    try render()
    func shown() -> [Double]? { m.viewer?.slice?.window.map { [$0.center, $0.width] } }
    #expect(shown() == [40, 400])
    #expect(m.viewer?.windowName == "brain")
    _ = update(&m, .key("0"), keymap: keys)
    try render()
    #expect(shown() == [-600, 1500] && m.viewer?.windowName == "lung")
    #expect(ScreenText.lines(m, keymap: keys)[m.size.rows - 4].contains("W 1500 L -600 (lung)"))
    _ = update(&m, .key("0"), keymap: keys)
    #expect(m.viewer?.windowName == "brain", "back to the first")
    _ = update(&m, .key("9"), keymap: keys)
    try render()
    #expect(m.viewer?.windowName == "auto")
    #expect(shown() != [40, 400] && shown() != [-600, 1500], "the slice's own percentiles, not the file's")
  }
}

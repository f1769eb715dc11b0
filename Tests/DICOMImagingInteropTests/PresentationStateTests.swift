import DICOM
import DICOMImaging
import RasterCore
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Presentation states made by peers (highdicom, pydicom) applied to an image give DCMTK's `dcmp2pgm`
/// pixels: VOI, modality and presentation LUTs, rotation and flip, bitmap shutters (the parts DCMTK's
/// renderer applies; geometric shutters and graphics are drawn by its viewers, and checked here against
/// what the state says).
@Suite struct PresentationStateTests {
  /// A CT slice wider than high, so a quarter turn shows.
  static func image(_ dir: TemporaryDirectory) throws -> String {
    let path = dir.file("ct.dcm")
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 6, of: 12, rows: 48, columns: 64),
      transferSyntax: .explicitVRLittleEndian
    ).write(to: path)
    return path
  }

  static func state(for image: String, _ modes: String, in dir: TemporaryDirectory) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "presentation_state.py")
    let path = dir.file("ps-\(modes).dcm")
    let made = try ProcessRunner.run("python3", [script.path, image, path, modes])
    try #require(made.status == 0, "highdicom: \(made.stderr)")
    return path
  }

  static func render(_ image: String, state: String) throws -> Raster {
    let decoded = try DICOMImage(path: image)
    let ps = try PresentationState(dataset: try DICOMFile.read(path: state).dataset)
    return try DisplayPipeline.render(
      try decoded.decodeFrame(0), of: decoded, options: DisplayOptions(presentationState: ps)
    ).raster
  }

  @Test(arguments: [
    "window", "window,inverse", "window,rescale", "window,rotate90", "window,rotate180", "window,rotate270,flip",
    "window,rotate90,flip", "window,flip", "window,bitmap", "window,inverse,bitmap", "voilut", "window,plut",
  ])
  func a_peer_made_state_gives_dcmp2pgm_s_pixels(modes: String) throws {
    let dir = try TemporaryDirectory()
    let image = try Self.image(dir)
    let state = try Self.state(for: image, modes, in: dir)
    let pgm = dir.file("dcmtk.pgm")
    let run = try ProcessRunner.run("dcmp2pgm", ["-p", state, image, pgm])
    try #require(run.status == 0, "dcmp2pgm: \(run.stderr)")
    let theirs = try PNM(path: pgm)
    let ours = try Self.render(image, state: state)
    #expect(ours.width == theirs.width && ours.height == theirs.height, "\(modes): size")
    let diff = zip(ours.pixels, theirs.values).map { abs(Int($0) - $1) }.max() ?? Int.max
    #expect(diff <= 1 && ours.pixels.count == theirs.values.count, "\(modes): max difference \(diff)")
  }

  /// DCMTK 3.6.7 draws a bitmap shutter of a rotated state in black, not in its presentation value (the
  /// value it uses unrotated): the rotated picture is checked against DCMTK's unrotated one, turned here.
  @Test func a_bitmap_shutter_turns_with_the_picture_and_keeps_its_gray() throws {
    let dir = try TemporaryDirectory()
    let image = try Self.image(dir)
    let pgm = dir.file("dcmtk.pgm")
    let run = try ProcessRunner.run(
      "dcmp2pgm", ["-p", try Self.state(for: image, "window,inverse,bitmap", in: dir), image, pgm])
    try #require(run.status == 0, "dcmp2pgm: \(run.stderr)")
    let upright = try PNM(path: pgm)
    let ours = try Self.render(image, state: try Self.state(for: image, "window,inverse,rotate90,bitmap", in: dir))
    #expect(ours.width == upright.height && ours.height == upright.width)
    // A quarter turn clockwise: (x, y) upright is (height - 1 - y, x) turned.
    var diff = 0
    for y in 0..<upright.height {
      for x in 0..<upright.width {
        let turned = Int(ours.pixels[x * ours.width + (upright.height - 1 - y)])
        diff = max(diff, abs(turned - upright.values[y * upright.width + x]))
      }
    }
    #expect(diff <= 1, "max difference \(diff)")
  }

  @Test func a_rectangular_shutter_covers_what_lies_outside_its_edges() throws {
    let dir = try TemporaryDirectory()
    let image = try Self.image(dir)
    let raster = try Self.render(image, state: try Self.state(for: image, "window,rect", in: dir))
    // Edges 1-based and inclusive: columns 5 to 50, rows 8 to 40 shown; the rest black (P-value 0).
    for y in 0..<48 {
      for x in 0..<64 {
        let inside = (4...49).contains(x) && (7...39).contains(y)
        if !inside { #expect(raster.pixels[y * 64 + x] == 0, "(\(x), \(y)) is covered") }
      }
    }
    let shown = (7...39).flatMap { y in (4...49).map { raster.pixels[y * 64 + $0] } }
    #expect(shown.contains { $0 > 0 }, "the image shows inside")
  }

  @Test func graphics_are_drawn_where_the_state_puts_them_and_texts_are_given_to_the_view() throws {
    let dir = try TemporaryDirectory()
    let image = try Self.image(dir)
    let statePath = try Self.state(for: image, "window,polyline", in: dir)
    let raster = try Self.render(image, state: statePath)
    // The polyline (4.5, 5.5) -> (40.5, 5.5) -> (40.5, 30.5): row 5 from column 4 to 40, then column 40 down.
    for x in 4...40 { #expect(raster.pixels[5 * 64 + x] == 255, "(\(x), 5)") }
    for y in 5...30 { #expect(raster.pixels[y * 64 + 40] == 255, "(40, \(y))") }
    let ps = try PresentationState(dataset: try DICOMFile.read(path: statePath).dataset)
    let uid = try DICOMFile.read(path: image).dataset.string(Tag.sopInstanceUID) ?? ""
    #expect(ps.texts(for: uid, frame: 0) == ["LESION 1"])
    #expect(ps.label == "READING")
    #expect(ps.applies(to: uid, frame: 0) && !ps.applies(to: "2.25.1", frame: 0))
  }

  @Test func an_image_s_own_circular_shutter_is_honoured_without_a_presentation_state() throws {
    var ds = try SyntheticData.ctSlice(index: 6, of: 12, rows: 48, columns: 64)
    try ds.set(Tag.shutterShape, .CS, "CIRCULAR")
    try ds.set(Tag.centerOfCircularShutter, .IS, ["24", "32"])
    try ds.set(Tag.radiusOfCircularShutter, .IS, "10")
    ds.set(Tag.shutterPresentationValue, .US, integers: [UInt16(0xFFFF)])
    let image = try DICOMImage(dataset: ds, transferSyntax: .explicitVRLittleEndian)
    let raster = try DisplayPipeline.render(try image.decodeFrame(0), of: image).raster
    // Centre (row 24, column 32), 1-based: pixel (31, 23) 0-based is inside, the corners are covered (white).
    #expect(raster.pixels[0] == 255 && raster.pixels[47 * 64 + 63] == 255)
    #expect(raster.pixels[23 * 64 + 31] != 255 || raster.pixels[23 * 64 + 30] != 255)
    for y in 0..<48 {
      for x in 0..<64 {
        let (dr, dc) = (Double(y + 1) - 24, Double(x + 1) - 32)
        if dr * dr + dc * dc > 100 { #expect(raster.pixels[y * 64 + x] == 255, "(\(x), \(y)) covered") }
      }
    }
  }
}

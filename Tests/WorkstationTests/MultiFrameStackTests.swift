import Archive
import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

@testable import Workstation

/// The viewer's unit is a frame: a multi-frame object is as many slices as it has frames, played at its
/// own rate.
@Suite struct MultiFrameStackTests {
  static func multiFrameFile(_ dir: TemporaryDirectory, frames: Int) throws -> String {
    let path = dir.file("cine.dcm")
    try DICOMFile(dataset: try SyntheticData.multiFrame(frames: frames), transferSyntax: .explicitVRLittleEndian)
      .write(to: path)
    return path
  }

  @Test func a_multi_frame_object_is_one_slice_a_frame_and_single_frame_classes_are_not_opened() throws {
    let dir = try TemporaryDirectory()
    let cine = try Self.multiFrameFile(dir, frames: 30)
    // CT files that do not exist: a CT image holds one frame by its class, so they are never read.
    // Rows indexed before frames were kept (frames nil): counted from the header, but for CT.
    let slice = { (path: String, sopClass: String, frames: Int?) in
      SliceOrder.Slice(path: path, sopClassUID: sopClass, orientation: nil, position: nil, frames: frames)
    }
    let stack = SeriesStack.stack([
      slice(dir.file("missing-ct-1.dcm"), "1.2.840.10008.5.1.4.1.1.2", nil),
      slice(cine, "1.2.840.10008.5.1.4.1.1.7.2", nil),
      slice(dir.file("missing-ct-2.dcm"), "1.2.840.10008.5.1.4.1.1.2", nil),
    ])
    #expect(stack.slices.count == 32)
    #expect(
      stack.slices[1] == StackSlice(path: cine, frame: 0) && stack.slices[30] == StackSlice(path: cine, frame: 29))
    #expect(stack.frameRate == 25, "Frame Time 40 ms")
    // Frames the index knows: the file is not opened to count them.
    let indexed = SeriesStack.stack([slice(dir.file("missing-us.dcm"), "1.2.840.10008.5.1.4.1.1.3.1", 5)])
    #expect(indexed.slices.count == 5 && indexed.slices.last == StackSlice(path: dir.file("missing-us.dcm"), frame: 4))
  }

  @Test func each_slice_renders_its_own_frame() throws {
    let dir = try TemporaryDirectory()
    let cine = try Self.multiFrameFile(dir, frames: 6)
    let runtime = Runtime(archive: try LocalArchive(root: dir.file("archive")))
    var viewer = UpdateTests.viewerModel().viewer!
    viewer.slices = (0..<6).map { StackSlice(path: cine, frame: $0) }
    viewer.window = Window(center: 128, width: 256)
    let image = try DICOMImage(file: try DICOMFile.read(path: cine))
    var seen: [[UInt8]] = []
    for index in [0, 3, 5] {
      viewer.index = index
      let (raster, _) = try runtime.render(viewer, box: (16, 16), fit: { ($0, $1) }).get()
      let expected = try DisplayPipeline.render(
        try image.decodeFrame(index), of: image, options: DisplayOptions(voi: .window(viewer.window!)))
      #expect(raster.pixels == expected.raster.pixels, "frame \(index)")
      seen.append(raster.pixels)
    }
    #expect(Set(seen).count == 3, "three frames, three pictures")
  }

  @Test func cine_starts_at_the_file_s_own_rate() throws {
    var m = UpdateTests.viewerModel()
    m.viewer?.fileFrameRate = 25
    m.screen = .viewer
    _ = update(&m, .key("c"), keymap: try UpdateTests.keymap("default"))
    #expect(m.viewer?.cineRate == 25)
  }

  @Test func the_corner_marks_a_missing_slice_or_uneven_spacing_and_not_an_even_stack() throws {
    #expect(SeriesStack.spacingNote([0, 2.5, 5, 7.5, 10]) == nil)
    #expect(SeriesStack.spacingNote([0, 2.5, 5, 10, 12.5]) == "gap", "a slice missing between 5 and 10")
    #expect(SeriesStack.spacingNote([0, 2.5, 5.4, 7.5, 10]) == "uneven")
    #expect(SeriesStack.spacingNote([10, 7.5, 5, 2.5]) == nil, "descending is even too")
    #expect(SeriesStack.spacingNote([0, 2.5, nil, 7.5]) == nil, "unknown when a position is missing")
    var m = UpdateTests.viewerModel()
    m.size = (120, 30)
    m.screen = .viewer
    m.viewer?.spacingNote = "gap"
    m.viewer?.slice = SliceInfo(window: nil, sliceLocation: -10, thickness: 2.5, isLossy: false, rows: 8, columns: 8)
    let corner = ScreenText.lines(m, keymap: try UpdateTests.keymap("default")).joined(separator: "\n")
    #expect(corner.contains("Loc -10 mm  Th 2.5 mm  [gap]"), "\(corner)")
  }
}

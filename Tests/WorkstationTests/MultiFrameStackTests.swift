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
    let stack = SeriesStack.stacks([
      slice(dir.file("missing-ct-1.dcm"), "1.2.840.10008.5.1.4.1.1.2", nil),
      slice(cine, "1.2.840.10008.5.1.4.1.1.7.2", nil),
      slice(dir.file("missing-ct-2.dcm"), "1.2.840.10008.5.1.4.1.1.2", nil),
    ])
    #expect(stack.stacks.count == 1, "none has a position: one stack")
    #expect(stack.allSlices.count == 32)
    #expect(
      stack.allSlices[1] == StackSlice(path: cine, frame: 0) && stack.allSlices[30] == StackSlice(path: cine, frame: 29)
    )
    #expect(stack.frameRate == 25, "Frame Time 40 ms")
    // Frames the index knows: the file is not opened to count them.
    let indexed = SeriesStack.stacks([slice(dir.file("missing-us.dcm"), "1.2.840.10008.5.1.4.1.1.3.1", 5)])
    #expect(
      indexed.allSlices.count == 5 && indexed.allSlices.last == StackSlice(path: dir.file("missing-us.dcm"), frame: 4))
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

  @Test func the_rate_comes_from_the_first_attribute_the_object_gives() throws {
    var ds = Dataset(byteOrder: .little)
    #expect(SeriesStack.frameRate(ds) == nil)
    try ds.set(Tag.frameTimeVector, .DS, ["0", "50", "50", "50"])
    #expect(SeriesStack.frameRate(ds) == 20, "increments of 50 ms")
    try ds.set(Tag.frameTime, .DS, "40")
    #expect(SeriesStack.frameRate(ds) == 25)
    try ds.set(Tag.cineRate, .IS, "15")
    #expect(SeriesStack.frameRate(ds) == 15)
    try ds.set(Tag.recommendedDisplayFrameRate, .IS, "30")
    #expect(SeriesStack.frameRate(ds) == 30)
    try ds.set(Tag.recommendedDisplayFrameRate, .IS, "500")
    #expect(SeriesStack.frameRate(ds) == 60, "within 1 to 60")
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
    m.viewer?.stacks[0].spacingNote = "gap"
    m.viewer?.slice = SliceInfo(window: nil, sliceLocation: -10, thickness: 2.5, isLossy: false, rows: 8, columns: 8)
    let corner = ScreenText.lines(m, keymap: try UpdateTests.keymap("default")).joined(separator: "\n")
    #expect(corner.contains("Loc -10 mm  Th 2.5 mm  [gap]"), "\(corner)")
  }

  static let axial = "1.0000\\0.0000\\0.0000\\0.0000\\1.0000\\0.0000"
  static let sagittal = "0.0000\\1.0000\\0.0000\\0.0000\\0.0000\\-1.0000"

  @Test func a_series_of_a_scout_and_an_axial_stack_is_two_stacks_opened_on_the_axial_one() throws {
    let ct = "1.2.840.10008.5.1.4.1.1.2"
    let scout = SliceOrder.Slice(
      path: "/scout.dcm", sopClassUID: ct, orientation: Self.sagittal, position: 0, frames: 1)
    let axial = (0..<20).map {
      SliceOrder.Slice(
        path: "/ax\($0).dcm", sopClassUID: ct, orientation: Self.axial, position: Double($0) * 2.5, frames: 1)
    }
    let split = SeriesStack.stacks(SliceOrder.ordered([scout] + axial))
    #expect(split.stacks.map(\.slices.count) == [1, 20])
    #expect(split.stacks.map(\.plane) == ["SAG", "AX"])
    #expect(split.largest == 1, "the axial slices, not their scout")
    #expect(split.stacks[1].slices.first?.path == "/ax0.dcm")
  }

  @Test func echoes_are_stacks_of_their_own_named_by_echo() throws {
    let ct = "1.2.840.10008.5.1.4.1.1.4"
    let slices = (1...2).flatMap { echo in
      (0..<6).map {
        SliceOrder.Slice(
          path: "/e\(echo)-\($0).dcm", sopClassUID: ct, orientation: Self.axial, position: Double($0) * 5, frames: 1,
          stack: "E\(echo)")
      }
    }
    let split = SeriesStack.stacks(SliceOrder.ordered(slices))
    #expect(split.stacks.map(\.plane) == ["AX E1", "AX E2"])
    #expect(split.stacks.map(\.slices.count) == [6, 6])
    // One acquisition: its name says nothing new.
    let single = SeriesStack.stacks(SliceOrder.ordered(slices.filter { $0.stack == "E1" }))
    #expect(single.stacks.map(\.plane) == ["AX"])
  }

  /// An enhanced object of nine frames: six axial ones stored out of order, then three sagittal ones.
  static func enhanced(_ path: String) throws {
    var ds = try SyntheticData.multiFrame(frames: 9, rows: 8, columns: 8)
    try ds.set(Tag.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.4.1")  // Enhanced MR Image Storage
    func sequence(_ tag: DICOM.Tag, _ item: Dataset) -> Element {
      Element(tag: tag, vr: .SQ, value: .sequence([Item(item)]))
    }
    let axialZ = [10.0, 0, 20, 5, 15, 25]
    var perFrame: [Item] = []
    for f in 0..<9 {
      var position = Dataset(byteOrder: .little)
      var orientation = Dataset(byteOrder: .little)
      var content = Dataset(byteOrder: .little)
      if f < 6 {
        try position.set(Tag.imagePositionPatient, .DS, ["0", "0", String(axialZ[f])])
        try orientation.set(Tag.imageOrientationPatient, .DS, ["1", "0", "0", "0", "1", "0"])
        try content.set(Tag.stackID, .SH, "1")
      } else {
        try position.set(Tag.imagePositionPatient, .DS, [String(f), "0", "0"])
        try orientation.set(Tag.imageOrientationPatient, .DS, ["0", "1", "0", "0", "0", "-1"])
        try content.set(Tag.stackID, .SH, "2")
      }
      var group = Dataset(byteOrder: .little)
      group.set(sequence(Tag.planePositionSequence, position))
      group.set(sequence(Tag.planeOrientationSequence, orientation))
      group.set(sequence(Tag.frameContentSequence, content))
      perFrame.append(Item(group))
    }
    ds.set(Element(tag: Tag.perFrameFunctionalGroupsSequence, vr: .SQ, value: .sequence(perFrame)))
    ds.set(sequence(Tag.sharedFunctionalGroupsSequence, Dataset(byteOrder: .little)))
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
  }

  @Test func an_enhanced_object_s_frames_are_put_in_space_and_split_by_plane_and_stack() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("enhanced.dcm")
    try Self.enhanced(path)
    let split = SeriesStack.stacks([
      SliceOrder.Slice(
        path: path, sopClassUID: "1.2.840.10008.5.1.4.1.1.4.1", orientation: nil, position: nil, frames: 9)
    ])
    #expect(split.stacks.map(\.plane) == ["AX S1", "SAG S2"])
    // By position along the normal: z 0, 5, 10, 15, 20, 25 are frames 2, 4, 1, 5, 3, 6 (1-based).
    #expect(split.stacks.first?.slices.map(\.frame) == [1, 3, 0, 4, 2, 5])
    #expect(split.stacks.last?.slices.map(\.frame) == [6, 7, 8])
    #expect(split.largest == 0)
  }

  @Test func the_plane_is_named_by_the_axis_its_normal_runs_along() {
    #expect(SeriesStack.planeName(Self.axial) == "AX")
    #expect(SeriesStack.planeName(Self.sagittal) == "SAG")
    #expect(SeriesStack.planeName("1\\0\\0\\0\\0\\-1") == "COR")
    // Tilted 30 degrees about the x axis: oblique.
    #expect(SeriesStack.planeName("1\\0\\0\\0\\0.866\\0.5") == "OBL")
    // Tilted 5 degrees: still axial (a gantry tilt).
    #expect(SeriesStack.planeName("1\\0\\0\\0\\0.9962\\0.0872") == "AX")
    #expect(SeriesStack.planeName("garbage") == nil)
  }

  @Test func the_reader_moves_between_stacks_each_where_it_was_left() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.screen = .viewer
    m.size = (120, 30)
    let stacks = [
      ViewerStack(slices: [StackSlice(path: "/scout.dcm", frame: 0)], plane: "SAG"),
      ViewerStack(slices: (0..<20).map { StackSlice(path: "/ax\($0).dcm", frame: 0) }, plane: "AX"),
    ]
    m.viewer = Viewer(study: m.viewer!.study, series: m.viewer!.series, stacks: stacks, shown: 1)
    for _ in 0..<5 { _ = update(&m, .key("Down"), keymap: keys) }
    #expect(m.viewer?.current?.path == "/ax5.dcm")
    let corner = { ScreenText.lines(m, keymap: keys)[m.size.rows - 4] }
    #expect(corner().hasPrefix("Im 6/20  Stack 2/2 AX"), "\(corner())")
    _ = update(&m, .key("}"), keymap: keys)
    #expect(m.viewer?.current?.path == "/scout.dcm")
    #expect(corner().hasPrefix("Im 1/1  Stack 1/2 SAG"), "\(corner())")
    _ = update(&m, .key("{"), keymap: keys)
    #expect(m.viewer?.current?.path == "/ax5.dcm", "back where the reader left the axial stack")
  }

  @Test func a_growing_series_keeps_the_slice_shown_in_whichever_stack_holds_it() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel(slices: 3)
    m.viewer?.index = 2
    let shown = m.viewer!.current!
    let grown = [
      ViewerStack(slices: [StackSlice(path: "/scout.dcm", frame: 0)], plane: "SAG"),
      ViewerStack(slices: [StackSlice(path: "/new.dcm", frame: 0)] + m.viewer!.slices, plane: "AX"),
    ]
    _ = update(&m, .pathsLoaded(seriesInstanceUID: m.viewer!.series.seriesInstanceUID, grown), keymap: keys)
    #expect(m.viewer?.current == shown && m.viewer?.stackIndex == 1 && m.viewer?.index == 3)
  }

  @Test func the_corner_never_gives_a_neighbouring_slice_s_location_beside_this_slice_s_number() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.size = (120, 30)
    m.screen = .viewer
    let first = m.viewer?.current
    m.viewer?.slice?.describes = first
    let corner = { ScreenText.lines(m, keymap: keys)[m.size.rows - 4] }
    #expect(corner().contains("Loc 12.5 mm"), "\(corner())")
    // The next slice's number at once; its location when its picture has been drawn.
    _ = update(&m, .key("Down"), keymap: keys)
    #expect(corner().hasPrefix("Im 2/40") && !corner().contains("Loc"), "\(corner())")
  }
}

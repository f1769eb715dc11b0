import Archive
import DICOMImaging
import Foundation
import RasterCore
import Synchronization
import TestSupport
import Testing
import Workstation

/// A study under retrieval shows slices still on their way: they stand in the stack, a render of one
/// draws nothing until the node's own rendering arrives, and then that rendering, marked a lossy preview.
/// The node here is a fake that lists three instances, never sends them, and renders a JPEG made by
/// Pillow.
@Suite struct PendingSliceTests {
  static let study = "1.2.826.0.1.3680043.8.498.1"
  static let series = study + ".1"

  final class RenderingNode: StubNode, Sendable {
    let jpeg: [UInt8]
    let asked = Mutex<[String]>([])
    init(jpeg: [UInt8]) { self.jpeg = jpeg }
    var nodes: [String] { ["web"] }
    func retrieve(
      node: String, studyInstanceUID: String, seriesInstanceUID: String?,
      readingAt: @escaping @Sendable () -> ReadingPosition?,
      planned: @escaping @Sendable ([String: [PendingInstance]]) -> Void,
      progress: @escaping @Sendable (JobProgress) -> Void
    ) async throws -> JobProgress {
      planned([
        PendingSliceTests.series: (1...3).map {
          PendingInstance(
            sopInstanceUID: PendingSliceTests.series + ".\($0)", sopClassUID: "1.2.840.10008.5.1.4.1.1.2",
            instanceNumber: $0, orientation: "1\\0\\0\\0\\1\\0", position: Double($0) * 2.5)
        }
      ])
      // The objects never come: the retrieve waits until it is cancelled.
      try await Task.sleep(for: .seconds(600))
      return JobProgress(finished: true)
    }
    func send(node: String, files: [String]) async throws -> (JobProgress, problems: [String]) { (JobProgress(), []) }
    func preview(
      node: String, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, width: Int,
      height: Int, window: Window?
    ) async throws -> [UInt8]? {
      asked.withLock { $0.append(sopInstanceUID) }
      return jpeg
    }
  }

  static func jpeg(_ dir: TemporaryDirectory) throws -> [UInt8] {
    let made = try ProcessRunner.run(
      "python3",
      [
        "-c",
        "from PIL import Image; import sys; Image.linear_gradient('L').resize((64, 48)).save(sys.argv[1], 'JPEG')",
        dir.file("preview.jpg"),
      ])
    try #require(made.status == 0, "Pillow is needed: \(made.stderr)")
    return try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("preview.jpg"))))
  }

  @Test func a_slice_on_its_way_stands_in_its_stack_and_shows_the_nodes_preview_once_it_comes() async throws {
    let dir = try TemporaryDirectory()
    let node = RenderingNode(jpeg: try Self.jpeg(dir))
    let runtime = Runtime(archive: try LocalArchive(root: dir.file("archive")), remote: node)
    runtime.performInBackground(.retrieve(node: "web", studyInstanceUID: Self.study)) { _ in }
    // The listing arrives: the series' stack holds its three slices, none of them here.
    var stacks: [ViewerStack] = []
    for _ in 0..<100 where stacks.first?.slices.count != 3 {
      try await Task.sleep(for: .milliseconds(20))
      if case .pathsLoaded(_, let loaded)? = runtime.perform(.loadPaths(seriesInstanceUID: Self.series), model: Model())
        .first
      {
        stacks = loaded
      }
    }
    let slices = try #require(stacks.first?.slices)
    #expect(slices.map { PendingInstance.sopInstanceUID(ofPath: $0.path) } == (1...3).map { Self.series + ".\($0)" })

    let summary = LocalArchive.SeriesSummary(
      seriesInstanceUID: Self.series, seriesNumber: 1, modality: "CT", description: "AXIAL", instanceCount: 3)
    let study = StudyQuery.Study(
      studyInstanceUID: Self.study, patientName: "", patientID: "", studyDate: "", studyTime: "", accessionNumber: "",
      description: "", modalities: "CT", seriesCount: 1, instanceCount: 3)
    var viewer = Viewer(study: study, series: summary, stacks: stacks)
    viewer.index = 1
    let box = (width: 320, height: 240)
    let fit = { (w: Int, h: Int) in Resampler.fitSize(width: w, height: h, box: box) }
    // Nothing stale is drawn for a slice not here.
    guard case .failure(.notHereYet) = runtime.render(viewer, box: box, fit: fit) else {
      Issue.record("a slice on its way rendered as something")
      return
    }
    // The reader's model asks the node for its rendering, once.
    var model = Model()
    model.retrievingFrom[Self.study] = "web"
    model.viewer = viewer
    model.screen = .viewer
    let effects = update(&model, .notice(""), keymap: Keymap())
    let expected = Effect.fetchPreview(
      node: "web", studyInstanceUID: Self.study, seriesInstanceUID: Self.series, sopInstanceUID: Self.series + ".2",
      window: nil)
    #expect(effects == [expected])
    #expect(update(&model, .notice(""), keymap: Keymap()).isEmpty)

    let arrived = Mutex(false)
    runtime.performInBackground(expected) { msg in
      if case .previewArrived(let uid) = msg, uid == Self.series + ".2" { arrived.withLock { $0 = true } }
    }
    for _ in 0..<100 where !arrived.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
    #expect(arrived.withLock { $0 }, "the preview was never said to have arrived")
    _ = update(&model, .previewArrived(sopInstanceUID: Self.series + ".2"), keymap: Keymap())
    #expect(model.viewer?.picture.preview == true, "the pane's picture changes: the view draws again")
    guard case .success(let (raster, info)) = runtime.render(viewer, box: box, fit: fit) else {
      Issue.record("the preview did not render")
      return
    }
    #expect(info.isPreview && info.isLossy)
    #expect(info.sliceLocation == 5.0, "the planned place along the normal")
    #expect((raster.width, raster.height) == (320, 240), "64x48 fitted to the 320x240 area")
    #expect(node.asked.withLock { $0 } == [Self.series + ".2"])
    runtime.performInBackground(.cancelRetrieve(studyInstanceUID: Self.study)) { _ in }
  }
}

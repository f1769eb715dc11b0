import Foundation
import TestSupport
import Testing

/// A study with a presentation state made by a peer (highdicom), as a reader uses it in tmux: the corner
/// says the study has one, `P` applies it by its label (its window, its text annotations), `P` again
/// shows the images as they are.
@Suite(.serialized) struct PresentationStateTmuxTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("DICOMImagingInteropTests/presentation_state.py").path

  @Test func p_applies_the_study_s_presentation_state_by_its_label_and_takes_it_off_again() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    let samples = WorkstationTmuxTests.root + "/Samples/ct-head"
    try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
    let made = try ProcessRunner.run(
      "python3", [Self.script, samples, dir.file("in/state.dcm"), "window,rotate90,polyline"])
    try #require(made.status == 0, "highdicom: \(made.stderr)")
    let session = try WorkstationTmuxTests.openFirstSeries(importing: [samples, dir.file("in")], in: dir, rows: 40)
    try session.wait(for: "PR off")
    try session.keys("P")
    // The state's window (W 180 L 60), its label, and its text beside the series.
    let applied = try session.wait("the state applied") {
      $0.contains("PR READING") && $0.contains("LESION 1") && $0.contains("W 180 L 60")
    }
    #expect(applied.contains("presentation state READING"))
    try session.keys("P")
    // Off at once; the file's own window once the slice is drawn again.
    let off = try session.wait("the state taken off") { $0.contains("PR off") && !$0.contains("W 180 L 60") }
    #expect(!off.contains("LESION 1"), "\(off)")
  }
}

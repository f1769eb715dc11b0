import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// A 30-frame ultrasound cine as a reader opens it, in tmux: frames are slices, cine plays at the
/// file's rate.
@Suite(.serialized) struct MultiFrameTmuxTests {
  @Test func a_30_frame_ultrasound_scrolls_frame_by_frame_and_plays_at_its_own_rate() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    var cine = try SyntheticData.multiFrame(frames: 30, rows: 64, columns: 64)
    try cine.set(Tag.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.3.1")  // Ultrasound Multi-frame Image Storage
    try cine.set(Tag.modality, .CS, "US")
    try cine.set(Tag.frameTime, .DS, "33.3333")  // 30 frames a second
    try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
    try DICOMFile(dataset: cine, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("in/us.dcm"))
    let b = try BuiltProducts.biloba()
    let imported = try ProcessRunner.run(b, ["import", dir.file("in"), "--archive", dir.file("archive")])
    try #require(imported.status == 0, "\(imported.stderr)")
    let session = try WorkstationTmuxTests.Session(
      "XDG_CONFIG_HOME='\(dir.file("config"))' XDG_DATA_HOME='\(dir.file("data"))' '\(b)' --archive '\(dir.file("archive"))' --graphics ascii",
      columns: 120)
    try session.wait(for: "PHANTOM, HEAD")
    try session.keys("Enter")
    try session.wait("the series list", until: { $0.contains("#") })
    try session.keys("Enter")
    try session.wait(for: "Im 1/30")
    try session.keys("Down")
    try session.wait(for: "Im 2/30")
    try session.keys("End")
    try session.wait(for: "Im 30/30")
    try session.keys("c")
    let playing = try session.wait(for: "Cine 30.0/s")
    // Playing: the frame number moves on by itself.
    let before = playing.range(of: #"Im \d+/30"#, options: .regularExpression).map { String(playing[$0]) }
    usleep(300_000)
    let later = try session.screen()
    let after = later.range(of: #"Im \d+/30"#, options: .regularExpression).map { String(later[$0]) }
    #expect(before != nil && after != nil && before != after, "\(before ?? "") then \(after ?? "")")
  }
}

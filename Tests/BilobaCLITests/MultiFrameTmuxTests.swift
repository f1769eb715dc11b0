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

/// An enhanced multi-frame CT made by a peer (highdicom's legacy conversion of the bundled head CT), as a
/// reader opens it: each frame's place comes from its own functional group.
@Suite(.serialized) struct EnhancedMultiFrameTmuxTests {
  struct PeerGeometry: Decodable {
    let orientation: [Double]
    let positions: [[Double]]
    let thickness: Double
  }

  @Test func an_enhanced_ct_shows_each_frames_own_position_in_the_corner() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("legacy_converted_enhanced.py")
    let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Samples/ct-head").path
    let converted = try ProcessRunner.run("python3", [script.path, samples, dir.file("in/enhanced.dcm")])
    try #require(converted.status == 0, "highdicom: \(converted.stderr)")
    let peer = try JSONDecoder().decode(PeerGeometry.self, from: Data(converted.stdout.utf8))
    // Where each frame lies along the plane's normal, computed here from what pydicom read.
    let o = peer.orientation
    let normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
    let locations = peer.positions.map { zip($0, normal).map { $0 * $1 }.reduce(0, +) }
    try #require(locations.count > 3 && Set(locations).count == locations.count)
    func shown(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }

    let b = try BuiltProducts.biloba()
    let imported = try ProcessRunner.run(b, ["import", dir.file("in"), "--archive", dir.file("archive")])
    try #require(imported.status == 0, "\(imported.stderr)")
    let session = try WorkstationTmuxTests.Session(
      "XDG_CONFIG_HOME='\(dir.file("config"))' XDG_DATA_HOME='\(dir.file("data"))' '\(b)' --archive '\(dir.file("archive"))' --graphics ascii",
      columns: 140)
    try session.wait(for: "PHANTOM")
    try session.keys("Enter")
    try session.wait("the series list", until: { $0.contains("#") })
    try session.keys("Enter")
    let n = locations.count
    try session.wait(for: "Im 1/\(n)")
    try session.wait(for: "Loc \(shown(locations[0])) mm  Th \(shown(peer.thickness)) mm")
    try session.keys("Down")
    try session.wait(for: "Im 2/\(n)")
    try session.wait(for: "Loc \(shown(locations[1])) mm")
    try session.keys("End")
    try session.wait(for: "Im \(n)/\(n)")
    try session.wait(for: "Loc \(shown(locations[n - 1])) mm")
  }
}

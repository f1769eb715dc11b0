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
    let session = try WorkstationTmuxTests.openFirstSeries(importing: [dir.file("in")], in: dir, columns: 120)
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

/// Enhanced multi-frame CT and MR made by a peer (highdicom's legacy conversion of the bundled head
/// slices), as a reader opens them: each frame's place comes from its own functional group.
@Suite(.serialized) struct EnhancedMultiFrameTmuxTests {
  struct PeerGeometry: Decodable {
    let orientation: [Double]
    let positions: [[Double]]
    let thickness: Double
  }

  @Test(arguments: ["CT", "MR"])
  func an_enhanced_object_shows_each_frames_own_position_in_the_corner(modality: String) throws {
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
    let converted = try ProcessRunner.run(
      "python3", [script.path, samples, dir.file("in/enhanced.dcm"), modality])
    try #require(converted.status == 0, "highdicom: \(converted.stderr)")
    let peer = try JSONDecoder().decode(PeerGeometry.self, from: Data(converted.stdout.utf8))
    // Where each frame lies along the plane's normal, computed here from what pydicom read.
    let o = peer.orientation
    let normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
    let locations = peer.positions.map { zip($0, normal).map { $0 * $1 }.reduce(0, +) }
    try #require(locations.count > 3 && Set(locations).count == locations.count)
    func shown(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }

    let session = try WorkstationTmuxTests.openFirstSeries(importing: [dir.file("in")], in: dir)
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

/// A 2000-frame object (524 MB of pixel data) scrolled and played in the workstation: only the frames
/// shown and read ahead are ever in memory.
@Suite(.serialized) struct LargeMultiFrameTmuxTests {
  static let frames = 2000
  static let side = 512
  /// Resident peak allowed: a quarter of the 500 MiB object (the decoded frames kept are bounded at 16
  /// and 128 MiB; measured: 42 MiB).
  static let residentBound = 128 << 20

  /// Writes the object a frame at a time: its header, then the pixel data's element header, then frames.
  static func write(_ path: String) throws {
    var ds = try SyntheticData.multiFrame(frames: 1, rows: side, columns: side)
    ds.remove(.pixelData)
    try ds.set(Tag.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.3.1")  // Ultrasound Multi-frame Image Storage
    try ds.set(Tag.modality, .CS, "US")
    try ds.set(Tag.numberOfFrames, .IS, String(frames))
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? out.close() }
    try out.seekToEnd()
    let length = UInt32(frames * side * side)
    // (7FE0,0010) OB with an explicit 32-bit length.
    try out.write(
      contentsOf: Data(
        [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0, 0]
          + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }))
    // A gradient, with each frame's number in its top rows so frames differ.
    var frame = Data((0..<(side * side)).map { UInt8(truncatingIfNeeded: $0 / side) })
    for f in 0..<frames {
      frame.replaceSubrange(0..<(side * 8), with: repeatElement(UInt8(truncatingIfNeeded: f), count: side * 8))
      try out.write(contentsOf: frame)
    }
  }

  static func residentPeak(_ pid: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) * 1024
  }

  @Test func a_2000_frame_object_scrolls_and_plays_with_bounded_memory() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
    try Self.write(dir.file("in/long.dcm"))
    let session = try WorkstationTmuxTests.openFirstSeries(
      importing: [dir.file("in")], in: dir, graphics: "blocks", columns: 120, rows: 40)
    try session.wait(for: "Im 1/\(Self.frames)")
    for _ in 0..<20 { try session.keys("PageDown") }
    try session.wait(for: "Im 201/\(Self.frames)")
    try session.keys("End")
    try session.wait(for: "Im \(Self.frames)/\(Self.frames)")
    try session.keys("Home", "c")
    try session.wait(for: "Cine")
    usleep(1_500_000)
    try session.keys("c")
    let pid = try ProcessRunner.run("tmux", ["display", "-p", "-t", session.name, "#{pane_pid}"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let peak = Self.residentPeak(pid)
    #expect(
      peak > 0 && peak < Self.residentBound,
      "resident peak \(peak >> 20) MiB for a \(Self.frames * Self.side * Self.side >> 20) MiB object")
    try session.keys("q")
  }
}

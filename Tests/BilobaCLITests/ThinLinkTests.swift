import Foundation
import TestSupport
import Testing

/// The workstation over `ssh -t` on a 2 Mbit/s link with a 100 ms round trip, driven by the thin-link
/// harness (Tests/ThinLink/thinlink.py: sshd in a network namespace, a token bucket each way, a delaying
/// ProxyCommand, tmux and script). What it checks is behaviour, not speed (the harness reports the
/// figures): stale pictures are skipped, previews go out while keys come, the final slice is shown in
/// full at rest, `q` leaves no queue of pictures behind, and a slice costs no more than twice its PNG.
@Suite(.serialized) struct ThinLinkTests {
  static let harness = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ThinLink/thinlink.py").path

  struct Run: Decodable {
    struct Phase: Decodable {
      var pictures: Int
      var picture_bytes: [Int]
      var pictures_after_q: Int?
    }
    struct Corner: Decodable {
      var slice: String?
      var preview: Bool
    }
    var variant: String
    var exited: Bool
    var burst: Phase
    var burstquit: Phase
    var slice_change_vs_png: Double?
    var screen_after_burst: Corner
  }

  @Test(arguments: [("sixel", 2.5), ("kitty", 1.5), ("blocks-256", 0.5)])
  func over_ssh_at_2_mbits_scrolling_skips_stale_pictures_and_ends_on_the_full_final_slice(
    variant: String, bytesAgainstPNG: Double
  ) throws {
    for tool in ["sshd", "tmux", "script", "tc", "ip", "python3"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (make setup installs it)")
      return
    }
    guard getuid() == 0 else {
      Issue.record("the thin-link harness needs root (a network namespace and tc)")
      return
    }
    let dir = try TemporaryDirectory()
    let out = try ProcessRunner.run(
      "timeout",
      [
        "600", "python3", Self.harness, "--biloba", try BuiltProducts.biloba(), "--rates", "2mbit", "--variants",
        variant, "--work", dir.path, "--json", dir.file("result.json"), "--quiet", "1.2",
      ])
    try #require(out.status == 0, "the harness failed: \(out.stdout)\n\(out.stderr)")
    let runs = try JSONDecoder().decode(
      [Run].self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("result.json"))))
    let run = try #require(runs.first)
    #expect(run.exited, "q ends the workstation")
    // 20 Down keys from slice 2: the final slice, in full (no preview mark) once the reader stops.
    #expect(run.screen_after_burst.slice == "22" && !run.screen_after_burst.preview, "\(run.screen_after_burst)")
    #expect(run.burst.pictures < 20, "stale states are skipped, not queued: \(run.burst.picture_bytes)")
    let largest = run.burst.picture_bytes.max() ?? 0
    if variant != "blocks-256" {
      #expect(
        run.burst.picture_bytes.contains { $0 * 2 < largest }, "previews while keys come: \(run.burst.picture_bytes)")
    }
    // Two frames are in flight at most, and the key itself takes half a round trip to arrive (the old
    // program had all 20 still to come).
    #expect((run.burstquit.pictures_after_q ?? 99) <= 3, "after q, at most what was already on its way arrives")
    #expect(
      (run.slice_change_vs_png ?? 99) <= bytesAgainstPNG,
      "a slice change costs \(run.slice_change_vs_png ?? 0)x its PNG")
  }
}

import DICOM
import DICOMImaging
import Foundation
import RasterCore
import SyntheticData
import TerminalGraphics
import TestSupport
import Testing

/// `biloba show` in a real terminal: xterm under Xvfb, screenshot compared with the expected image;
/// and the probe's choice in a sixel xterm, a plain xterm and tmux.
@Suite(.serialized) struct RealTerminalTests {
  static func sample(_ dir: TemporaryDirectory) throws -> String {
    let path = dir.file("ct.dcm")
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 12, of: 24, rows: 256, columns: 256),
      transferSyntax: .explicitVRLittleEndian
    ).write(to: path)
    return path
  }

  static func probeField(_ text: String, _ name: String) -> String? {
    text.split(separator: "\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
  }

  /// Pearson correlation of the expected raster with the screenshot at offset (dx, dy).
  static func correlation(_ expected: Raster, _ shot: (width: Int, height: Int, gray: [UInt8]), dx: Int, dy: Int)
    -> Double
  {
    var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
    let n = Double(expected.width * expected.height)
    for y in 0..<expected.height {
      for x in 0..<expected.width {
        let a = Double(expected.pixels[y * expected.width + x])
        let sxPos = x + dx
        let syPos = y + dy
        let b = sxPos < shot.width && syPos < shot.height ? Double(shot.gray[syPos * shot.width + sxPos]) : 0
        sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b
      }
    }
    let cov = sxy / n - sx / n * sy / n
    let va = sxx / n - (sx / n) * (sx / n)
    let vb = syy / n - (sy / n) * (sy / n)
    return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
  }

  @Test func sixel_in_xterm_vt340_shows_the_windowed_image() throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let file = try Self.sample(dir)
    let x = try XvfbSession()
    let done = dir.file("done")
    try x.xterm(
      ["-ti", "vt340", "-geometry", "100x40+0+0", "-bg", "black", "-fg", "white", "+sb"],
      script: """
        clear; '\(biloba)' probe > '\(dir.file("probe.txt"))'; clear
        '\(biloba)' show '\(file)' --cols 40 --rows 20; touch '\(done)'; sleep 60
        """)
    #expect(XvfbSession.waitFor(done), "xterm did not finish drawing")
    usleep(500_000)
    let shot = try x.screenshot(to: dir.file("shot.ppm"))
    let probe = try String(contentsOfFile: dir.file("probe.txt"), encoding: .utf8)
    #expect(Self.probeField(probe, "protocol") == "sixel")
    let cellText = try #require(Self.probeField(probe, "cell")).replacingOccurrences(of: " pixels", with: "")
    let cellParts = cellText.split(separator: "x").compactMap { Int($0) }
    try #require(cellParts.count == 2)

    let image = try DICOMImage(path: file)
    let rendered = try DisplayPipeline.render(try image.decodeFrame(0), of: image)
    let layout = GraphicsLayout(columns: 40, rows: 20, cell: .init(width: cellParts[0], height: cellParts[1]))
    let size = layout.rasterSize(imageWidth: 256, imageHeight: 256, protocol: .sixel)
    let expected = Resampler.resize(rendered.raster, width: size.width, height: size.height)
    var best = (score: -1.0, dx: 0, dy: 0)
    for dy in 0...12 {
      for dx in 0...12 {
        let c = Self.correlation(expected, shot, dx: dx, dy: dy)
        if c > best.score { best = (c, dx, dy) }
      }
    }
    #expect(best.score >= 0.95, "correlation \(best.score) at offset \(best.dx),\(best.dy)")
  }

  @Test func a_plain_xterm_gets_blocks_not_sixel() throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let x = try XvfbSession()
    let done = dir.file("done")
    try x.xterm(
      ["-geometry", "80x24+0+0"], script: "'\(biloba)' probe > '\(dir.file("probe.txt"))'; touch '\(done)'; sleep 30")
    #expect(XvfbSession.waitFor(done))
    let probe = try String(contentsOfFile: dir.file("probe.txt"), encoding: .utf8)
    #expect(Self.probeField(probe, "protocol") == "blocks")
    #expect(Self.probeField(probe, "sixel")?.hasPrefix("no") == true)
  }

  @Test func inside_tmux_the_probe_picks_blocks() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let socket = "biloba-test-\(UUID().uuidString.prefix(8))"
    let done = dir.file("done")
    let start = try ProcessRunner.run(
      "tmux",
      [
        "-L", socket, "new-session", "-d", "-x", "100", "-y", "30",
        "'\(biloba)' probe > '\(dir.file("probe.txt"))'; touch '\(done)'; sleep 5",
      ])
    #expect(start.status == 0, "\(start.stderr)")
    defer { _ = try? ProcessRunner.run("tmux", ["-L", socket, "kill-server"]) }
    #expect(XvfbSession.waitFor(done))
    let probe = try String(contentsOfFile: dir.file("probe.txt"), encoding: .utf8)
    #expect(Self.probeField(probe, "protocol") == "blocks")
    #expect(probe.contains("(inside tmux)"))
  }

  @Test func inside_tmux_with_passthrough_allowed_sixel_is_wrapped_for_the_outer_terminal() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let file = try Self.sample(dir)
    let socket = "biloba-test-\(UUID().uuidString.prefix(8))"
    let done = dir.file("done")
    let out = dir.file("out.six")
    let start = try ProcessRunner.run(
      "tmux",
      [
        "-L", socket, "new-session", "-d", "-x", "100", "-y", "30",
        "tmux set -g allow-passthrough on; '\(biloba)' show '\(file)' --protocol sixel --cols 10 --rows 5 > '\(out)'; touch '\(done)'; sleep 5",
      ])
    #expect(start.status == 0, "\(start.stderr)")
    defer { _ = try? ProcessRunner.run("tmux", ["-L", socket, "kill-server"]) }
    #expect(XvfbSession.waitFor(done))
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
    #expect(bytes.starts(with: Array("\u{1B}Ptmux;\u{1B}\u{1B}P0;1;0q".utf8)))
  }
}

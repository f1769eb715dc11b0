import CTerminal
import DICOM
import DICOMImaging
import Foundation
import RasterCore
import Spawn
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

  /// Probed, and with sixel named: a named protocol drawn on the terminal still learns its cell size
  /// (6x13 pixels in this xterm, where 10x20 would be assumed).
  @Test(arguments: ["", "--protocol sixel"])
  func sixel_in_xterm_vt340_shows_the_windowed_image(options: String) throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let file = try Self.sample(dir)
    let x = try XvfbSession()
    let done = dir.file("done")
    try x.xterm(
      ["-ti", "vt340", "-geometry", "100x40+0+0", "-bg", "black", "-fg", "white", "+sb"],
      script: """
        clear; '\(biloba)' probe > '\(dir.file("probe.txt"))'; clear
        '\(biloba)' show '\(file)' --cols 40 --rows 20 \(options); touch '\(done)'; sleep 60
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

  /// Inside tmux with passthrough, `biloba probe` measures the link to the outer terminal (the one
  /// pictures cross): behind an outer terminal that never answers (a pseudo-terminal only read) it finds no answer, which
  /// it would if tmux answered the requests itself; behind one that answers (a second tmux) it has a
  /// round trip.
  @Test func inside_tmux_with_passthrough_the_link_measured_is_the_outer_terminals() throws {
    guard ProcessRunner.isInstalled("tmux"), ProcessRunner.isInstalled("script") else {
      Issue.record("tmux and script are needed (apt-get install tmux util-linux)")
      return
    }
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    // The inner tmux's command lines as scripts: no quoting inside quoting.
    func inner(_ socket: String, _ name: String) throws -> String {
      let probe = dir.file(name + ".sh")
      try
        "tmux -L \(socket) set -g allow-passthrough on\n'\(biloba)' probe --timeout 300 > '\(dir.file(name))' 2>&1\ntouch '\(dir.file(name + ".done"))'\n"
        .write(toFile: probe, atomically: true, encoding: .utf8)
      let session = dir.file(name + "-session.sh")
      try "exec tmux -L \(socket) -f /dev/null new-session 'sh \(probe)'\n".write(
        toFile: session, atomically: true, encoding: .utf8)
      return session
    }
    // A terminal that never answers: a pseudo-terminal whose other side is only read.
    var master: Int32 = -1
    var slave: Int32 = -1
    try #require(biloba_openpty(&master, &slave) == 0)
    // Our end of the slave stays open, so the master never reads as hung up before tmux opens it.
    defer {
      close(slave)
      close(master)
    }
    let slavePath = String(cString: ttyname(slave))
    let silent = "biloba-test-\(UUID().uuidString.prefix(8))"
    defer { _ = try? ProcessRunner.run("tmux", ["-L", silent, "kill-server"]) }
    let session = try ChildProcess(
      [
        "sh", "-c",
        "TERM=xterm-256color exec setsid sh \(try inner(silent, "silent")) < \(slavePath) > \(slavePath) 2>&1",
      ])
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: dir.file("silent.done")) && Date() < deadline {
      var ready = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      if poll(&ready, 1, 100) > 0 && read(master, &buffer, buffer.count) <= 0 { usleep(50_000) }
    }
    session.send(SIGKILL)
    _ = session.wait()
    let unanswered = try String(contentsOfFile: dir.file("silent"), encoding: .utf8)
    #expect(unanswered.contains("link: the terminal did not answer"), "\(unanswered)")
    #expect(unanswered.contains("(inside tmux)"), "\(unanswered)")

    let outer = "biloba-test-\(UUID().uuidString.prefix(8))"
    let innerSocket = "biloba-test-\(UUID().uuidString.prefix(8))"
    defer {
      _ = try? ProcessRunner.run("tmux", ["-L", outer, "kill-server"])
      _ = try? ProcessRunner.run("tmux", ["-L", innerSocket, "kill-server"])
    }
    let start = try ProcessRunner.run(
      "tmux", ["-L", outer, "new-session", "-d", "-x", "100", "-y", "30", "sh \(try inner(innerSocket, "answered"))"])
    #expect(start.status == 0, "\(start.stderr)")
    #expect(XvfbSession.waitFor(dir.file("answered.done")))
    let answered = try String(contentsOfFile: dir.file("answered"), encoding: .utf8)
    #expect(answered.contains("link: round trip"), "\(answered)")
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

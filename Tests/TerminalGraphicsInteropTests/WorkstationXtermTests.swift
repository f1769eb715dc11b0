import DICOM
import DICOMImaging
import Foundation
import RasterCore
import SyntheticData
import TerminalGraphics
import TestSupport
import Testing

/// The workstation in a real `xterm -ti vt340` under Xvfb, keys typed with xdotool: the screenshot shows
/// the study list, then the slice drawn in sixel where the layout says, matching the expected image; with
/// a presentation state applied, its rotation, window and graphics.
@Suite(.serialized) struct WorkstationXtermTests {
  /// The workstation running in xterm on an archive of three CT slices (and `extra` imported after).
  struct Running {
    let x: XvfbSession
    let source: String
    let probed: String
    let xdotool: ([String]) -> Void
  }

  static func start(
    _ dir: TemporaryDirectory, options: String = "", extra: ((String) throws -> String)? = nil
  ) throws -> Running {
    let biloba = try BuiltProducts.biloba()
    let source = dir.file("study")
    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    for i in 0..<3 {
      try DICOMFile(
        dataset: try SyntheticData.ctSlice(index: 11 + i, of: 24, rows: 256, columns: 256),
        transferSyntax: .explicitVRLittleEndian
      ).write(to: source + "/\(i).dcm")
    }
    let archive = dir.file("archive")
    #expect(try ProcessRunner.run(biloba, ["import", source, "--archive", archive]).status == 0)
    if let extra {
      #expect(try ProcessRunner.run(biloba, ["import", try extra(source), "--archive", archive]).status == 0)
    }
    let x = try XvfbSession()
    let probed = dir.file("probe.txt")
    try x.xterm(
      ["-ti", "vt340", "-geometry", "100x40+0+0", "-bg", "black", "-fg", "white", "+sb"],
      script:
        "'\(biloba)' probe > '\(probed)'; XDG_CONFIG_HOME='\(dir.path)' '\(biloba)' --archive '\(archive)' \(options); sleep 30"
    )
    #expect(XvfbSession.waitFor(probed))
    // Keys go in once the study list is drawn (typed while the workstation still probes the terminal,
    // they could be taken for its answers): text in the top rows, the title, header and study line.
    for _ in 0..<40 {
      let list = try x.screenshot(to: dir.file("list.ppm"))
      if list.gray.prefix(list.width * 80).filter({ $0 > 128 }).count > 500 { break }
      usleep(250_000)
    }
    usleep(500_000)
    let display = x.display
    return Running(
      x: x, source: source, probed: probed,
      xdotool: { args in _ = try? ProcessRunner.run("env", ["DISPLAY=\(display)", "xdotool"] + args) })
  }

  /// Where the workstation puts a 256x256 slice on the screenshot, and at what size.
  /// `enlarge` false: at the image's own size, as the workstation sends sixel when it finds the link thin
  /// (an xterm slow to answer on a loaded machine is).
  static func placement(_ probed: String, enlarge: Bool = true) throws -> (
    size: (width: Int, height: Int), origin: (Int, Int)
  ) {
    let probe = try String(contentsOfFile: probed, encoding: .utf8)
    let cellText = try #require(RealTerminalTests.probeField(probe, "cell")).replacingOccurrences(
      of: " pixels", with: "")
    let cell = cellText.split(separator: "x").compactMap { Int($0) }
    try #require(cell.count == 2)
    // The area under the two corner lines, centred.
    let layout = GraphicsLayout(columns: 100, rows: 40 - 6, cell: .init(width: cell[0], height: cell[1]))
    let size = layout.rasterSize(imageWidth: 256, imageHeight: 256, protocol: .sixel, enlarge: enlarge)
    let covered = layout.cellsCovered(rasterWidth: size.width, rasterHeight: size.height, protocol: .sixel)
    return (size, ((100 - covered.columns) / 2 * cell[0], 2 * cell[1]))
  }

  /// The best correlation of `expected` with the screenshot near `origin` (the sixel's rounding).
  static func bestMatch(_ expected: Raster, _ shot: (width: Int, height: Int, gray: [UInt8]), origin: (Int, Int))
    -> (score: Double, dx: Int, dy: Int)
  {
    var best = (score: -1.0, dx: 0, dy: 0)
    for dy in 0...12 {
      for dx in 0...12 {
        let c = RealTerminalTests.correlation(expected, shot, dx: origin.0 + dx, dy: origin.1 + dy)
        if c > best.score { best = (c, dx, dy) }
      }
    }
    return best
  }

  /// Auto, and sixel chosen with --graphics: a chosen protocol still learns xterm's cell size (6x13
  /// pixels here, where 10x20 would be assumed and the slice would overflow its area).
  @Test(arguments: ["", "--graphics sixel"])
  func the_study_list_and_then_a_sixel_slice_appear_in_xterm(options: String) throws {
    guard ProcessRunner.isInstalled("xdotool") else {
      Issue.record("xdotool is needed (apt-get install xdotool)")
      return
    }
    let dir = try TemporaryDirectory()
    let run = try Self.start(dir, options: options)
    let list = try run.x.screenshot(to: dir.file("list.ppm"))
    // Text in the top rows: the title, the header and the study line.
    let topBright = list.gray.prefix(list.width * 80).filter { $0 > 128 }.count
    #expect(topBright > 500, "the study list is not on the screen (\(topBright) bright pixels)")
    run.xdotool(["mousemove", "200", "200"])
    run.xdotool(["key", "Return"])
    usleep(500_000)
    run.xdotool(["key", "Return"])
    usleep(2_000_000)
    let shot = try run.x.screenshot(to: dir.file("viewer.ppm"))
    let (size, origin) = try Self.placement(run.probed)
    let image = try DICOMImage(path: run.source + "/0.dcm")
    let rendered = try DisplayPipeline.render(try image.decodeFrame(0), of: image)
    let expected = Resampler.resize(rendered.raster, width: size.width, height: size.height)
    let best = Self.bestMatch(expected, shot, origin: origin)
    #expect(best.score >= 0.9, "the slice in the screenshot correlates \(best.score) with the expected image")
  }

  @Test func a_presentation_state_s_turn_window_and_polyline_show_in_xterm() throws {
    guard ProcessRunner.isInstalled("xdotool") else {
      Issue.record("xdotool is needed (apt-get install xdotool)")
      return
    }
    let dir = try TemporaryDirectory()
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("DICOMImagingInteropTests/presentation_state.py").path
    let states = dir.file("states")
    let run = try Self.start(dir) { source in
      try FileManager.default.createDirectory(atPath: states, withIntermediateDirectories: true)
      let made = try ProcessRunner.run(
        "python3", [script, source, states + "/with.dcm", "window,rotate90,polyline"])
      try #require(made.status == 0, "highdicom: \(made.stderr)")
      return states
    }
    run.xdotool(["mousemove", "200", "200"])
    run.xdotool(["key", "Return"])
    usleep(500_000)
    run.xdotool(["key", "Return"])
    // The slice the viewer opens on, as the state shows it and as it is, at either size it may be sent at.
    let state = try PresentationState(dataset: try DICOMFile.read(path: states + "/with.dcm").dataset)
    typealias View = (with: Raster, plain: Raster, size: (width: Int, height: Int), origin: (Int, Int))
    var views: [View] = []
    for enlarge in [true, false] {
      let (size, origin) = try Self.placement(run.probed, enlarge: enlarge)
      for i in 0..<3 {
        let image = try DICOMImage(path: run.source + "/\(i).dcm")
        let frame = try image.decodeFrame(0)
        let with = try DisplayPipeline.render(frame, of: image, options: DisplayOptions(presentationState: state))
        let plain = try DisplayPipeline.render(frame, of: image)
        views.append(
          (
            Resampler.resize(with.raster, width: size.width, height: size.height),
            Resampler.resize(plain.raster, width: size.width, height: size.height), size, origin
          ))
      }
    }
    // The viewer first (a key typed before it opens would go to the series list), then the state.
    var shot = try run.x.screenshot(to: dir.file("state.ppm"))
    for _ in 0..<20 {
      if views.contains(where: { Self.bestMatch($0.plain, shot, origin: $0.origin).score >= 0.9 }) { break }
      usleep(500_000)
      shot = try run.x.screenshot(to: dir.file("state.ppm"))
    }
    // Shift held explicitly: a bare keysym P is sometimes typed as p on a fresh X keymap (the probe key).
    run.xdotool(["key", "shift+p"])
    // Screenshots until the state's picture is drawn (or ten seconds pass).
    var best = (score: -1.0, dx: 0, dy: 0, view: views[0])
    for _ in 0..<20 {
      usleep(500_000)
      shot = try run.x.screenshot(to: dir.file("state.ppm"))
      for view in views {
        let match = Self.bestMatch(view.with, shot, origin: view.origin)
        if match.score > best.score { best = (match.score, match.dx, match.dy, view) }
      }
      if best.score >= 0.9 { break }
    }
    #expect(best.score >= 0.9, "the screenshot correlates \(best.score) with the slice as the state shows it")
    let unpresented = Self.bestMatch(best.view.plain, shot, origin: best.view.origin).score
    #expect(unpresented < best.score - 0.1, "the slice as it is correlates \(unpresented): the state was not applied")
    let (size, origin) = (best.view.size, best.view.origin)
    // The polyline (4.5, 5.5) -> (40.5, 5.5) -> (40.5, 30.5) lies in the air above the head, black in this
    // window; a quarter turn puts image pixel (x, y) at (255 - y, x), then the picture is scaled to `size`.
    let points = (4...40).map { (x: $0, y: 5) } + (5...30).map { (x: 40, y: $0) }
    let scale = Double(size.width) / 256
    var line: [UInt8] = []
    var beside: [UInt8] = []
    for p in points {
      let sx = origin.0 + best.dx + Int((Double(255 - p.y) + 0.5) * scale)
      let sy = origin.1 + best.dy + Int((Double(p.x) + 0.5) * scale)
      line.append(shot.gray[sy * shot.width + sx])
      beside.append(shot.gray[(sy + Int(4 * scale)) * shot.width + sx - Int(4 * scale)])
    }
    #expect(!line.isEmpty)
    let mean = { (v: [UInt8]) in Double(v.map(Int.init).reduce(0, +)) / Double(max(1, v.count)) }
    #expect(
      mean(line) > 150 && mean(beside) < 60,
      "the state's white polyline on the screen: mean \(mean(line)) on it, \(mean(beside)) beside it")
  }
}

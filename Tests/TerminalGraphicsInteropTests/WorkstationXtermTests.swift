import DICOM
import DICOMImaging
import Foundation
import RasterCore
import SyntheticData
import TerminalGraphics
import TestSupport
import Testing

/// The workstation in a real `xterm -ti vt340` under Xvfb, keys typed with xdotool: the screenshot shows
/// the study list, then the slice drawn in sixel where the layout says, matching the expected image.
@Suite struct WorkstationXtermTests {
  @Test func the_study_list_and_then_a_sixel_slice_appear_in_xterm() throws {
    guard ProcessRunner.isInstalled("xdotool") else {
      Issue.record("xdotool is needed (apt-get install xdotool)")
      return
    }
    let dir = try TemporaryDirectory()
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
    let x = try XvfbSession()
    let probed = dir.file("probe.txt")
    try x.xterm(
      ["-ti", "vt340", "-geometry", "100x40+0+0", "-bg", "black", "-fg", "white", "+sb"],
      script:
        "'\(biloba)' probe > '\(probed)'; XDG_CONFIG_HOME='\(dir.path)' '\(biloba)' --archive '\(archive)'; sleep 30")
    #expect(XvfbSession.waitFor(probed))
    usleep(1_500_000)
    let list = try x.screenshot(to: dir.file("list.ppm"))
    // Text in the top rows: the title, the header and the study line.
    let topBright = list.gray.prefix(list.width * 80).filter { $0 > 128 }.count
    #expect(topBright > 500, "the study list is not on the screen (\(topBright) bright pixels)")

    let xdotool = { (args: [String]) in
      _ = try? ProcessRunner.run("env", ["DISPLAY=\(x.display)", "xdotool"] + args)
    }
    xdotool(["mousemove", "200", "200"])
    xdotool(["key", "Return"])
    usleep(500_000)
    xdotool(["key", "Return"])
    usleep(2_000_000)
    let shot = try x.screenshot(to: dir.file("viewer.ppm"))

    let probe = try String(contentsOfFile: probed, encoding: .utf8)
    let cellText = try #require(RealTerminalTests.probeField(probe, "cell")).replacingOccurrences(
      of: " pixels", with: "")
    let cell = cellText.split(separator: "x").compactMap { Int($0) }
    try #require(cell.count == 2)
    // Where the workstation puts the slice: the area under the two corner lines, centred.
    let layout = GraphicsLayout(columns: 100, rows: 40 - 6, cell: .init(width: cell[0], height: cell[1]))
    let size = layout.rasterSize(imageWidth: 256, imageHeight: 256, protocol: .sixel)
    let covered = layout.cellsCovered(rasterWidth: size.width, rasterHeight: size.height, protocol: .sixel)
    let origin = ((100 - covered.columns) / 2 * cell[0], 2 * cell[1])
    let image = try DICOMImage(path: source + "/0.dcm")
    let rendered = try DisplayPipeline.render(try image.decodeFrame(0), of: image)
    let expected = Resampler.resize(rendered.raster, width: size.width, height: size.height)
    var best = -1.0
    for dy in 0...12 {
      for dx in 0...12 {
        best = max(best, RealTerminalTests.correlation(expected, shot, dx: origin.0 + dx, dy: origin.1 + dy))
      }
    }
    #expect(best >= 0.9, "the slice in the screenshot correlates \(best) with the expected image")
  }
}

import DICOMImaging
import Foundation
import Spawn
import RasterCore
import TerminalGraphics

/// Issue 4's figures on a 512x512 CT slice in the brain window (40/80): sixel encoding against libsixel
/// in process (set up as img2sixel is), gray levels kept against img2sixel, bytes against chafa's
/// sixels at the same pixel size, and bytes per frame for every protocol.
enum GraphicsBenchmark {
  /// Child mode: `BilobaBenchmarks --sixel-encode FILE.pgm` writes the file as sixel to stdout.
  static func encodeChild(_ path: String) throws {
    let raster = try readPGM(path)
    FileHandle.standardOutput.write(Data(SixelEncoder().encode(raster)))
  }

  static func readPGM(_ path: String) throws -> Raster {
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    var fields: [Int] = []
    var i = 2
    while fields.count < 3 {
      while data[i] == 0x20 || data[i] == 0x0A { i += 1 }
      var n = 0
      while (0x30...0x39).contains(data[i]) {
        n = n * 10 + Int(data[i] - 0x30)
        i += 1
      }
      fields.append(n)
    }
    i += 1
    return Raster(
      width: fields[0], height: fields[1], format: .gray8,
      pixels: Array(data[i..<(i + fields[0] * fields[1])]))
  }

  static func runProcess(_ arguments: [String]) throws -> [UInt8] {
    let run = try ChildProcess.run(arguments)
    guard run.status == 0 else { throw BenchmarkError.peerFailed("\(arguments[0]) exited \(run.status)") }
    return run.stdout
  }

  static func run(slice path: String, repeats: Int, directory: String) throws -> [Figure] {
    let image = try DICOMImage(path: path)
    let raster = try DisplayPipeline.render(
      try image.decodeFrame(0), of: image,
      options: DisplayOptions(voi: .window(Window.presets["brain"]!))
    ).raster
    let pgm = directory + "-slice.pgm"
    try Data(
      ImageFileWriter.pnm(
        width: raster.width, height: raster.height, channels: 1, maxValue: 255,
        samples: raster.pixels.map(Int.init))
    ).write(to: URL(fileURLWithPath: pgm))
    var figures: [Figure] = []
    let encoder = SixelEncoder()
    let inProcess = Timing.median(repeats: repeats * 4) { _ = encoder.encode(raster) }
    let libsixel =
      LibSixelPeer.encode(raster) != nil
      ? Timing.median(repeats: repeats * 4) { _ = LibSixelPeer.encode(raster) }.seconds * 1e3 : nil
    figures.append(
      Figure(
        name: "sixel encode 512x512, in process", ours: inProcess.seconds * 1e3, peer: libsixel,
        peerName: "libsixel", unit: "ms"))
    let me = CommandLine.arguments[0]
    let oursBytes = try runProcess([me, "--sixel-encode", pgm])
    let peerLevels = (try? runProcess(["img2sixel", pgm])).flatMap { try? SixelDecoder.decode($0) }?.distinctGrays
    let ourLevels = (try? SixelDecoder.decode(oursBytes))?.distinctGrays ?? 0
    let inputLevels = raster.distinctValues
    figures.append(
      Figure(
        name: "gray levels kept of \(inputLevels) (more is better)", ours: Double(ourLevels),
        peer: peerLevels.map(Double.init), peerName: "img2sixel", unit: "lv", higherIsBetter: true))
    if let chafa = try? runProcess(["chafa", "-f", "sixels", "-s", "48x24", "--animate", "off", pgm]),
      let decoded = try? SixelDecoder.decode(chafa)
    {
      let same = Resampler.resize(raster, width: decoded.width, height: decoded.height)
      let ourSame = encoder.encode(same).count
      figures.append(
        Figure(
          name: "sixel bytes at \(decoded.width)x\(decoded.height) (fewer is better)",
          ours: Double(ourSame) / 1024, peer: Double(chafa.count) / 1024, peerName: "chafa",
          unit: "KiB"))
    }
    // Kitty on a fast terminal: whole pictures a second at 840x840 (the image area of a 160x48 terminal
    // of 10x20-pixel cells), the fast zlib level, and the thin links' one.
    let big = Resampler.resize(raster, width: 840, height: 840)
    for (label, level) in [("fast", PNGEncoder.fastLevel), ("thin-link", PNGEncoder.smallLevel)] {
      let kitty = Timing.median(repeats: repeats * 2) { _ = KittyEncoder.encode(big, id: 1, level: level) }
      figures.append(
        Figure(
          name: "kitty pictures a second at 840x840, \(label) level (more is better)",
          ours: 1 / kitty.seconds, peer: nil, peerName: "", unit: "/s", higherIsBetter: true))
    }
    // Bytes per frame for each protocol, 80x24 cells of 10x20 pixels.
    let layout = GraphicsLayout(columns: 80, rows: 24, cell: .init(width: 10, height: 20))
    for (label, proto, depth) in [
      ("sixel", GraphicsProtocol.sixel, ColorDepth.truecolor),
      ("kitty", .kitty, .truecolor), ("iTerm2", .iterm, .truecolor),
      ("blocks truecolor", .blocks, .truecolor), ("blocks 256", .blocks, .ansi256),
      ("blocks 16", .blocks, .ansi16), ("ascii", .ascii, .truecolor),
    ] {
      let blocks = BlockEncoder(depth: depth)
      let size = layout.rasterSize(
        imageWidth: raster.width, imageHeight: raster.height, protocol: proto, blocks: blocks)
      let sized = Resampler.resize(raster, width: size.width, height: size.height)
      let bytes = TerminalImageEncoder(protocol: proto, blocks: blocks).encode(sized, layout: layout).count
      figures.append(
        Figure(
          name: "bytes a frame, 80x24 cells: \(label)", ours: Double(bytes) / 1024, peer: nil,
          peerName: "", unit: "KiB"))
    }
    return figures
  }
}

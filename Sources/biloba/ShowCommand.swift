import ArgumentParser
import DICOM
import DICOMImaging
import Foundation
import RasterCore
import TerminalGraphics

/// `biloba show`: DICOM images inline in the shell, as img2sixel or chafa show pictures.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Draw DICOM images in the terminal.",
    discussion: """
      With --protocol auto (the default) the terminal is probed (kitty graphics, sixel, cell size in \
      pixels) and the best protocol chosen; inside tmux, Unicode blocks. An explicit sixel, kitty or iterm \
      drawn on the terminal still asks it its cell size (unless --cell-size gives it); into a file or a \
      pipe nothing is asked, and the cell size is --cell-size, else 10x20 pixels. The image is sized in terminal pixels to fit --cols x --rows cells (default: the terminal).
      """
  )

  @Argument(help: "DICOM files.")
  var files: [String]

  @Option(name: .long, help: "auto, sixel, kitty, iterm, blocks or ascii.")
  var `protocol` = "auto"

  @Option(name: .long, help: "Columns the image may take.")
  var cols: Int?

  @Option(name: .long, help: "Rows the image may take.")
  var rows: Int?

  @Option(name: .long, help: "Frame number, from 1.")
  var frame = 1

  @OptionGroup var windowing: WindowOptions

  @Option(name: .long, help: "Cell size in pixels, WIDTHxHEIGHT, instead of what the terminal reports.")
  var cellSize: String?

  @Option(name: .long, help: "Sixel colour registers, instead of what the terminal reports.")
  var registers: Int?

  @Flag(name: .long, help: "Ordered dithering for sixel (for terminals with few colour registers).")
  var dither = false

  @Option(name: .long, help: "Colours for blocks: truecolor, 256 or 16 (default: from COLORTERM and TERM).")
  var colors: String?

  @Flag(name: .long, help: "Quadrant blocks (2x2 pixels a cell) instead of half blocks.")
  var quadrants = false

  @Flag(
    name: .long,
    help:
      "Inside tmux, wrap sixel/kitty/iTerm2 for the outer terminal (automatic with an explicit --protocol when tmux's allow-passthrough is on)."
  )
  var passthrough = false

  func validate() throws {
    guard `protocol` == "auto" || GraphicsProtocol(rawValue: `protocol`) != nil else {
      throw ValidationError("unknown protocol '\(`protocol`)': auto, sixel, kitty, iterm, blocks or ascii")
    }
    try CheckedNumber.count(frame, option: "--frame", range: 1...1_000_000)
    if let cols { try CheckedNumber.count(cols, option: "--cols", range: 1...10_000) }
    if let rows { try CheckedNumber.count(rows, option: "--rows", range: 1...10_000) }
    if let registers { try CheckedNumber.count(registers, option: "--registers", range: 2...65_536) }
    if let cellSize { _ = try Self.parseCell(cellSize) }
    if let colors, ColorDepth(rawValue: colors) == nil {
      throw ValidationError("--colors takes truecolor, 256 or 16")
    }
  }

  static func parseCell(_ text: String) throws -> GraphicsLayout.CellSize {
    let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
    guard parts.count == 2, (1...1000).contains(parts[0]), (1...1000).contains(parts[1]) else {
      throw ValidationError("--cell-size wants WIDTHxHEIGHT in pixels, e.g. 10x20")
    }
    return GraphicsLayout.CellSize(width: parts[0], height: parts[1])
  }

  func run() throws {
    let chosen = GraphicsProtocol(rawValue: `protocol`)
    // A picture drawn on this terminal needs its cell size in pixels (xterm's 6x13 where 10x20 would be
    // assumed); a picture going into a file or a pipe asks the terminal nothing.
    let probing = chosen.map { $0.drawsPixels && cellSize == nil && isatty(1) != 0 } ?? true
    let capabilities =
      probing
      ? TerminalSession.capabilities()
      : TerminalCapabilities(
        environment: ProcessInfo.processInfo.environment)
    let proto = chosen ?? capabilities.bestProtocol
    let reported = capabilities.cellPixels
    let cell =
      try cellSize.map(Self.parseCell) ?? GraphicsLayout.CellSize(width: reported.width, height: reported.height)
    let terminalCells = capabilities.cells ?? (80, 24)
    let layout = GraphicsLayout(
      columns: cols ?? terminalCells.columns, rows: rows ?? max(1, terminalCells.rows - 1),
      cell: cell)
    let blocks = BlockEncoder(
      shape: quadrants ? .quadrants : .halfBlocks,
      depth: colors.flatMap(ColorDepth.init(rawValue:)) ?? capabilities.colorDepth)
    let wrap = passthrough || (chosen != nil && capabilities.inTmux && TmuxPassthrough.isAllowed())
    let encoder = TerminalImageEncoder(
      protocol: proto,
      sixel: SixelEncoder(registers: registers ?? capabilities.colorRegisters, dithering: dither ? .ordered : .none),
      blocks: blocks, tmuxPassthrough: wrap && proto.drawsPixels)
    var failed = false
    for (index, path) in files.enumerated() {
      do {
        let image = try DICOMImage(path: path)
        let rendered = try DisplayPipeline.render(
          try image.decodeFrame(frame - 1), of: image, frameIndex: frame - 1,
          options: try windowing.displayOptions)
        let size = layout.rasterSize(
          imageWidth: rendered.raster.width, imageHeight: rendered.raster.height,
          protocol: proto, blocks: blocks)
        let raster = Resampler.resize(rendered.raster, width: size.width, height: size.height)
        var bytes = encoder.encode(raster, imageID: UInt32(index + 1), layout: layout)
        if proto.drawsPixels { bytes += [0x0A] }
        TerminalSession.writeStandardOutput(bytes)
      } catch {
        failed = true
        StandardError.line("biloba show: \(path.strippingControlCharacters): \(error)")
      }
    }
    if failed { throw ExitCode.failure }
  }
}

/// `biloba probe`: what the terminal can show, as `show --protocol auto` sees it.
struct ProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe", abstract: "Report the terminal's graphics capabilities and the protocol Biloba would use.")

  @Option(name: .long, help: "How long to wait for the terminal's answers, in milliseconds.")
  var timeout = 500

  @Flag(name: .long, inversion: .prefixedNo, help: "Also measure the link: round trip and drain rate.")
  var link = true

  func run() throws {
    let capabilities = TerminalSession.capabilities(timeoutMilliseconds: max(10, min(timeout, 10_000)))
    StandardOutput.line(capabilities.summary)
    if link, let summary = TerminalSession.link(inTmux: capabilities.inTmux)?.summary { StandardOutput.line(summary) }
  }
}

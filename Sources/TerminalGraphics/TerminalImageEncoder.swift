public import RasterCore

/// Where an image goes on the terminal and at what pixel size each protocol should receive it, so that
/// no byte is sent that the screen cannot show.
public struct GraphicsLayout: Sendable, Equatable {
  public var columns: Int
  public var rows: Int
  public var cell: CellSize

  public struct CellSize: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
      self.width = max(1, width)
      self.height = max(1, height)
    }
  }

  public init(columns: Int, rows: Int, cell: CellSize) {
    self.columns = max(1, columns)
    self.rows = max(1, rows)
    self.cell = cell
  }

  /// The raster size to hand the encoder of `proto` for an image of `width` x `height` (square pixels):
  /// fitted in the cell box with its aspect ratio kept, at the protocol's own resolution. Kitty and iTerm2
  /// scale pictures in the terminal, so they never get more pixels than the image has; sixel cannot, so
  /// it is enlarged to fill the box unless `enlarge` is false (a thin link: the image's own pixels).
  public func rasterSize(
    imageWidth width: Int, imageHeight height: Int, protocol proto: GraphicsProtocol,
    blocks: BlockEncoder = BlockEncoder(), enlarge: Bool = true
  ) -> (width: Int, height: Int) {
    let boxW = Double(columns * cell.width)
    let boxH = Double(rows * cell.height)
    var scale = min(boxW / Double(width), boxH / Double(height))
    if proto == .kitty || proto == .iterm || (proto == .sixel && !enlarge) { scale = min(scale, 1) }
    let shownW = Double(width) * scale  // in screen pixels
    let shownH = Double(height) * scale
    func at(_ perCellX: Double, _ perCellY: Double) -> (Int, Int) {
      (
        max(1, Int((shownW / Double(cell.width) * perCellX).rounded(.down))),
        max(1, Int((shownH / Double(cell.height) * perCellY).rounded(.down)))
      )
    }
    switch proto {
    case .sixel, .kitty, .iterm:
      return (max(1, Int(shownW.rounded(.down))), max(1, Int(shownH.rounded(.down))))
    case .blocks:
      let (px, py) = blocks.pixelsPerCell
      return at(Double(px), Double(py))
    case .ascii:
      return at(1, 1)
    }
  }

  /// The most raster pixels the cell box holds in `proto`: what a 1:1 view of a larger image shows.
  public func capacity(protocol proto: GraphicsProtocol, blocks: BlockEncoder = BlockEncoder()) -> (
    width: Int, height: Int
  ) {
    switch proto {
    case .sixel, .kitty, .iterm: return (columns * cell.width, rows * cell.height)
    case .blocks:
      let (px, py) = blocks.pixelsPerCell
      return (columns * px, rows * py)
    case .ascii: return (columns, rows)
    }
  }

  /// The cells an image of `rasterSize` covers in `proto`. Kitty and iTerm2 pictures are scaled by the
  /// terminal to fill the box with their aspect ratio kept, whatever their own size.
  public func cellsCovered(
    rasterWidth: Int, rasterHeight: Int, protocol proto: GraphicsProtocol,
    blocks: BlockEncoder = BlockEncoder()
  ) -> (columns: Int, rows: Int) {
    switch proto {
    case .kitty, .iterm:
      let boxW = Double(columns * cell.width)
      let boxH = Double(rows * cell.height)
      let scale = min(boxW / Double(max(1, rasterWidth)), boxH / Double(max(1, rasterHeight)))
      let w = Int((Double(rasterWidth) * scale).rounded(.down))
      let h = Int((Double(rasterHeight) * scale).rounded(.down))
      return (
        max(1, min(columns, (w + cell.width - 1) / cell.width)), max(1, min(rows, (h + cell.height - 1) / cell.height))
      )
    case .sixel:
      return ((rasterWidth + cell.width - 1) / cell.width, (rasterHeight + cell.height - 1) / cell.height)
    case .blocks:
      let (px, py) = blocks.pixelsPerCell
      return ((rasterWidth + px - 1) / px, (rasterHeight + py - 1) / py)
    case .ascii:
      return (rasterWidth, rasterHeight)
    }
  }
}

/// Encodes a raster, already sized by `GraphicsLayout`, in one protocol.
public struct TerminalImageEncoder: Sendable {
  public var proto: GraphicsProtocol
  public var sixel: SixelEncoder
  public var blocks: BlockEncoder
  /// Wrap for tmux passthrough (sixel, kitty, iTerm2 only).
  public var tmuxPassthrough: Bool

  public init(
    protocol proto: GraphicsProtocol, sixel: SixelEncoder = SixelEncoder(),
    blocks: BlockEncoder = BlockEncoder(), tmuxPassthrough: Bool = false
  ) {
    self.proto = proto
    self.sixel = sixel
    self.blocks = blocks
    self.tmuxPassthrough = tmuxPassthrough
  }

  /// How many distinct grays a gray image keeps on the screen: 256 unless the protocol has fewer (sixel
  /// expresses 101 percent steps, fewer with fewer registers; 256- and 16-colour palettes hold a few grays;
  /// ASCII has its ramp). Counted from the mappings themselves, so it cannot drift from them.
  public var grayLevels: Int {
    switch proto {
    case .kitty, .iterm: return 256
    case .sixel: return min(max(2, sixel.registers), 101)
    case .ascii: return ASCIIEncoder.ramp.count
    case .blocks:
      switch blocks.depth {
      case .truecolor: return 256
      case .ansi256: return Set((0..<256).map { Palette256.nearest(($0, $0, $0)) }).count
      case .ansi16: return Set((0..<256).map { Palette16.nearest(($0, $0, $0)) }).count
      }
    }
  }

  /// zlib's level for the PNG of kitty and iTerm2: fast unless the link is thin, where bytes cost more
  /// than the few milliseconds.
  public var pngLevel: Int32 = PNGEncoder.fastLevel

  /// Rows `rows` of a sixel raster as an image of their own (see `SixelEncoder.changedRows`), wrapped for
  /// tmux like a whole picture.
  public func encodeSixel(_ raster: Raster, rows: Range<Int>) -> [UInt8] {
    wrapped(sixel.encode(raster, rows: rows))
  }

  /// Escape sequences for the outer terminal, through tmux when passthrough is on.
  func wrapped(_ bytes: [UInt8]) -> [UInt8] { tmuxPassthrough ? TmuxPassthrough.wrap(bytes) : bytes }

  public func encode(_ raster: Raster, imageID: UInt32 = 1, layout: GraphicsLayout? = nil) -> [UInt8] {
    let covered = layout?.cellsCovered(
      rasterWidth: raster.width, rasterHeight: raster.height, protocol: proto,
      blocks: blocks)
    let bytes: [UInt8]
    switch proto {
    case .sixel: bytes = sixel.encode(raster)
    case .kitty:
      bytes = KittyEncoder.encode(raster, id: imageID, columns: covered?.columns, rows: covered?.rows, level: pngLevel)
    case .iterm: bytes = ITermEncoder.encode(raster, columns: covered?.columns, rows: covered?.rows, level: pngLevel)
    case .blocks: return blocks.encode(raster)
    case .ascii: return ASCIIEncoder.encode(raster)
    }
    return wrapped(bytes)
  }
}

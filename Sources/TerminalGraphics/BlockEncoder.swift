public import RasterCore

/// How many colours text cells can show.
public enum ColorDepth: String, Sendable, Equatable, CaseIterable {
  case truecolor, ansi256 = "256", ansi16 = "16"
}

/// Images drawn with Unicode block characters: half blocks (one cell shows 1x2 pixels) or quadrants
/// (2x2), with truecolor, 256 or 16 colours. Colour escapes are written only when a colour changes.
public struct BlockEncoder: Sendable {
  public enum Shape: String, Sendable, Equatable { case halfBlocks = "half", quadrants = "quadrant" }

  public var shape: Shape
  public var depth: ColorDepth

  public init(shape: Shape = .halfBlocks, depth: ColorDepth = .truecolor) {
    self.shape = shape
    self.depth = depth
  }

  /// Pixels a cell covers, horizontally and vertically.
  public var pixelsPerCell: (Int, Int) { shape == .halfBlocks ? (1, 2) : (2, 2) }

  /// Encodes a raster whose size is the cell box times `pixelsPerCell`; lines end with a colour reset
  /// and CR LF.
  public func encode(_ raster: Raster) -> [UInt8] {
    let (px, py) = pixelsPerCell
    let columns = raster.width / px
    let rows = (raster.height + py - 1) / py
    var out: [UInt8] = []
    out.reserveCapacity(columns * rows * 12)
    func rgb(_ x: Int, _ y: Int) -> (Int, Int, Int) {
      guard y < raster.height else { return (0, 0, 0) }
      let i = (y * raster.width + x) * raster.format.channels
      if raster.format == .gray8 {
        let v = Int(raster.pixels[i])
        return (v, v, v)
      }
      return (Int(raster.pixels[i]), Int(raster.pixels[i + 1]), Int(raster.pixels[i + 2]))
    }
    for row in 0..<rows {
      var lastFg: [UInt8] = []
      var lastBg: [UInt8] = []
      for col in 0..<columns {
        let glyph: String
        let fg: (Int, Int, Int)
        let bg: (Int, Int, Int)
        if shape == .halfBlocks {
          glyph = "\u{2580}"  // upper half: foreground on top, background below
          fg = rgb(col, row * 2)
          bg = rgb(col, row * 2 + 1)
        } else {
          (glyph, fg, bg) = Self.quadrant([
            rgb(col * 2, row * 2), rgb(col * 2 + 1, row * 2),
            rgb(col * 2, row * 2 + 1), rgb(col * 2 + 1, row * 2 + 1),
          ])
        }
        let f = sgr(fg, foreground: true)
        let b = sgr(bg, foreground: false)
        if f != lastFg { out += f; lastFg = f }
        if b != lastBg { out += b; lastBg = b }
        out += Array(glyph.utf8)
      }
      out += Array("\u{1B}[0m\r\n".utf8)
    }
    return out
  }

  /// The quadrant pattern and two colours that best show four pixels: pixels brighter than their mean
  /// form the foreground.
  static let quadrantGlyphs = [
    " ", "\u{2598}", "\u{259D}", "\u{2580}", "\u{2596}", "\u{258C}", "\u{259E}", "\u{259B}", "\u{2597}", "\u{259A}",
    "\u{2590}", "\u{259C}", "\u{2584}", "\u{2599}", "\u{259F}", "\u{2588}",
  ]

  static func quadrant(_ p: [(Int, Int, Int)]) -> (String, (Int, Int, Int), (Int, Int, Int)) {
    let lum = p.map { $0.0 * 299 + $0.1 * 587 + $0.2 * 114 }
    let mean = lum.reduce(0, +) / 4
    var mask = 0
    for (i, l) in lum.enumerated() where l > mean { mask |= 1 << i }
    func average(_ on: Bool) -> (Int, Int, Int) {
      let chosen = p.indices.filter { (mask >> $0 & 1 == 1) == on }.map { p[$0] }
      guard !chosen.isEmpty else { return p[0] }
      return (
        chosen.map(\.0).reduce(0, +) / chosen.count, chosen.map(\.1).reduce(0, +) / chosen.count,
        chosen.map(\.2).reduce(0, +) / chosen.count
      )
    }
    if mask == 0 { return ("\u{2588}", p[0], p[0]) }  // flat: a full block in the one colour
    return (quadrantGlyphs[mask], average(true), average(false))
  }

  private func sgr(_ c: (Int, Int, Int), foreground: Bool) -> [UInt8] {
    switch depth {
    case .truecolor:
      return Array("\u{1B}[\(foreground ? 38 : 48);2;\(c.0);\(c.1);\(c.2)m".utf8)
    case .ansi256:
      return Array("\u{1B}[\(foreground ? 38 : 48);5;\(Palette256.nearest(c))m".utf8)
    case .ansi16:
      let n = Palette16.nearest(c)
      let code = (foreground ? 30 : 40) + (n & 7) + (n >= 8 ? 60 : 0)
      return Array("\u{1B}[\(code)m".utf8)
    }
  }
}

/// xterm's 256-colour palette: 16 system colours, a 6x6x6 cube, 24 grays.
enum Palette256 {
  static let cubeLevels = [0, 95, 135, 175, 215, 255]

  static func nearest(_ c: (Int, Int, Int)) -> Int {
    func cubeIndex(_ v: Int) -> Int { cubeLevels.indices.min { abs(cubeLevels[$0] - v) < abs(cubeLevels[$1] - v) }! }
    let (r, g, b) = (cubeIndex(c.0), cubeIndex(c.1), cubeIndex(c.2))
    let cube = (cubeLevels[r], cubeLevels[g], cubeLevels[b])
    let grayLevel = max(0, min(23, ((c.0 + c.1 + c.2) / 3 - 8 + 5) / 10))
    let gray = 8 + grayLevel * 10
    func distance(_ a: (Int, Int, Int)) -> Int {
      (a.0 - c.0) * (a.0 - c.0) + (a.1 - c.1) * (a.1 - c.1) + (a.2 - c.2) * (a.2 - c.2)
    }
    return distance(cube) <= distance((gray, gray, gray)) ? 16 + 36 * r + 6 * g + b : 232 + grayLevel
  }
}

/// The 16 ANSI colours as xterm shows them.
enum Palette16 {
  static let colors: [(Int, Int, Int)] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
    (255, 255, 255),
  ]

  static func nearest(_ c: (Int, Int, Int)) -> Int {
    colors.indices.min { a, b in
      let x = colors[a]
      let y = colors[b]
      return (x.0 - c.0) * (x.0 - c.0) + (x.1 - c.1) * (x.1 - c.1) + (x.2 - c.2) * (x.2 - c.2)
        < (y.0 - c.0) * (y.0 - c.0) + (y.1 - c.1) * (y.1 - c.1) + (y.2 - c.2) * (y.2 - c.2)
    }!
  }
}

/// A plain ASCII ramp: one character a cell by brightness, for any terminal (even over mosh).
public enum ASCIIEncoder {
  public static let ramp = Array(" .:-=+*#%@".utf8)

  public static func encode(_ raster: Raster) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity((raster.width + 2) * raster.height)
    for y in 0..<raster.height {
      for x in 0..<raster.width {
        let i = (y * raster.width + x) * raster.format.channels
        let v =
          raster.format == .gray8
          ? Int(raster.pixels[i])
          : (Int(raster.pixels[i]) * 299 + Int(raster.pixels[i + 1]) * 587 + Int(raster.pixels[i + 2]) * 114) / 1000
        out.append(ramp[v * (ramp.count - 1) / 255 + (v * (ramp.count - 1) % 255 >= 128 ? 1 : 0)])
      }
      out += [0x0D, 0x0A]
    }
    return out
  }
}

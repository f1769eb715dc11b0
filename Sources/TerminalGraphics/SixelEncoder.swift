public import RasterCore

/// Sixel encoding of the project's own (DEC VT340 graphics, as xterm, mlterm, foot and WezTerm draw it).
///
/// Grayscale keeps its gray levels: a fixed gray palette sized to the terminal's colour registers and
/// no dithering by default. Sixel colours are given in percent, so at most 101 distinct grays exist;
/// with 101 registers or more every one of them is used. Colour images get a fixed palette of a colour
/// cube plus a gray ramp, so the gray parts of colour images do not wash out.
public struct SixelEncoder: Sendable {
  public enum Dithering: Sendable, Equatable {
    case none
    /// Bayer 8x8 ordered dithering, for terminals with few colour registers.
    case ordered
  }

  /// Colour registers the terminal offers (XTSMGRAPHICS); 256 when unknown.
  public var registers: Int
  public var dithering: Dithering

  public init(registers: Int = 256, dithering: Dithering = .none) {
    self.registers = max(2, min(registers, 1024))
    self.dithering = dithering
  }

  /// The whole raster as one sixel image.
  public func encode(_ raster: Raster) -> [UInt8] {
    encode(raster, rows: 0..<raster.height)
  }

  /// Rows `rows` of the raster as a sixel image of their own (for re-sending only what changed).
  public func encode(_ raster: Raster, rows: Range<Int>) -> [UInt8] {
    var palette = SixelPalette(format: raster.format, registers: registers)
    let indices = palette.indices(of: raster, rows: rows, dithering: dithering)
    var out: [UInt8] = []
    out.reserveCapacity(raster.width * rows.count / 2 + 4096)
    out += [0x1B, 0x50] + Array("0;1;0q".utf8)  // DCS P1=0 P2=1 (unset pixels keep the background)
    out += Array("\"1;1;\(raster.width);\(rows.count)".utf8)  // raster attributes: square pixels, size
    for (i, c) in palette.colors.enumerated() where palette.used[i] {
      out += Array("#\(i);2;\(c.0);\(c.1);\(c.2)".utf8)
    }
    encodeBands(indices, width: raster.width, height: rows.count, colors: palette.colors.count, into: &out)
    out += [0x1B, 0x5C]  // ST
    return out
  }

  /// Six-pixel-high bands, each painted in layers: colours in palette order, and a later colour paints
  /// over an earlier one. A colour must set the pixels that are its own and must leave those of earlier
  /// colours alone, but the pixels of later colours are free (they are painted again later), so each
  /// colour's row of sixels is cut into the fewest runs that respect both (a dark background becomes one
  /// solid run). On a noisy CT slice this sends 13% fewer bytes than one colour a pixel. `$` goes back to
  /// the band's start between colours, `-` to the next band.
  private func encodeBands(_ indices: [UInt16], width: Int, height: Int, colors: Int, into out: inout [UInt8]) {
    var span = [(first: Int, last: Int)](repeating: (Int.max, -1), count: colors)
    var order: [Int] = []
    // The band column by column, eight slots a column: its six palette indices (rows past the image's
    // end: -1, no colour), then their lowest and highest.
    var band = [Int32](repeating: -1, count: width * 8)
    indices.withUnsafeBufferPointer { idx in
      band.withUnsafeMutableBufferPointer { band in
        span.withUnsafeMutableBufferPointer { span in
          for bandTop in stride(from: 0, to: height, by: 6) {
            order.removeAll(keepingCapacity: true)
            let rows = min(6, height - bandTop)
            for x in 0..<width {
              var low = Int32.max
              var high: Int32 = -1
              for dy in 0..<rows {
                let c = Int(idx[(bandTop + dy) * width + x])
                band[x * 8 + dy] = Int32(c)
                low = min(low, Int32(c))
                high = max(high, Int32(c))
                if span[c].last < 0 { order.append(c) }
                span[c] = (min(span[c].first, x), x)
              }
              for dy in rows..<6 { band[x * 8 + dy] = -1 }
              band[x * 8 + 6] = low
              band[x * 8 + 7] = high
            }
            order.sort()
            for (k, c) in order.enumerated() {
              if k > 0 { out.append(0x24) }  // $: back to the band's start
              out.append(0x23)  // #
              appendNumber(c, to: &out)
              let start = span[c].first
              if start >= 4 {
                out.append(0x21)
                appendNumber(start, to: &out)
                out.append(0x3F)
              } else {
                for _ in 0..<start { out.append(0x3F) }
              }
              appendRuns(
                color: Int32(c), columns: start..<(span[c].last + 1), band: band, whole: UInt8((1 << rows) - 1),
                into: &out)
              span[c] = (Int.max, -1)
            }
            out.append(0x2D)  // -: next band
          }
        }
      }
    }
  }

  /// One colour's sixels over `columns` of a band, in runs as long as they can be: a run may continue
  /// while some sixel holds every column's own pixels and none of an earlier colour's (greedy longest
  /// runs give the fewest runs). A colour below a column's lowest index finds all of it free, one above
  /// its highest none of it, without looking at the six.
  @inline(__always) private func appendRuns(
    color: Int32, columns: Range<Int>, band: UnsafeMutableBufferPointer<Int32>, whole: UInt8, into out: inout [UInt8]
  ) {
    var x = columns.lowerBound
    while x < columns.upperBound {
      var must: UInt8 = 0
      var may: UInt8 = 63
      var y = x
      while y < columns.upperBound {
        var own: UInt8 = 0
        var ownOrFree: UInt8 = 0
        if band[y * 8 + 6] > color {
          ownOrFree = whole
        } else if band[y * 8 + 7] >= color {
          for dy in 0..<6 {
            let v = band[y * 8 + dy]
            if v == color { own |= 1 << dy }
            if v >= color { ownOrFree |= 1 << dy }
          }
        }
        let nextMust = must | own
        let nextMay = may & ownOrFree
        if nextMust & ~nextMay != 0 { break }
        must = nextMust
        may = nextMay
        y += 1
      }
      appendRun(63 + must, y - x, to: &out)
      x = y
    }
  }

  /// `run` copies of a sixel character: `!n` and the character from four on (no longer than the copies).
  @inline(__always) private func appendRun(_ ch: UInt8, _ run: Int, to out: inout [UInt8]) {
    guard run > 0 else { return }
    if run >= 4 {
      out.append(0x21)  // !
      appendNumber(run, to: &out)
      out.append(ch)
    } else {
      for _ in 0..<run { out.append(ch) }
    }
  }

  @inline(__always) private func appendNumber(_ n: Int, to out: inout [UInt8]) {
    if n < 10 {
      out.append(UInt8(48 + n))
    } else if n < 100 {
      out.append(UInt8(48 + n / 10))
      out.append(UInt8(48 + n % 10))
    } else {
      out += Array(String(n).utf8)
    }
  }

  /// The pixel rows to re-send after a change, widened to whole sixel bands and whole cell rows so the
  /// partial image lands where the old one was; nil when nothing changed.
  public static func changedRows(from old: Raster, to new: Raster, cellHeight: Int) -> Range<Int>? {
    guard old.width == new.width, old.height == new.height, old.format == new.format else { return 0..<new.height }
    let rowBytes = new.width * new.format.channels
    var first = -1
    var last = -1
    for y in 0..<new.height {
      let a = old.pixels[(y * rowBytes)..<((y + 1) * rowBytes)]
      if a != new.pixels[(y * rowBytes)..<((y + 1) * rowBytes)] {
        if first < 0 { first = y }
        last = y
      }
    }
    guard first >= 0 else { return nil }
    let unit = lcm(6, max(1, cellHeight))
    let start = first / unit * unit
    let end = min(new.height, (last / unit + 1) * unit)
    return start..<end
  }

  static func lcm(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return a / x * b
  }
}

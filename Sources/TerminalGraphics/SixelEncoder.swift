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

  /// Six-pixel-high bands: for each colour present in a band, its sixel characters run-length encoded
  /// from its first to its last column in the band, `$` between colours and `-` between bands. Work per
  /// colour is bounded by the columns it spans, not the image width.
  private func encodeBands(_ indices: [UInt16], width: Int, height: Int, colors: Int, into out: inout [UInt8]) {
    var bits = [UInt8](repeating: 0, count: colors * width)
    var first = [Int](repeating: Int.max, count: colors)
    var last = [Int](repeating: -1, count: colors)
    var order: [Int] = []
    indices.withUnsafeBufferPointer { idx in
      bits.withUnsafeMutableBufferPointer { bits in
        first.withUnsafeMutableBufferPointer { first in
          last.withUnsafeMutableBufferPointer { last in
            for bandTop in stride(from: 0, to: height, by: 6) {
              order.removeAll(keepingCapacity: true)
              for dy in 0..<min(6, height - bandTop) {
                let bit = UInt8(1 << dy)
                let rowBase = (bandTop + dy) * width
                for x in 0..<width {
                  let c = Int(idx[rowBase + x])
                  if last[c] < 0 { order.append(c) }
                  if x < first[c] { first[c] = x }
                  if x > last[c] { last[c] = x }
                  bits[c * width + x] |= bit
                }
              }
              order.sort()
              for (k, c) in order.enumerated() {
                if k > 0 { out.append(0x24) }  // $: back to the band's start
                out.append(0x23)  // #
                appendNumber(c, to: &out)
                let base = c * width
                let start = first[c]
                let end = last[c] + 1
                if start >= 4 {
                  out.append(0x21)
                  appendNumber(start, to: &out)
                  out.append(0x3F)
                } else {
                  for _ in 0..<start { out.append(0x3F) }
                }
                var x = start
                while x < end {
                  let v = bits[base + x]
                  var run = 1
                  while x + run < end && bits[base + x + run] == v { run += 1 }
                  let ch = 63 + v
                  if run >= 4 {
                    out.append(0x21)  // !
                    appendNumber(run, to: &out)
                    out.append(ch)
                  } else {
                    for _ in 0..<run { out.append(ch) }
                  }
                  x += run
                }
                for i in (base + start)..<(base + end) { bits[i] = 0 }
                first[c] = Int.max
                last[c] = -1
              }
              out.append(0x2D)  // -: next band
            }
          }
        }
      }
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

import RasterCore

/// The fixed palette of a sixel image and the mapping of pixels to it.
struct SixelPalette {
  /// Colours in sixel percent (0...100) per channel.
  var colors: [(Int, Int, Int)] = []
  var used: [Bool] = []
  private let format: Raster.Format
  /// Gray: display level (0...255) -> palette index.
  private var grayIndex: [UInt16] = []
  private var cubeLevels = 0

  init(format: Raster.Format, registers: Int) {
    self.format = format
    if format == .gray8 {
      // One entry per distinct percent value, as many as the registers allow.
      let n = min(registers, 101)
      for k in 0..<n {
        let pct = Int((Double(k) * 100 / Double(n - 1)).rounded())
        colors.append((pct, pct, pct))
      }
      grayIndex = (0..<256).map { v in UInt16((Double(v) * Double(n - 1) / 255).rounded()) }
    } else {
      // A colour cube (6 levels per channel with 256 registers: exactly 0, 20, ... 100 percent) plus grays.
      var levels = 2
      while (levels + 1) * (levels + 1) * (levels + 1) <= registers * 85 / 100 { levels += 1 }
      levels = min(levels, 6)
      cubeLevels = levels
      for r in 0..<levels {
        for g in 0..<levels {
          for b in 0..<levels {
            colors.append((r * 100 / (levels - 1), g * 100 / (levels - 1), b * 100 / (levels - 1)))
          }
        }
      }
      let extra = max(0, min(registers - colors.count, 101 - levels))
      for k in 1...max(1, extra) where extra > 0 {
        let pct = Int((Double(k) * 100 / Double(extra + 1)).rounded())
        colors.append((pct, pct, pct))
      }
      let grays = colors.enumerated().filter { $0.element.0 == $0.element.1 && $0.element.1 == $0.element.2 }
      grayIndex = (0..<256).map { v in
        let pct = Double(v) * 100 / 255
        let best = grays.min { abs(Double($0.element.0) - pct) < abs(Double($1.element.0) - pct) }
        return UInt16(best?.offset ?? 0)
      }
    }
    used = [Bool](repeating: false, count: colors.count)
  }

  static let bayer8: [Int] = [
    0, 48, 12, 60, 3, 51, 15, 63, 32, 16, 44, 28, 35, 19, 47, 31, 8, 56, 4, 52, 11, 59, 7, 55, 40, 24, 36, 20, 43, 27,
    39, 23, 2, 50, 14, 62, 1, 49, 13, 61, 34, 18, 46, 30, 33, 17, 45, 29, 10, 58, 6, 54, 9, 57, 5, 53, 42, 26, 38, 22,
    41, 25, 37, 21,
  ]

  /// Palette index of every pixel of `rows`, marking the entries used.
  mutating func indices(of raster: Raster, rows: Range<Int>, dithering: SixelEncoder.Dithering) -> [UInt16] {
    let w = raster.width
    var out = [UInt16](repeating: 0, count: w * rows.count)
    if format == .gray8 {
      let n = colors.count
      let step = 255.0 / Double(n - 1)
      let dither = dithering == .ordered && n < 256
      var seen = [Bool](repeating: false, count: n)
      raster.pixels.withUnsafeBufferPointer { px in
        grayIndex.withUnsafeBufferPointer { table in
          out.withUnsafeMutableBufferPointer { o in
            seen.withUnsafeMutableBufferPointer { seen in
              for (oy, y) in rows.enumerated() {
                for x in 0..<w {
                  var v = Int(px[y * w + x])
                  if dither {
                    let t = (Double(Self.bayer8[(y & 7) * 8 + (x & 7)]) + 0.5) / 64 - 0.5
                    v = max(0, min(255, Int((Double(v) + t * step).rounded())))
                  }
                  let i = table[v]
                  o[oy * w + x] = i
                  seen[Int(i)] = true
                }
              }
            }
          }
        }
      }
      used = seen
      return out
    }
    let levels = cubeLevels
    for (oy, y) in rows.enumerated() {
      for x in 0..<w {
        let p = (y * w + x) * 3
        let r = Int(raster.pixels[p])
        let g = Int(raster.pixels[p + 1])
        let b = Int(raster.pixels[p + 2])
        let index: Int
        if max(r, g, b) - min(r, g, b) <= 12 {
          index = Int(grayIndex[(r + g + b) / 3])
        } else {
          func q(_ v: Int) -> Int { (v * (levels - 1) + 127) / 255 }
          index = (q(r) * levels + q(g)) * levels + q(b)
        }
        out[oy * w + x] = UInt16(index)
        used[index] = true
      }
    }
    return out
  }
}

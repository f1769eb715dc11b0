/// Decodes sixel images back into RGB pixels (0...255 from the palette's percentages, as a VT340 or
/// xterm converts them): to check what the encoder sent, and to measure other tools' output.
public struct SixelDecoder {
  public struct Image: Sendable {
    public var width: Int
    public var height: Int
    /// Row-major; nil where no sixel painted the pixel.
    public var rgb: [(UInt8, UInt8, UInt8)?]
    public var paletteSize: Int

    /// Distinct gray levels among the painted pixels (red channel of gray pixels).
    public var distinctGrays: Int { Set(rgb.compactMap { $0 }.filter { $0.0 == $0.1 && $0.1 == $0.2 }.map(\.0)).count }
  }

  public enum Failure: Error, Sendable { case notSixel, badSyntax(String) }

  /// Decodes one image. Input is bounded by the caller's bytes; sizes beyond 16384 pixels are refused.
  public static func decode(_ bytes: [UInt8]) throws(Failure) -> Image {
    guard bytes.count >= 4, bytes[0] == 0x1B, bytes[1] == 0x50 else { throw Failure.notSixel }
    var i = 2
    while i < bytes.count && bytes[i] != 0x71 { i += 1 }  // up to 'q'
    i += 1
    var palette: [Int: (UInt8, UInt8, UInt8)] = [:]
    var pixels: [Int: (UInt8, UInt8, UInt8)] = [:]
    var width = 0
    var height = 0
    var x = 0
    var band = 0
    var color = 0
    func number() -> Int {
      var n = 0
      while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
        n = min(n * 10 + Int(bytes[i] - 0x30), 1_000_000_000)  // hostile digit runs cannot overflow
        i += 1
      }
      return n
    }
    func paint(_ ch: UInt8, _ count: Int) {
      let bits = Int(ch) - 63
      for _ in 0..<count {
        for b in 0..<6 where bits >> b & 1 == 1 {
          let y = band * 6 + b
          guard y < 16384, x < 16384 else { continue }
          pixels[y << 16 | x] = palette[color]
          height = max(height, y + 1)
        }
        x += 1
        width = max(width, x)
      }
    }
    while i < bytes.count {
      let c = bytes[i]
      switch c {
      case 0x1B: i = bytes.count
      case 0x22:  // raster attributes "Pan;Pad;Ph;Pv
        i += 1
        _ = number(); i += 1; _ = number(); i += 1
        width = number(); i += 1
        height = number()
        guard width <= 16384, height <= 16384 else { throw Failure.badSyntax("raster \(width)x\(height)") }
      case 0x23:  // #
        i += 1
        color = number()
        if i < bytes.count && bytes[i] == 0x3B {
          i += 1
          let system = number(); i += 1
          let a = number(); i += 1
          let b = number(); i += 1
          let d = number()
          func to8(_ p: Int) -> UInt8 { UInt8((Double(min(p, 100)) * 255 / 100).rounded()) }
          if system == 2 {
            palette[color] = (to8(a), to8(b), to8(d))
          } else if system == 1 {
            palette[color] = hlsToRGB(hue: a, lightness: b, saturation: d)
          } else {
            throw Failure.badSyntax("colour system \(system)")
          }
        }
      case 0x21:  // !count char
        i += 1
        let n = number()
        guard i < bytes.count, n <= 16384 else { throw Failure.badSyntax("repeat at \(i)") }
        paint(bytes[i], n)
        i += 1
      case 0x24:
        x = 0
        i += 1
      case 0x2D:
        x = 0
        band += 1
        i += 1
      case 63...126:
        paint(c, 1)
        i += 1
      default:
        throw Failure.badSyntax("byte \(c) at \(i)")
      }
    }
    var rgb = [(UInt8, UInt8, UInt8)?](repeating: nil, count: width * height)
    for (k, v) in pixels where (k >> 16) < height && (k & 0xFFFF) < width { rgb[(k >> 16) * width + (k & 0xFFFF)] = v }
    return Image(width: width, height: height, rgb: rgb, paletteSize: palette.count)
  }

  /// DEC's HLS (hue 0 = blue, in degrees; lightness and saturation in percent) to RGB.
  static func hlsToRGB(hue: Int, lightness: Int, saturation: Int) -> (UInt8, UInt8, UInt8) {
    let l = Double(min(lightness, 100)) / 100
    let s = Double(min(saturation, 100)) / 100
    if s == 0 {
      let v = UInt8((l * 255).rounded())
      return (v, v, v)
    }
    let h = Double((hue + 240) % 360) / 360  // DEC hue 0 is blue
    let q = l < 0.5 ? l * (1 + s) : l + s - l * s
    let p = 2 * l - q
    func channel(_ t0: Double) -> UInt8 {
      var t = t0
      if t < 0 { t += 1 }
      if t > 1 { t -= 1 }
      let v: Double
      if t < 1.0 / 6 {
        v = p + (q - p) * 6 * t
      } else if t < 0.5 {
        v = q
      } else if t < 2.0 / 3 {
        v = p + (q - p) * (2.0 / 3 - t) * 6
      } else {
        v = p
      }
      return UInt8((v * 255).rounded())
    }
    return (channel(h + 1.0 / 3), channel(h), channel(h - 1.0 / 3))
  }
}

import RasterCore

/// A sixel decoder for the tests: turns encoder output back into RGB pixels (0...255, from the
/// palette's percentages as a VT340 or xterm converts them), so what was sent can be checked.
struct SixelDecoder {
  struct Image {
    var width: Int
    var height: Int
    var rgb: [(UInt8, UInt8, UInt8)?]
    var paletteSize: Int
  }

  enum Failure: Error { case notSixel, badSyntax(String) }

  static func decode(_ bytes: [UInt8]) throws -> Image {
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
        n = n * 10 + Int(bytes[i] - 0x30)
        i += 1
      }
      return n
    }
    func paint(_ ch: UInt8, _ count: Int) {
      let bits = Int(ch) - 63
      for _ in 0..<count {
        for b in 0..<6 where bits >> b & 1 == 1 {
          let y = band * 6 + b
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
      case 0x23:  // #
        i += 1
        color = number()
        if i < bytes.count && bytes[i] == 0x3B {
          i += 1
          let system = number(); i += 1
          let a = number(); i += 1
          let b = number(); i += 1
          let d = number()
          guard system == 2 else { throw Failure.badSyntax("colour system \(system)") }
          func to8(_ p: Int) -> UInt8 { UInt8((Double(p) * 255 / 100).rounded()) }
          palette[color] = (to8(a), to8(b), to8(d))
        }
      case 0x21:  // !count char
        i += 1
        let n = number()
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
}

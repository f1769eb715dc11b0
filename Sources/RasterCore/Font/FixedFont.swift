/// Text drawn into a raster with the 6x13 misc-fixed font: presentation-state text annotations over the
/// picture. Characters outside printable ASCII are drawn as `?` (a file's text passes the text-safety rule
/// before it is drawn; this only keeps the glyphs it has).
public enum FixedFont {
  public static let width = 6
  public static let height = 13

  /// The glyph rows of a character.
  static func glyph(_ c: Character) -> [UInt8] {
    guard let a = c.asciiValue, (32...126).contains(a) else { return glyphs[Int(UInt8(ascii: "?")) - 32] }
    return glyphs[Int(a) - 32]
  }

  /// Draws `text` with its top left at (x, y), each font pixel `scale` raster pixels a side, in gray
  /// `value` over a one-pixel black outline so it reads over any image; what falls outside is clipped.
  public static func draw(_ text: String, into raster: inout Raster, x: Int, y: Int, value: UInt8 = 255, scale: Int = 1)
  {
    let s = max(1, scale)
    let c = raster.format.channels
    func plot(_ px: Int, _ py: Int, _ v: UInt8) {
      guard px >= 0, py >= 0, px < raster.width, py < raster.height else { return }
      let i = (py * raster.width + px) * c
      for k in 0..<c { raster.pixels[i + k] = v }
    }
    var set: [(Int, Int)] = []
    for (n, character) in text.enumerated() {
      for (row, bits) in glyph(character).enumerated() {
        for column in 0..<width where bits & (1 << (5 - column)) != 0 {
          for dy in 0..<s {
            for dx in 0..<s { set.append((x + (n * width + column) * s + dx, y + row * s + dy)) }
          }
        }
      }
    }
    for (px, py) in set {
      for (ox, oy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] { plot(px + ox, py + oy, 0) }
    }
    for (px, py) in set { plot(px, py, value) }
  }
}

public import RasterCore

/// A presentation state's Spatial Transformation (PS3.3 C.10.6): the picture rotated clockwise by 90,
/// 180 or 270 degrees, then flipped left to right, as DCMTK renders it.
public enum SpatialTransform {
  public static func apply(_ r: Raster, rotation: Int, flip: Bool) -> Raster {
    guard rotation != 0 || flip else { return r }
    let (w, h, c) = (r.width, r.height, r.format.channels)
    let turned = rotation == 90 || rotation == 270
    let (outW, outH) = turned ? (h, w) : (w, h)
    var out = [UInt8](repeating: 0, count: r.pixels.count)
    for y in 0..<h {
      for x in 0..<w {
        var (nx, ny): (Int, Int)
        switch rotation {
        case 90: (nx, ny) = (h - 1 - y, x)
        case 180: (nx, ny) = (w - 1 - x, h - 1 - y)
        case 270: (nx, ny) = (y, w - 1 - x)
        default: (nx, ny) = (x, y)
        }
        if flip { nx = outW - 1 - nx }
        let s = (y * w + x) * c
        let d = (ny * outW + nx) * c
        for k in 0..<c { out[d + k] = r.pixels[s + k] }
      }
    }
    return Raster(width: outW, height: outH, format: r.format, pixels: out)
  }
}

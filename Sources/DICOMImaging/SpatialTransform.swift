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
        let (nx, ny) = point((x, y), width: w, height: h, rotation: rotation, flip: flip)
        let s = (y * w + x) * c
        let d = (ny * outW + nx) * c
        for k in 0..<c { out[d + k] = r.pixels[s + k] }
      }
    }
    return Raster(width: outW, height: outH, format: r.format, pixels: out)
  }
}

extension SpatialTransform {
  /// Where pixel (x, y) of a `width` x `height` picture lands after the same rotation and flip.
  public static func point(_ p: (x: Int, y: Int), width w: Int, height h: Int, rotation: Int, flip: Bool) -> (
    x: Int, y: Int
  ) {
    var (nx, ny): (Int, Int)
    switch rotation {
    case 90: (nx, ny) = (h - 1 - p.y, p.x)
    case 180: (nx, ny) = (w - 1 - p.x, h - 1 - p.y)
    case 270: (nx, ny) = (p.y, w - 1 - p.x)
    default: (nx, ny) = (p.x, p.y)
    }
    if flip { nx = (rotation == 90 || rotation == 270 ? h : w) - 1 - nx }
    return (nx, ny)
  }
}

extension SpatialTransform {
  /// Where a continuous position (0.0 the top left pixel's outer corner) of a `width` x `height` picture
  /// lands after the rotation and flip: for text placed at a point rather than on a pixel.
  public static func position(
    _ p: (x: Double, y: Double), width w: Double, height h: Double, rotation: Int, flip: Bool
  ) -> (x: Double, y: Double) {
    var (nx, ny): (Double, Double)
    switch rotation {
    case 90: (nx, ny) = (h - p.y, p.x)
    case 180: (nx, ny) = (w - p.x, h - p.y)
    case 270: (nx, ny) = (p.y, w - p.x)
    default: (nx, ny) = (p.x, p.y)
    }
    if flip { nx = (rotation == 90 || rotation == 270 ? h : w) - nx }
    return (nx, ny)
  }
}

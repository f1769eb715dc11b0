public import RasterCore

/// Resamples a raster region into a target box: area averaging when shrinking (no aliasing shimmer
/// when a 512x512 slice is shown in 300x300), bilinear interpolation when enlarging.
public enum Resampler {
  /// A region of the source in source pixels (fractional, for zoom and pan).
  public struct Region: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
      self.x = x
      self.y = y
      self.width = width
      self.height = height
    }
  }

  /// The largest size with the source's aspect ratio that fits in the box.
  public static func fitSize(width: Int, height: Int, box: (width: Int, height: Int)) -> (width: Int, height: Int) {
    let scale = min(Double(box.width) / Double(width), Double(box.height) / Double(height))
    return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
  }

  /// Fits the whole raster in the box, keeping its aspect ratio.
  public static func fit(_ source: Raster, box: (width: Int, height: Int)) -> Raster {
    let size = fitSize(width: source.width, height: source.height, box: box)
    return resample(
      source, region: Region(x: 0, y: 0, width: Double(source.width), height: Double(source.height)),
      width: size.width, height: size.height)
  }

  /// The whole raster at exactly `width` x `height` (for targets whose pixels are not square, such as
  /// text cells, the caller has already allowed for the aspect ratio).
  public static func resize(_ source: Raster, width: Int, height: Int) -> Raster {
    resample(
      source, region: Region(x: 0, y: 0, width: Double(source.width), height: Double(source.height)),
      width: width, height: height)
  }

  public static func resample(_ source: Raster, region: Region, width: Int, height: Int) -> Raster {
    if width == source.width && height == source.height && region.x == 0 && region.y == 0
      && region.width == Double(source.width) && region.height == Double(source.height)
    {
      return source
    }
    let channels = source.format.channels
    let columns = weights(outputs: width, start: region.x, length: region.width, limit: source.width)
    let rows = weights(outputs: height, start: region.y, length: region.height, limit: source.height)
    // Horizontal pass into floats, then vertical pass to bytes.
    var horizontal = [Float](repeating: 0, count: source.height * width * channels)
    source.pixels.withUnsafeBufferPointer { src in
      for y in 0..<source.height {
        let rowBase = y * source.width * channels
        for x in 0..<width {
          let (first, w) = columns[x]
          for c in 0..<channels {
            var sum: Float = 0
            for k in 0..<w.count { sum += w[k] * Float(src[rowBase + (first + k) * channels + c]) }
            horizontal[(y * width + x) * channels + c] = sum
          }
        }
      }
    }
    var out = [UInt8](repeating: 0, count: width * height * channels)
    for y in 0..<height {
      let (first, w) = rows[y]
      for x in 0..<(width * channels) {
        var sum: Float = 0
        for k in 0..<w.count { sum += w[k] * horizontal[(first + k) * width * channels + x] }
        out[y * width * channels + x] = UInt8(clamping: Int((sum).rounded()))
      }
    }
    return Raster(width: width, height: height, format: source.format, pixels: out)
  }

  /// For each output sample: the first source index and the weights of consecutive source samples.
  static func weights(outputs: Int, start: Double, length: Double, limit: Int) -> [(Int, [Float])] {
    let scale = length / Double(outputs)  // source pixels per output pixel
    return (0..<outputs).map { o in
      if scale > 1 {
        // Area average over [a, b) in source coordinates.
        let a = start + Double(o) * scale
        let b = a + scale
        let first = max(0, Int(a.rounded(.down)))
        let last = min(limit - 1, Int((b - 1e-9).rounded(.down)))
        guard first <= last else { return (min(max(0, first), limit - 1), [1]) }
        var w: [Float] = []
        for s in first...last {
          let overlap = min(b, Double(s + 1)) - max(a, Double(s))
          w.append(Float(max(0, overlap)))
        }
        let total = w.reduce(0, +)
        return (first, total > 0 ? w.map { $0 / total } : w)
      }
      // Bilinear: the two nearest source centres.
      let centre = start + (Double(o) + 0.5) * scale - 0.5
      let left = Int(centre.rounded(.down))
      let t = Float(centre - Double(left))
      let a = min(max(left, 0), limit - 1)
      let b = min(max(left + 1, 0), limit - 1)
      if a == b { return (a, [1]) }
      return (a, [1 - t, t])
    }
  }
}

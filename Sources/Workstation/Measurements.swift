import Foundation
import RasterCore

/// A measurement's result: a length, or the statistics of the modality values in a rectangle. In mm when
/// the image states its pixel spacing, else in pixels (and said so).
public enum Measured: Sendable, Equatable {
  case distance(Double, inMillimetres: Bool)
  case region(RegionStatistics)
}

public struct RegionStatistics: Sendable, Equatable {
  public var mean: Double
  /// The sample standard deviation (n - 1), as DICOM viewers report it.
  public var standardDeviation: Double
  public var pixelCount: Int
  /// mm² when the spacing is known, else pixels.
  public var area: Double
  public var inMillimetres: Bool
}

public enum Measurements {
  /// The spacing between pixel centres, from Pixel Spacing (0028,0030): rows first (vertical), then
  /// columns (horizontal).
  public struct Spacing: Sendable, Equatable {
    public var row: Double
    public var column: Double
    public init(row: Double, column: Double) {
      self.row = row
      self.column = column
    }

    /// From Pixel Spacing's two values; nil unless both are positive numbers.
    public init?(_ values: [Double]?) {
      guard let values, values.count == 2, values.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
      self.init(row: values[0], column: values[1])
    }
  }

  /// The length between two pixel centres.
  public static func distance(from a: (x: Int, y: Int), to b: (x: Int, y: Int), spacing: Spacing?) -> Measured {
    let dx = Double(b.x - a.x) * (spacing?.column ?? 1)
    let dy = Double(b.y - a.y) * (spacing?.row ?? 1)
    return .distance((dx * dx + dy * dy).squareRoot(), inMillimetres: spacing != nil)
  }

  /// Mean, SD and area of the rectangle with corners `a` and `b` (both included), over `value(x, y)`.
  public static func region(
    from a: (x: Int, y: Int), to b: (x: Int, y: Int), spacing: Spacing?, value: (Int, Int) -> Double
  ) -> Measured {
    let xs = min(a.x, b.x)...max(a.x, b.x)
    let ys = min(a.y, b.y)...max(a.y, b.y)
    // Welford's running mean and variance: stable for large regions of large values.
    var n = 0
    var mean = 0.0
    var m2 = 0.0
    for y in ys {
      for x in xs {
        let v = value(x, y)
        n += 1
        let delta = v - mean
        mean += delta / Double(n)
        m2 += delta * (v - mean)
      }
    }
    let sd = n > 1 ? (m2 / Double(n - 1)).squareRoot() : 0
    let pixelArea = (spacing?.row ?? 1) * (spacing?.column ?? 1)
    return .region(
      RegionStatistics(
        mean: mean, standardDeviation: sd, pixelCount: n, area: Double(n) * pixelArea, inMillimetres: spacing != nil))
  }

  /// The pixels of a straight segment between two points, for drawing it.
  public static func segment(from a: (x: Int, y: Int), to b: (x: Int, y: Int)) -> [(x: Int, y: Int)] {
    LineTrace.points(from: a, to: b)
  }

}

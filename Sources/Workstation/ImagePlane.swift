/// Where an image lies in the patient (PS3.3 C.7.6.2): the centre of its first pixel, the directions its
/// rows and columns run, the spacing between pixel centres and its size. What synchronized scrolling
/// pairs slices by, and what reference lines are cut from.
public struct ImagePlane: Sendable, Equatable {
  /// Image Position (Patient), mm.
  public var position: [Double]
  /// The direction along a row (of increasing column index): Image Orientation's first three values.
  public var rowDirection: [Double]
  /// The direction down a column (of increasing row index): its last three.
  public var columnDirection: [Double]
  /// Pixel Spacing: between rows (vertical), then between columns (horizontal), mm.
  public var rowSpacing: Double
  public var columnSpacing: Double
  public var rows: Int
  public var columns: Int
  /// Frame of Reference UID: planes that share one share their coordinates.
  public var frameOfReference: String?

  /// Normals closer than this cosine (about 10 degrees) count as parallel: one stack's slices, or two
  /// studies' axial series, are paired by position; others are cut by reference lines.
  public static let parallelCosine = 0.985

  /// From the values a file gives; nil unless every one is there and finite, the directions are unit
  /// length and at right angles (within 1 %), and the spacing and size are positive.
  public init?(
    position: [Double]?, orientation: [Double]?, pixelSpacing: [Double]?, rows: Int, columns: Int,
    frameOfReference: String? = nil
  ) {
    guard let position, position.count == 3, let o = orientation, o.count == 6, let s = pixelSpacing, s.count == 2,
      (position + o + s).allSatisfy(\.isFinite), s[0] > 0, s[1] > 0, rows > 0, columns > 0
    else { return nil }
    let r = Array(o[0..<3])
    let c = Array(o[3..<6])
    guard abs(Self.dot(r, r) - 1) < 0.01, abs(Self.dot(c, c) - 1) < 0.01, abs(Self.dot(r, c)) < 0.01 else {
      return nil
    }
    self.position = position
    rowDirection = r
    columnDirection = c
    rowSpacing = s[0]
    columnSpacing = s[1]
    self.rows = rows
    self.columns = columns
    self.frameOfReference = frameOfReference
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

  /// Row direction x column direction (the order PS3.3 gives: it points away from the viewer).
  public var normal: [Double] {
    let r = rowDirection
    let c = columnDirection
    return [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]]
  }

  /// The plane's place along its normal, mm: what the archive orders a stack by.
  public var location: Double { Self.dot(position, normal) }

  /// Where a point lies along this plane's normal.
  public func location(of point: [Double]) -> Double { Self.dot(point, normal) }

  /// The same plane moved along its normal to `location` (another slice of its stack).
  public func moved(to location: Double) -> ImagePlane {
    var out = self
    let n = normal
    let shift = location - self.location
    out.position = (0..<3).map { position[$0] + shift * n[$0] }
    return out
  }

  public func isParallel(to other: ImagePlane) -> Bool {
    abs(Self.dot(normal, other.normal)) >= Self.parallelCosine
  }

  /// The centre of pixel (`x` column, `y` row) in the patient, mm.
  public func point(x: Double, y: Double) -> [Double] {
    (0..<3).map { position[$0] + x * columnSpacing * rowDirection[$0] + y * rowSpacing * columnDirection[$0] }
  }

  /// The line where `other` cuts this image, in this image's pixels (column, row) from pixel centre to
  /// pixel centre at its edges; nil when the planes are parallel or `other` passes beside the image.
  public func intersection(with other: ImagePlane) -> ReferenceLine? {
    guard !isParallel(to: other) else { return nil }
    // Signed distance of pixel (x, y) from the other plane: d0 + a x + b y.
    let n = other.normal
    let d0 = Self.dot(n, position) - Self.dot(n, other.position)
    let a = columnSpacing * Self.dot(n, rowDirection)
    let b = rowSpacing * Self.dot(n, columnDirection)
    let right = Double(columns - 1)
    let bottom = Double(rows - 1)
    var points: [(x: Double, y: Double)] = []
    func add(_ x: Double, _ y: Double) {
      let tolerance = 1e-9
      guard x >= -tolerance, x <= right + tolerance, y >= -tolerance, y <= bottom + tolerance else { return }
      let p = (x: min(max(0, x), right), y: min(max(0, y), bottom))
      if !points.contains(where: { abs($0.x - p.x) < 1e-6 && abs($0.y - p.y) < 1e-6 }) { points.append(p) }
    }
    if b != 0 {
      for x in [0, right] { add(x, -(d0 + a * x) / b) }
    }
    if a != 0 {
      for y in [0, bottom] { add(-(d0 + b * y) / a, y) }
    }
    // A line through a corner is found on two edges at once; the two farthest apart are its ends.
    var best: ReferenceLine?
    var longest = -1.0
    for i in points.indices {
      for j in points.indices where j > i {
        let length =
          (points[i].x - points[j].x) * (points[i].x - points[j].x)
          + (points[i].y - points[j].y) * (points[i].y - points[j].y)
        if length > longest {
          longest = length
          best = ReferenceLine(x1: points[i].x, y1: points[i].y, x2: points[j].x, y2: points[j].y)
        }
      }
    }
    return best
  }
}

/// A reference line in an image's pixels (column, row): where the active pane's slice cuts it.
public struct ReferenceLine: Sendable, Equatable {
  public var x1: Double
  public var y1: Double
  public var x2: Double
  public var y2: Double

  public init(x1: Double, y1: Double, x2: Double, y2: Double) {
    self.x1 = x1
    self.y1 = y1
    self.x2 = x2
    self.y2 = y2
  }
}

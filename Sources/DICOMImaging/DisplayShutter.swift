public import DICOM

/// A Display Shutter (PS3.3 C.7.6.11, C.7.6.15): what lies outside it is covered, in the image itself or
/// in a presentation state. Rectangular, circular and polygonal shapes combine (a pixel must be inside
/// every one given); a bitmap shutter covers where its overlay plane's bits are set.
public struct DisplayShutter: Sendable, Equatable {
  /// Left, right, upper and lower edges, 1-based and inclusive (columns, rows).
  public var rectangle: (left: Int, right: Int, upper: Int, lower: Int)?
  /// Centre (row, column), 1-based, and radius in pixels.
  public var circle: (row: Double, column: Double, radius: Double)?
  /// Vertices (row, column), 1-based, closed.
  public var polygon: [(row: Double, column: Double)]?
  /// The overlay plane whose set bits the shutter covers.
  public var bitmap: OverlayPlane?
  /// The covering gray as a 16-bit P-value (0: black, 65535: white), shown as its top 8 bits.
  public var presentationValue: UInt16

  public static func == (a: DisplayShutter, b: DisplayShutter) -> Bool {
    a.rectangle.map { [$0.left, $0.right, $0.upper, $0.lower] }
      == b.rectangle.map { [$0.left, $0.right, $0.upper, $0.lower] }
      && a.circle.map { [$0.row, $0.column, $0.radius] } == b.circle.map { [$0.row, $0.column, $0.radius] }
      && a.polygon.map { $0.flatMap { [$0.row, $0.column] } } == b.polygon.map { $0.flatMap { [$0.row, $0.column] } }
      && a.bitmap == b.bitmap && a.presentationValue == b.presentationValue
  }

  /// The shutter a dataset defines (its overlay planes for a bitmap one); nil when it has none usable.
  public init?(_ ds: Dataset, overlays: [OverlayPlane]) {
    let shapes = Set((ds.strings(Tag.shutterShape) ?? []).map { $0.uppercased() })
    guard !shapes.isEmpty else { return nil }
    presentationValue = UInt16(clamping: ds.int(Tag.shutterPresentationValue) ?? 0)
    if shapes.contains("RECTANGULAR"), let l = ds.int(Tag.shutterLeftVerticalEdge),
      let r = ds.int(Tag.shutterRightVerticalEdge), let u = ds.int(Tag.shutterUpperHorizontalEdge),
      let lo = ds.int(Tag.shutterLowerHorizontalEdge)
    {
      rectangle = (l, r, u, lo)
    }
    if shapes.contains("CIRCULAR"), let c = ds.doubles(Tag.centerOfCircularShutter), c.count == 2,
      let radius = ds.double(Tag.radiusOfCircularShutter), c.allSatisfy(\.isFinite), radius.isFinite
    {
      circle = (c[0], c[1], radius)
    }
    if shapes.contains("POLYGONAL"), let v = ds.doubles(Tag.verticesOfThePolygonalShutter), v.count >= 6,
      v.count % 2 == 0, v.allSatisfy(\.isFinite)
    {
      polygon = stride(from: 0, to: v.count, by: 2).map { (v[$0], v[$0 + 1]) }
    }
    if shapes.contains("BITMAP"), let group = ds.int(Tag.shutterOverlayGroup) {
      bitmap = overlays.first { Int($0.group) == group }
    }
    guard rectangle != nil || circle != nil || polygon != nil || bitmap != nil else { return nil }
  }

  /// Whether the pixel at 0-based (x, y) is covered.
  func covers(x: Int, y: Int, frame: Int) -> Bool {
    let column = Double(x + 1)
    let row = Double(y + 1)
    if let r = rectangle, x + 1 < r.left || x + 1 > r.right || y + 1 < r.upper || y + 1 > r.lower { return true }
    if let c = circle {
      let dr = row - c.row
      let dc = column - c.column
      if dr * dr + dc * dc > c.radius * c.radius { return true }
    }
    if let p = polygon, !Self.inside(p, row: row, column: column) { return true }
    if let b = bitmap, let f = b.overlayFrame(for: frame), b.isSet(x: x, y: y, overlayFrame: f) { return true }
    return false
  }

  /// Even-odd rule: a ray to the right crosses the edges an odd number of times.
  static func inside(_ polygon: [(row: Double, column: Double)], row: Double, column: Double) -> Bool {
    var inside = false
    var j = polygon.count - 1
    for i in polygon.indices {
      let (a, b) = (polygon[i], polygon[j])
      if (a.row > row) != (b.row > row),
        column < (b.column - a.column) * (row - a.row) / (b.row - a.row) + a.column
      {
        inside.toggle()
      }
      j = i
    }
    return inside
  }

  /// Covers the shuttered pixels of a display raster (`downscale` stored pixels a side each).
  public func apply(to pixels: inout [UInt8], width: Int, height: Int, channels: Int, frame: Int, downscale: Int = 1) {
    let value = UInt8(presentationValue >> 8)
    let f = max(1, downscale)
    for y in 0..<height {
      for x in 0..<width where covers(x: x * f + f / 2, y: y * f + f / 2, frame: frame) {
        for c in 0..<channels { pixels[(y * width + x) * channels + c] = value }
      }
    }
  }
}

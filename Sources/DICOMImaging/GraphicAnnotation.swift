import DICOM
import Foundation
import RasterCore

/// One item of a presentation state's Graphic Annotation Sequence (PS3.3 C.10.5): graphics drawn over the
/// image in image pixels (PIXEL) or in fractions of the displayed area (DISPLAY), and text.
public struct GraphicAnnotation: Sendable {
  public enum Shape: String, Sendable {
    case point = "POINT", polyline = "POLYLINE", interpolated = "INTERPOLATED", circle = "CIRCLE", ellipse = "ELLIPSE"
  }

  public struct Graphic: Sendable {
    public let shape: Shape
    /// Points as (column, row): image pixel coordinates (0.0 the top left pixel's outer corner) when
    /// `inPixels`, else fractions of the displayed area.
    public let points: [(x: Double, y: Double)]
    public let inPixels: Bool
    /// Graphic Filled: the closed shape's inside drawn too.
    public let filled: Bool
  }

  /// A Text Object: its text, and where it goes: the bounding box's top left corner, else beside its
  /// anchor point; (column, row) in image pixels when `inPixels`, else in fractions of the displayed area.
  public struct Text: Sendable {
    public let text: String
    public let position: (x: Double, y: Double)?
    public let inPixels: Bool
  }

  let images: PresentationState.ImageReferences?
  public let graphics: [Graphic]
  public let textObjects: [Text]
  public var texts: [String] { textObjects.map(\.text) }
  /// The graphic layer's recommended gray as a P-value (white when it gives none).
  public let gray: UInt16

  init(_ item: Dataset, images: PresentationState.ImageReferences?, gray: UInt16) {
    self.images = images
    self.gray = gray
    graphics = (item.items(Tag.graphicObjectSequence) ?? []).compactMap { object in
      guard let shape = object.string(Tag.graphicType).flatMap({ Shape(rawValue: $0.uppercased()) }),
        let data = object.doubles(Tag.graphicData), data.count >= 2, data.count % 2 == 0, data.allSatisfy(\.isFinite)
      else { return nil }
      // A hostile state may give millions of points: more than any drawing has are left out.
      let points = stride(from: 0, to: min(data.count, 2 * Self.maxPoints), by: 2).map {
        (x: data[$0], y: data[$0 + 1])
      }
      return Graphic(
        shape: shape, points: points, inPixels: object.string(Tag.graphicAnnotationUnits)?.uppercased() != "DISPLAY",
        filled: object.string(Tag.graphicFilled)?.uppercased() == "Y")
    }
    textObjects = (item.items(Tag.textObjectSequence) ?? []).compactMap { object in
      guard let full = object.string(Tag.unformattedTextValue) else { return nil }
      let text = String(full.prefix(256))
      func point(_ tag: Tag) -> (x: Double, y: Double)? {
        guard let v = object.doubles(tag), v.count == 2, v.allSatisfy(\.isFinite) else { return nil }
        return (v[0], v[1])
      }
      if let corner = point(Tag.boundingBoxTopLeftHandCorner) {
        return Text(
          text: text, position: corner,
          inPixels: object.string(Tag.boundingBoxAnnotationUnits)?.uppercased() != "DISPLAY")
      }
      return Text(
        text: text, position: point(Tag.anchorPoint),
        inPixels: object.string(Tag.anchorPointAnnotationUnits)?.uppercased() != "DISPLAY")
    }
  }

  /// The pixels a graphic's outline passes through, in a raster of `width` x `height` where a unit of
  /// `scale` maps image pixels (or fractions of the area, for DISPLAY units) to raster pixels.
  static func outline(_ g: Graphic, scaleX: Double, scaleY: Double) -> [(x: Int, y: Int)] {
    func at(_ p: (x: Double, y: Double)) -> (Int, Int) { (pixel(p.x * scaleX), pixel(p.y * scaleY)) }
    switch g.shape {
    case .point:
      let (x, y) = at(g.points[0])
      return (-2...2).flatMap { d in [(x + d, y), (x, y + d)] }
    case .polyline:
      guard g.points.count > 1 else { return [at(g.points[0])] }
      return zip(g.points, g.points.dropFirst()).flatMap { line(at($0), at($1)) }
    case .interpolated:
      guard g.points.count > 2 else {
        return g.points.count > 1 ? line(at(g.points[0]), at(g.points[1])) : [at(g.points[0])]
      }
      let curve = catmullRom(g.points)
      return zip(curve, curve.dropFirst()).flatMap { line(at($0), at($1)) }
    case .circle:
      guard g.points.count >= 2 else { return [] }
      let (c, e) = (g.points[0], g.points[1])
      let r = ((e.x - c.x) * (e.x - c.x) + (e.y - c.y) * (e.y - c.y)).squareRoot()
      return ellipse(center: c, a: (r, 0), b: (0, r), at: at)
    case .ellipse:
      guard g.points.count >= 4 else { return [] }
      // Major axis end points, then minor axis end points.
      let c = ((g.points[0].x + g.points[1].x) / 2, (g.points[0].y + g.points[1].y) / 2)
      let a = (g.points[1].x - c.0, g.points[1].y - c.1)
      let b = (g.points[3].x - c.0, g.points[3].y - c.1)
      return ellipse(center: c, a: a, b: b, at: at)
    }
  }

  /// Points a graphic keeps, at most.
  static let maxPoints = 4096

  /// A coordinate as a raster pixel, held within 8192 of the picture: a file's 1e30 neither traps the
  /// conversion nor makes a line of billions of pixels (what lies beyond is off the picture anyway).
  public static func pixel(_ v: Double) -> Int { Int(max(-8192, min(16384, v.rounded(.down)))) }

  /// A smooth curve through every point (Catmull-Rom, the ends held), 16 steps a segment: how viewers draw
  /// INTERPOLATED graphics.
  static func catmullRom(_ p: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
    var out: [(x: Double, y: Double)] = []
    for i in 0..<(p.count - 1) {
      let (p0, p1, p2, p3) = (p[max(0, i - 1)], p[i], p[i + 1], p[min(p.count - 1, i + 2)])
      for step in 0..<16 {
        let t = Double(step) / 16
        let (t2, t3) = (t * t, t * t * t)
        func blend(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
          0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (3 * b - a - 3 * c + d) * t3)
        }
        out.append((blend(p0.x, p1.x, p2.x, p3.x), blend(p0.y, p1.y, p2.y, p3.y)))
      }
    }
    out.append(p[p.count - 1])
    return out
  }

  static func ellipse(
    center c: (x: Double, y: Double), a: (Double, Double), b: (Double, Double),
    at: ((x: Double, y: Double)) -> (Int, Int)
  ) -> [(x: Int, y: Int)] {
    let steps = 180
    let points = (0...steps).map { i -> (Int, Int) in
      let t = Double(i) / Double(steps) * 2 * Double.pi
      return at((c.x + a.0 * cos(t) + b.0 * sin(t), c.y + a.1 * cos(t) + b.1 * sin(t)))
    }
    return zip(points, points.dropFirst()).flatMap { line($0, $1) }
  }

  static func line(_ p: (Int, Int), _ q: (Int, Int)) -> [(x: Int, y: Int)] {
    LineTrace.points(from: (p.0, p.1), to: (q.0, q.1))
  }

  /// Draws the graphics given in `units` (pixels before the spatial transformation, display fractions
  /// after it) over a raster whose pixels stand for `downscale` image pixels a side.
  func draw(over pixels: inout [UInt8], width: Int, height: Int, channels: Int, inPixels: Bool, downscale: Int) {
    let value = UInt8(gray >> 8)
    for g in graphics where g.inPixels == inPixels {
      let (sx, sy) = inPixels ? (1 / Double(downscale), 1 / Double(downscale)) : (Double(width), Double(height))
      for (x, y) in Self.outline(g, scaleX: sx, scaleY: sy) where x >= 0 && y >= 0 && x < width && y < height {
        for c in 0..<channels { pixels[(y * width + x) * channels + c] = value }
      }
      if g.filled {
        for (x, y) in Self.inside(Self.vertices(g).map { ($0.x * sx, $0.y * sy) }, width: width, height: height) {
          for c in 0..<channels { pixels[(y * width + x) * channels + c] = value }
        }
      }
    }
  }

  /// A closed shape's boundary as a polygon, in the graphic's own units.
  static func vertices(_ g: Graphic) -> [(x: Double, y: Double)] {
    switch g.shape {
    case .point: return []
    case .polyline: return g.points
    case .interpolated: return g.points.count > 2 ? catmullRom(g.points) : g.points
    case .circle, .ellipse:
      guard g.points.count >= (g.shape == .circle ? 2 : 4) else { return [] }
      let c: (x: Double, y: Double)
      let a: (Double, Double)
      let b: (Double, Double)
      if g.shape == .circle {
        c = g.points[0]
        let r = ((g.points[1].x - c.x) * (g.points[1].x - c.x) + (g.points[1].y - c.y) * (g.points[1].y - c.y))
          .squareRoot()
        (a, b) = ((r, 0), (0, r))
      } else {
        c = ((g.points[0].x + g.points[1].x) / 2, (g.points[0].y + g.points[1].y) / 2)
        (a, b) = ((g.points[1].x - c.x, g.points[1].y - c.y), (g.points[3].x - c.x, g.points[3].y - c.y))
      }
      return (0..<180).map { i in
        let t = Double(i) / 180 * 2 * Double.pi
        return (c.x + a.0 * cos(t) + b.0 * sin(t), c.y + a.1 * cos(t) + b.1 * sin(t))
      }
    }
  }

  /// The pixels whose centres lie inside a polygon (even-odd), row by row: each row's crossings with the
  /// edges, sorted, filled in pairs.
  static func inside(_ polygon: [(x: Double, y: Double)], width: Int, height: Int) -> [(x: Int, y: Int)] {
    guard polygon.count >= 3 else { return [] }
    let top = max(0, pixel(polygon.map(\.y).min()!))
    let bottom = min(height - 1, pixel(polygon.map(\.y).max()!.rounded(.up)))
    guard top <= bottom else { return [] }
    var out: [(x: Int, y: Int)] = []
    for y in top...bottom {
      let cy = Double(y) + 0.5
      var crossings: [Double] = []
      var j = polygon.count - 1
      for i in polygon.indices {
        let (p, q) = (polygon[i], polygon[j])
        if (p.y > cy) != (q.y > cy) { crossings.append(p.x + (cy - p.y) * (q.x - p.x) / (q.y - p.y)) }
        j = i
      }
      crossings.sort()
      for k in stride(from: 0, to: crossings.count - 1, by: 2) {
        // Pixel x is inside when its centre x + 0.5 lies between the crossings.
        let first = max(0, pixel((crossings[k] - 0.5).rounded(.up)))
        let last = min(width - 1, pixel((crossings[k + 1] - 0.5).rounded(.up)) - 1)
        if first <= last { out += (first...last).map { (x: $0, y: y) } }
      }
    }
    return out
  }
}

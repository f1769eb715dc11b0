/// The pixels a straight segment passes through (Bresenham's line, both ends included): what measurements
/// and presentation-state graphics are drawn with.
public enum LineTrace {
  public static func points(from a: (x: Int, y: Int), to b: (x: Int, y: Int)) -> [(x: Int, y: Int)] {
    var points: [(x: Int, y: Int)] = []
    let dx = abs(b.x - a.x)
    let dy = -abs(b.y - a.y)
    let sx = a.x < b.x ? 1 : -1
    let sy = a.y < b.y ? 1 : -1
    var error = dx + dy
    var (x, y) = a
    while true {
      points.append((x, y))
      if x == b.x && y == b.y { return points }
      let e2 = 2 * error
      if e2 >= dy {
        error += dy
        x += sx
      }
      if e2 <= dx {
        error += dx
        y += sy
      }
    }
  }
}

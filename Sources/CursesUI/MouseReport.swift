/// A terminal's mouse report, decoded: xterm's button code (X10 or SGR encoding) and 0-based cell.
/// Pure, so every encoding is tested without a terminal.
enum MouseReport: Equatable {
  case wheelUp, wheelDown
  case pressed(x: Int, y: Int)
  /// Moved with the first button held.
  case dragged(x: Int, y: Int)
  case released(x: Int, y: Int)
  case other

  /// From the button code, the cell, and whether the report says release (SGR's final `m`; X10 says it
  /// with button 3). Bit 64: wheel; bit 32: motion; the low two bits: the button.
  static func decode(code: Int, x: Int, y: Int, release: Bool) -> MouseReport {
    if code & 64 != 0 {
      guard !release else { return .other }
      switch code & 3 {
      case 0: return .wheelUp
      case 1: return .wheelDown
      default: return .other
      }
    }
    let button = code & 3
    if release || button == 3 { return .released(x: x, y: y) }
    guard button == 0 else { return .other }
    return code & 32 != 0 ? .dragged(x: x, y: y) : .pressed(x: x, y: y)
  }

  /// X10: three bytes after `ESC [ M`, each the value plus 32 (cells from 1).
  static func x10(_ bytes: [Int]) -> MouseReport {
    guard bytes.count == 3, bytes.allSatisfy({ (32...255).contains($0) }) else { return .other }
    return decode(code: bytes[0] - 32, x: max(0, bytes[1] - 33), y: max(0, bytes[2] - 33), release: false)
  }

  /// SGR: `b;x;y` after `ESC [ <`, and the final `M` (press, motion) or `m` (release); cells from 1.
  static func sgr(_ body: String, final: Character) -> MouseReport {
    let fields = body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
    guard fields.count == 3, let code = fields[0], let x = fields[1], let y = fields[2], code >= 0, x >= 1, y >= 1,
      final == "M" || final == "m"
    else { return .other }
    return decode(code: code, x: x - 1, y: y - 1, release: final == "m")
  }
}

import Foundation

/// One element line of a dcmdump-style listing: the part both tools must agree on.
struct DumpLine: Equatable, CustomStringConvertible {
  let depth: Int
  let tag: String
  let vr: String
  let value: String
  let length: String

  var description: String { "\(String(repeating: "  ", count: depth))\(tag) \(vr) \(value) #\(length)" }

  /// Parses the element lines of a listing (comments and delimiter lines skipped).
  static func parse(_ text: String) -> [DumpLine] {
    let pattern = try! NSRegularExpression(
      pattern: #"^( *)(\([0-9a-f]{4},[0-9a-f]{4}\)) (\S\S) (.*?) *# *([^,]*), *\d+ .*$"#)
    var out: [DumpLine] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let s = String(line)
      let range = NSRange(s.startIndex..., in: s)
      guard let m = pattern.firstMatch(in: s, range: range) else { continue }
      func g(_ i: Int) -> String { String(s[Range(m.range(at: i), in: s)!]) }
      let vr = g(3)
      if vr == "na" || vr == "pi" { continue }
      out.append(
        DumpLine(
          depth: g(1).count / 2, tag: g(2), vr: vr, value: g(4), length: g(5).trimmingCharacters(in: .whitespaces)))
    }
    return out
  }

  /// Whether a line of ours means the same as a line of DCMTK's: same tag and value; the VR the same,
  /// or one of the VRs DCMTK leaves open (xs = US or SS, ox = OB or OW, ?? = unknown, read as UN).
  func agrees(withDCMTK peer: DumpLine) -> Bool {
    guard tag == peer.tag, depth == peer.depth else { return false }
    let vrOK: Bool
    switch peer.vr {
    case "xs": vrOK = vr == "US" || vr == "SS"
    case "ox": vrOK = vr == "OB" || vr == "OW"
    case "??": vrOK = vr == "UN"
    default: vrOK = vr == peer.vr
    }
    return vrOK && Self.sameValue(value, peer.value)
  }

  /// Values agree as text, or as numbers within float printing precision.
  static func sameValue(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    let x = a.split(separator: "\\").map { Double($0) }
    let y = b.split(separator: "\\").map { Double($0) }
    guard x.count == y.count, x.allSatisfy({ $0 != nil }), y.allSatisfy({ $0 != nil }) else { return false }
    return zip(x, y).allSatisfy { p, q in
      let (p, q) = (p!, q!)
      return p == q || abs(p - q) <= 1e-6 * max(abs(p), abs(q))
    }
  }
}

import Foundation
import Testing

@testable import DICOM

/// Values read on every object indexed take shortcuts (bytes split and trimmed before decoding, plane
/// keys written in integers); each must give what the plain way gives, which archives already hold.
@Suite struct TextValueTests {
  /// The plain way: decode the whole value, split at backslashes, trim each part as text.
  static func decodedThenTrimmed(_ bytes: [UInt8], vr: VR) -> [String] {
    let text = String(decoding: bytes, as: UTF8.self)
    let parts =
      vr.isSingleValuedText ? [Substring(text)] : text.split(separator: "\\", omittingEmptySubsequences: false)
    return parts.map { Dataset.trimPadding(String($0), vr: vr) }
  }

  @Test func default_repertoire_values_are_those_of_decoding_first() {
    let samples: [[UInt8]] = [
      [], Array(" ".utf8), Array("1.2.840.10008.1.2\0".utf8), Array(" ORIGINAL\\PRIMARY \\AXIAL ".utf8),
      Array("\\\\".utf8), Array("-0.5\\ 1e3 \\".utf8), Array("20261127 ".utf8), [0x00, 0x20, 0x00],
      // Not ASCII, as a hostile file may have it: invalid UTF-8 around padding and separators.
      [0xC3, 0x20, 0x5C, 0xFF, 0x00], [0x20, 0xE2, 0x82, 0x5C, 0x20], Array("é \\ ü\0".utf8), [0xF0, 0x9F, 0x98],
    ]
    var random = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = [0x00, 0x20, 0x5C, 0x41, 0x2E, 0xC3, 0xA9, 0xFF, 0x80, 0xE2]
    let generated = (0..<2_000).map { _ in
      (0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
    }
    for bytes in samples + generated {
      for vr in [VR.UI, .CS, .DS, .IS, .DA, .TM, .AE, .UR] {
        #expect(
          Dataset.decodeDefaultRepertoire(bytes, vr: vr) == Self.decodedThenTrimmed(bytes, vr: vr),
          "\(bytes) as \(vr)")
      }
    }
  }

  @Test func plane_keys_are_written_as_printf_writes_four_decimals() {
    var random = SystemRandomNumberGenerator()
    let edges: [Double] = [
      0, -0.0, 1, -1, 0.00004, -0.00004, 0.00005, -0.00005, 0.99995, -0.99995, 0.123456, -0.707106781,
      1e10, -1e10, 123_456_789.98765, 1e300, -1e300, .nan, .infinity, -.infinity, .ulpOfOne, -.leastNonzeroMagnitude,
    ]
    let generated = (0..<20_000).map { i in
      i.isMultiple(of: 2)
        ? Double.random(in: -1...1, using: &random) : Double.random(in: -1e9...1e9, using: &random)
    }
    for value in edges + generated {
      #expect(
        FrameGeometry.fourDecimals(value) == String(format: "%.4f", (value * 10_000).rounded() / 10_000 + 0),
        "\(value)")
    }
  }
}

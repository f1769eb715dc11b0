import Foundation

/// UIDs as PS3.5 9.1 allows them: 1 to 64 characters, digits and dots, components without leading zeros.
/// Anything else (`../x`, `a/b`, empty) is refused before it reaches storage.
public enum UIDSyntax {
  public static func isValid(_ uid: String) -> Bool {
    let bytes = Array(uid.utf8)
    guard !bytes.isEmpty, bytes.count <= 64 else { return false }
    var componentStart = 0
    for (i, b) in bytes.enumerated() {
      if b == UInt8(ascii: ".") {
        guard i > componentStart else { return false }
        componentStart = i + 1
      } else {
        guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return false }
        if i == componentStart && b == UInt8(ascii: "0") && i + 1 < bytes.count && bytes[i + 1] != UInt8(ascii: ".") {
          return false
        }
      }
    }
    return componentStart < bytes.count
  }

  /// A UID made from 128 bits as PS3.5 B.2 makes one from a UUID: "2.25." and their decimal value, big
  /// endian (at most 44 characters).
  public static func uuidDerived(_ bits: [UInt8]) -> String {
    var number = bits
    var digits: [Character] = []
    while number.contains(where: { $0 != 0 }) {
      var remainder = 0
      for i in number.indices {
        let value = remainder << 8 | Int(number[i])
        number[i] = UInt8(value / 10)
        remainder = value % 10
      }
      digits.append(Character(String(remainder)))
    }
    return "2.25." + (digits.isEmpty ? "0" : String(digits.reversed()))
  }

  /// A new UID, from a random (version 4) UUID: for what Biloba makes (a media's directory).
  public static func fresh() -> String {
    withUnsafeBytes(of: UUID().uuid) { uuidDerived(Array($0)) }
  }
}

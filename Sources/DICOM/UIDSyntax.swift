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
}

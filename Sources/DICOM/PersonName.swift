/// A Person Name value (PS3.5 6.2.1): up to three component groups (alphabetic, ideographic,
/// phonetic), each with family, given, middle, prefix and suffix components.
public struct PersonName: Sendable, Equatable, CustomStringConvertible {
  public struct Components: Sendable, Equatable {
    public var family = "", given = "", middle = "", prefix = "", suffix = ""

    init(_ text: Substring) {
      let parts = text.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
      func part(_ i: Int) -> String { i < parts.count ? parts[i] : "" }
      family = part(0)
      given = part(1)
      middle = part(2)
      prefix = part(3)
      suffix = part(4)
    }

    public var isEmpty: Bool { [family, given, middle, prefix, suffix].allSatisfy(\.isEmpty) }
  }

  public var alphabetic: Components
  public var ideographic: Components
  public var phonetic: Components
  /// The value as decoded, with `^` and `=` delimiters.
  public let raw: String

  public init(parsing value: String) {
    raw = value
    let groups = value.split(separator: "=", omittingEmptySubsequences: false)
    alphabetic = Components(groups.first ?? "")
    ideographic = Components(groups.count > 1 ? groups[1] : "")
    phonetic = Components(groups.count > 2 ? groups[2] : "")
  }

  /// The component groups as written, without trailing empty ones (the JSON model's Alphabetic/Ideographic/Phonetic).
  public var groups: [String] {
    raw.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
  }

  public var description: String { raw }

  /// For a list or a corner of the viewer: "Family, Given Middle" from the first group that has a
  /// family name (the alphabetic one usually), else the value as written.
  public var display: String {
    for c in [alphabetic, ideographic, phonetic] where !c.family.isEmpty {
      let given = [c.given, c.middle].filter { !$0.isEmpty }.joined(separator: " ")
      return given.isEmpty ? c.family : c.family + ", " + given
    }
    return raw
  }
}

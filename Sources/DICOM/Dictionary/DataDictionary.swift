/// One attribute of PS3.6: keyword, VR, VM and whether the standard has retired it.
public struct DictionaryEntry: Sendable, Equatable {
  public let tag: Tag
  /// The VR to use where the encoding does not say (implicit VR). For ambiguous attributes
  /// (US or SS, OB or OW) this is DCMTK's default, and `vrText` names the choice.
  public let vr: VR
  /// The VR as PS3.6 writes it: "US", or "US or SS" for ambiguous ones.
  public let vrText: String
  public let keyword: String
  public let vm: String
  public let isRetired: Bool
}

/// Lookups in the generated data dictionary by tag and by keyword.
public enum DataDictionary {
  public static func entry(for tag: Tag) -> DictionaryEntry? {
    if let e = tables.byTag[tag.combined] { return e }
    if tag.isPrivate {
      return tag.isPrivateCreator
        ? DictionaryEntry(tag: tag, vr: .LO, vrText: "LO", keyword: "PrivateCreator", vm: "1", isRetired: false)
        : nil
    }
    if tag.isGroupLength {
      return DictionaryEntry(tag: tag, vr: .UL, vrText: "UL", keyword: "GenericGroupLength", vm: "1", isRetired: false)
    }
    for r in tables.ranges where r.matches(tag) {
      return DictionaryEntry(
        tag: tag, vr: r.entry.vr, vrText: r.entry.vrText, keyword: r.entry.keyword,
        vm: r.entry.vm, isRetired: r.entry.isRetired)
    }
    return nil
  }

  public static func entry(forKeyword keyword: String) -> DictionaryEntry? { tables.byKeyword[keyword] }

  public static func tag(forKeyword keyword: String) -> Tag? { tables.byKeyword[keyword]?.tag }

  public static func keyword(for tag: Tag) -> String? { entry(for: tag)?.keyword }

  /// Every exact (non-repeating) entry, sorted by tag.
  public static var allEntries: [DictionaryEntry] { tables.sorted }

  struct RangeEntry {
    let groupLow, groupHigh, elementLow, elementHigh: UInt16
    let groupParity, elementParity: Parity
    let entry: DictionaryEntry
    enum Parity { case even, odd, all }

    func matches(_ tag: Tag) -> Bool {
      (groupLow...groupHigh).contains(tag.group) && (elementLow...elementHigh).contains(tag.element)
        && Self.fits(tag.group, groupParity) && Self.fits(tag.element, elementParity)
    }

    static func fits(_ v: UInt16, _ p: Parity) -> Bool {
      switch p {
      case .all: true
      case .even: v & 1 == 0
      case .odd: v & 1 == 1
      }
    }
  }

  struct Tables: Sendable {
    var byTag: [UInt32: DictionaryEntry] = [:]
    var byKeyword: [String: DictionaryEntry] = [:]
    var sorted: [DictionaryEntry] = []
    var ranges: [RangeEntry] = []
  }

  /// DCMTK's ambiguous VR codes, resolved to the VR DCMTK itself picks when the encoding is implicit.
  static func resolveVR(_ code: Substring) -> (VR, String)? {
    switch code {
    case "xs": (.US, "US or SS")
    case "ox": (.OW, "OB or OW")
    case "px": (.OW, "OB or OW")
    case "lt": (.OW, "US or SS or OW")
    case "up": (.UL, "UL")
    default: VR(rawValue: String(code)).map { ($0, $0.rawValue) }
    }
  }

  // Parsed once, on first use: the generated tables are text so the compiler does not type-check 5,000 literals.
  static let tables: Tables = {
    var t = Tables()
    t.byTag.reserveCapacity(5000)
    for line in exactTable.split(separator: "\n") {
      let f = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard f.count == 5, let raw = UInt32(f[0], radix: 16), let (vr, vrText) = resolveVR(f[1]) else { continue }
      let e = DictionaryEntry(
        tag: Tag(raw), vr: vr, vrText: vrText, keyword: String(f[2]), vm: String(f[3]),
        isRetired: f[4] == "1")
      t.byTag[raw] = e
      t.sorted.append(e)
      if t.byKeyword[e.keyword] == nil || !e.isRetired { t.byKeyword[e.keyword] = e }
    }
    for line in rangeTable.split(separator: "\n") {
      let f = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard f.count == 10, let gl = UInt16(f[0], radix: 16), let gh = UInt16(f[1], radix: 16),
        let el = UInt16(f[3], radix: 16), let eh = UInt16(f[4], radix: 16), let (vr, vrText) = resolveVR(f[6])
      else { continue }
      func parity(_ s: Substring) -> RangeEntry.Parity { s == "even" ? .even : s == "odd" ? .odd : .all }
      let e = DictionaryEntry(
        tag: Tag(gl, el), vr: vr, vrText: vrText, keyword: String(f[7]), vm: String(f[8]),
        isRetired: f[9] == "1")
      t.ranges.append(
        RangeEntry(
          groupLow: gl, groupHigh: gh, elementLow: el, elementHigh: eh,
          groupParity: parity(f[2]), elementParity: parity(f[5]), entry: e))
      if t.byKeyword[e.keyword] == nil { t.byKeyword[e.keyword] = e }
    }
    return t
  }()
}

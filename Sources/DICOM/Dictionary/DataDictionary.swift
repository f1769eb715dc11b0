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
  static func resolveVR(_ field: UnsafeBufferPointer<UInt8>) -> (VR, String)? {
    let code = text(field)
    return switch code {
    case "xs": (.US, "US or SS")
    case "ox": (.OW, "OB or OW")
    case "px": (.OW, "OB or OW")
    case "lt": (.OW, "US or SS or OW")
    case "up": (.UL, "UL")
    default: VR(rawValue: code).map { ($0, $0.rawValue) }
    }
  }

  // Parsed once, on first use: the generated tables are text so the compiler does not type-check 5,000 literals.
  static let tables: Tables = {
    var t = Tables()
    t.byTag.reserveCapacity(5000)
    t.byKeyword.reserveCapacity(5000)
    forEachRow(exactTable, fields: 5) { f in
      guard let raw = hex(f[0]), let (vr, vrText) = resolveVR(f[1]) else { return }
      let e = DictionaryEntry(
        tag: Tag(raw), vr: vr, vrText: vrText, keyword: text(f[2]), vm: text(f[3]), isRetired: f[4].first == 0x31)
      t.byTag[raw] = e
      t.sorted.append(e)
      if t.byKeyword[e.keyword] == nil || !e.isRetired { t.byKeyword[e.keyword] = e }
    }
    forEachRow(rangeTable, fields: 10) { f in
      guard let gl = hex(f[0]).map(UInt16.init(truncatingIfNeeded:)),
        let gh = hex(f[1]).map(UInt16.init(truncatingIfNeeded:)),
        let el = hex(f[3]).map(UInt16.init(truncatingIfNeeded:)),
        let eh = hex(f[4]).map(UInt16.init(truncatingIfNeeded:)), let (vr, vrText) = resolveVR(f[6])
      else { return }
      func parity(_ s: UnsafeBufferPointer<UInt8>) -> RangeEntry.Parity {
        text(s) == "even" ? .even : text(s) == "odd" ? .odd : .all
      }
      let e = DictionaryEntry(
        tag: Tag(gl, el), vr: vr, vrText: vrText, keyword: text(f[7]), vm: text(f[8]), isRetired: f[9].first == 0x31)
      t.ranges.append(
        RangeEntry(
          groupLow: gl, groupHigh: gh, elementLow: el, elementHigh: eh,
          groupParity: parity(f[2]), elementParity: parity(f[5]), entry: e))
      if t.byKeyword[e.keyword] == nil { t.byKeyword[e.keyword] = e }
    }
    return t
  }()

  /// Calls `row` with the tab-separated fields of each line of `table` that has `fields` of them. The
  /// tables are read as bytes: every command starts by building them, and splitting them as Strings took
  /// tens of milliseconds of that start.
  static func forEachRow(_ table: String, fields: Int, _ row: ([UnsafeBufferPointer<UInt8>]) -> Void) {
    var table = table
    table.withUTF8 { bytes in
      var found: [UnsafeBufferPointer<UInt8>] = []
      found.reserveCapacity(fields)
      var start = 0
      for i in 0...bytes.count {
        let end = i == bytes.count || bytes[i] == 0x0A
        guard end || bytes[i] == 0x09 else { continue }
        found.append(UnsafeBufferPointer(rebasing: bytes[start..<i]))
        start = i + 1
        if end {
          if found.count == fields { row(found) }
          found.removeAll(keepingCapacity: true)
        }
      }
    }
  }

  static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

  /// A hexadecimal field's value; nil for anything else.
  static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
    guard !bytes.isEmpty, bytes.count <= 8 else { return nil }
    var value: UInt32 = 0
    for b in bytes {
      let digit: UInt8
      switch b {
      case 0x30...0x39: digit = b - 0x30
      case 0x41...0x46: digit = b - 0x41 + 10
      case 0x61...0x66: digit = b - 0x61 + 10
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }
}

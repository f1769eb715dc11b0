/// Photometric Interpretation (0028,0004), PS3.3 C.7.6.3.1.2: what the samples of a pixel mean. Terms
/// the standard does not define are kept as read.
public enum PhotometricInterpretation: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
  case monochrome1, monochrome2, paletteColor, rgb, ybrFull, ybrFull422, ybrPartial420, ybrICT, ybrRCT
  case other(String)

  static let terms: [(PhotometricInterpretation, String)] = [
    (.monochrome1, "MONOCHROME1"), (.monochrome2, "MONOCHROME2"), (.paletteColor, "PALETTE COLOR"), (.rgb, "RGB"),
    (.ybrFull, "YBR_FULL"), (.ybrFull422, "YBR_FULL_422"), (.ybrPartial420, "YBR_PARTIAL_420"), (.ybrICT, "YBR_ICT"),
    (.ybrRCT, "YBR_RCT"),
  ]

  /// From the defined term (case and padding as files write it).
  public init(term: String) {
    let upper = term.uppercased()
    self = Self.terms.first { $0.1 == upper }?.0 ?? .other(upper)
  }

  public init(stringLiteral value: String) { self.init(term: value) }

  /// The defined term, as written in (0028,0004).
  public var term: String {
    if case .other(let term) = self { return term }
    return Self.terms.first { $0.0 == self }?.1 ?? ""
  }

  public var description: String { term }

  /// Luminance and two chrominance samples (any of the YBR terms).
  public var isYBR: Bool {
    switch self {
    case .ybrFull, .ybrFull422, .ybrPartial420, .ybrICT, .ybrRCT: true
    default: false
    }
  }
}

/// Value Representations of PS3.5 table 6.2-1 (2024 edition), including OV, SV, UV, UC, UR and UT.
public enum VR: String, CaseIterable, Sendable {
  case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM,
    UC, UI, UL, UN, UR, US, UT, UV

  /// Explicit VR encodings give these a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
  public var hasLongLength: Bool {
    switch self {
    case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV: true
    default: false
    }
  }

  /// Character string VRs: values are text in the dataset's character set (or ASCII).
  public var isString: Bool {
    switch self {
    case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: true
    default: false
    }
  }

  /// String VRs whose text may use the extended character sets of (0008,0005) (PS3.5 6.1.2.3).
  public var usesSpecificCharacterSet: Bool {
    switch self {
    case .LO, .LT, .PN, .SH, .ST, .UC, .UT: true
    default: false
    }
  }

  /// String VRs holding one value only: a backslash is text, not a delimiter.
  public var isSingleValuedText: Bool {
    switch self {
    case .LT, .ST, .UT, .UR: true
    default: false
    }
  }

  /// The size of one binary component, for byte swapping and value counts; nil for strings, SQ, OB and UN.
  public var componentSize: Int? {
    switch self {
    case .US, .SS, .OW, .AT: 2
    case .UL, .SL, .FL, .OF, .OL: 4
    case .FD, .OD, .SV, .UV, .OV: 8
    default: nil
    }
  }

  /// Byte appended to odd-length values: NUL for UI and binary, space for other text.
  public var paddingByte: UInt8 {
    switch self {
    case .UI, .OB, .UN: 0
    default: isString ? 0x20 : 0
    }
  }

  /// Looks up a VR from its two ASCII bytes; nil when the bytes are no VR of the standard.
  @inline(__always)
  public static func from(_ b0: UInt8, _ b1: UInt8) -> VR? {
    let i0 = Int(b0) &- 65
    let i1 = Int(b1) &- 65
    guard i0 >= 0, i0 < 26, i1 >= 0, i1 < 26 else { return nil }
    return lookup[i0 * 26 + i1]
  }

  private static let lookup: [VR?] = {
    var table = [VR?](repeating: nil, count: 26 * 26)
    for vr in VR.allCases {
      let u = Array(vr.rawValue.utf8)
      table[Int(u[0] - 65) * 26 + Int(u[1] - 65)] = vr
    }
    return table
  }()

  var bytes: (UInt8, UInt8) {
    let u = Array(rawValue.utf8)
    return (u[0], u[1])
  }
}

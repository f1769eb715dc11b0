import DICOM

/// D: a non-zero-length value valid for the VR that says nothing (PS3.15 E.1.1's "dummy value").
enum DummyValue {
  static let text = "ANONYMIZED"

  static func bytes(for vr: VR) -> [UInt8] {
    switch vr {
    case .AE, .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UT: Value.paddedText(text)
    case .AS: Value.paddedText("000D")
    case .DA: Value.paddedText("19000101")
    case .DT: Value.paddedText("19000101000000")
    case .TM: Value.paddedText("000000")
    case .DS, .IS: Value.paddedText("0")
    case .UR: Value.paddedText("urn:anonymized")
    case .UI: Value.paddedUID("2.25.0")
    case .SS, .US: [0, 0]
    case .AT, .FL, .SL, .UL: [0, 0, 0, 0]
    case .FD, .SV, .UV: [UInt8](repeating: 0, count: 8)
    case .OB, .OD, .OF, .OL, .OV, .OW, .UN, .SQ: [0, 0]
    }
  }
}

import DICOM

/// What log lines may say about the data: by default no patient identifiers at all (UIDs, names, IDs are
/// replaced by a marker); with `showsPatientData`, values appear stripped of control characters.
public struct LogPrivacy: Sendable {
  public var showsPatientData: Bool

  public init(showsPatientData: Bool) { self.showsPatientData = showsPatientData }

  public static let redactedMarker = "<redacted>"

  /// A patient-related value as a log line may show it.
  public func identifier(_ value: String?) -> String {
    guard showsPatientData else { return Self.redactedMarker }
    return TextSafety.text(value ?? "")
  }

  /// Values chosen by the peer that are not patient data (AE titles, SOP class names), made safe to print.
  public static func peerText(_ value: String) -> String { TextSafety.text(value) }

  /// A UID chosen by the peer that is not patient data (a SOP class, a transfer syntax): its name when
  /// the registry knows it, else the text made safe to print.
  public static func uidText(_ uid: String) -> String { TextSafety.text(UIDRegistry.name(of: uid)) }
}

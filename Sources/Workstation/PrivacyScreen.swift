import DICOM

/// The privacy screen (issue 15): while it is on, no patient's name, ID, birth date or accession number
/// reaches the screen, for screen sharing and reading in public places. Every place the screens show
/// such a value asks here; the tag browser's lines are masked by tag (every person name, and the
/// identifying elements below), nested items included.
public enum PrivacyScreen {
  /// What stands in for a hidden value: the same for every value, so nothing of its length shows.
  public static let mask = "***"

  /// The elements hidden besides every PN (person name) value: identifiers, birth date and time,
  /// address and telephone, accession and admission numbers.
  static let hiddenTags: Set<String> = [
    "0010,0020",  // PatientID
    "0010,0021",  // IssuerOfPatientID
    "0010,0030",  // PatientBirthDate
    "0010,0032",  // PatientBirthTime
    "0010,1000",  // OtherPatientIDs
    "0010,1040",  // PatientAddress
    "0010,1090",  // MedicalRecordLocator
    "0010,2154",  // PatientTelephoneNumbers
    "0008,0050",  // AccessionNumber
    "0038,0010",  // AdmissionID
  ]

  /// A patient's name as the lists and corners show it.
  static func name(_ raw: String, hidden: Bool) -> String {
    hidden ? mask : PersonName(parsing: raw).display
  }

  /// An identifier, a birth date or an accession number.
  static func value(_ raw: String, hidden: Bool) -> String {
    hidden && !raw.isEmpty ? mask : raw
  }

  /// A dump line of the tag browser, "(0010,0010) PN [DOE^JANE]  # 8, 1 PatientName", with its value
  /// masked when the element is a person name or one of `hiddenTags`.
  static func tagLine(_ line: String) -> String {
    let body = line.drop { $0 == " " }
    guard body.hasPrefix("("), body.count > 16,
      let open = body.firstIndex(of: "["), let close = body.lastIndex(of: "]"), open < close
    else { return line }
    let tag = String(body.dropFirst().prefix(9))
    let vr = body.dropFirst(12).prefix(2)
    guard vr == "PN" || hiddenTags.contains(tag) else { return line }
    let indent = line.prefix(line.count - body.count)
    return indent + body[..<open] + "[" + mask + "]" + body[body.index(after: close)...]
  }
}

import DICOM

/// What a de-identified object says of itself (PS3.3 C.7.1.1, Patient Identity Removed and the
/// De-identification Method with its codes from CID 7050), so a receiver knows what was done.
enum DeidentificationMarks {
  /// CID 7050 codes (scheme DCM) of the profile and each option.
  static let methodCodes: [(option: ProfileOptions?, code: String, meaning: String)] = [
    (nil, "113100", "Basic Application Confidentiality Profile"),
    (.cleanPixelData, "113101", "Clean Pixel Data Option"),
    (.cleanGraphics, "113103", "Clean Graphics Option"),
    (.cleanStructuredContent, "113104", "Clean Structured Content Option"),
    (.cleanDescriptors, "113105", "Clean Descriptors Option"),
    (.retainLongitudinalFullDates, "113106", "Retain Longitudinal Temporal Information Full Dates Option"),
    (.retainLongitudinalModifiedDates, "113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    (.retainPatientCharacteristics, "113108", "Retain Patient Characteristics Option"),
    (.retainDeviceIdentity, "113109", "Retain Device Identity Option"),
    (.retainUIDs, "113110", "Retain UIDs Option"),
    (.retainSafePrivate, "113111", "Retain Safe Private Option"),
    (.retainInstitutionIdentity, "113112", "Retain Institution Identity Option"),
  ]

  static func add(to dataset: inout Dataset, settings: DeidentificationSettings) throws(DeidentificationError) {
    var options = settings.options
    if !settings.blank.isEmpty {
      options.insert(.cleanPixelData)
      dataset.set(Element(tag: .burnedInAnnotation, vr: .CS, bytes: Value.paddedText("NO")))
    }
    let applied = methodCodes.filter { $0.option.map(options.contains) ?? true }
    var items: [Dataset] = []
    for entry in applied {
      var item = Dataset()
      item.set(Element(tag: .codeValue, vr: .SH, bytes: Value.paddedText(entry.code)))
      item.set(Element(tag: .codingSchemeDesignator, vr: .SH, bytes: Value.paddedText("DCM")))
      item.set(Element(tag: .codeMeaning, vr: .LO, bytes: Value.paddedText(entry.meaning)))
      items.append(item)
    }
    dataset.set(Element(tag: .patientIdentityRemoved, vr: .CS, bytes: Value.paddedText("YES")))
    let method = (["Biloba " + DeidentificationMarks.methodName] + applied.dropFirst().map(\.meaning))
      .map { String($0.prefix(64)) }
    dataset.set(
      Element(tag: .deidentificationMethod, vr: .LO, bytes: Value.paddedText(method.joined(separator: "\\"))))
    dataset.set(.deidentificationMethodCodeSequence, items: items)
    let temporal =
      options.contains(.retainLongitudinalFullDates)
      ? "UNMODIFIED" : options.contains(.retainLongitudinalModifiedDates) ? "MODIFIED" : "REMOVED"
    dataset.set(Element(tag: .longitudinalTemporalInformationModified, vr: .CS, bytes: Value.paddedText(temporal)))
  }

  static let methodName = "PS3.15 E.1 Basic Profile"
}

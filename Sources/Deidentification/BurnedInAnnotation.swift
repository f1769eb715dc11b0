import DICOM

/// Images whose pixels may show text about the patient: the profile acts on the header only, so they
/// are refused unless the text is blanked (`--blank`) or the reader says they checked them.
enum BurnedInAnnotation {
  /// Modalities whose images usually carry burned-in text when they do not say otherwise: ultrasound,
  /// secondary captures (screenshots, scanned documents) and angiography.
  static let usuallyBurnedIn: Set<String> = ["US", "SC", "XA"]
  /// Secondary Capture SOP classes (PS3.4 B.5), whatever modality they name.
  static let secondaryCapturePrefix = "1.2.840.10008.5.1.4.1.1.7"

  static func check(_ dataset: Dataset, settings: DeidentificationSettings) throws(DeidentificationError) {
    // An image: pixel data, or (in a header read without it) rows.
    guard dataset.contains(.pixelData) || dataset.contains(.rows), !settings.allowBurnedIn, settings.blank.isEmpty
    else { return }
    let flag = dataset.string(.burnedInAnnotation)?.uppercased()
    if flag == "YES" {
      throw .burnedIn(reason: "Burned In Annotation (0028,0301) is YES")
    }
    if flag == "NO" { return }
    let modality = dataset.string(.modality)?.uppercased() ?? ""
    if usuallyBurnedIn.contains(modality) {
      throw .burnedIn(
        reason: "modality \(modality.strippingControlCharacters) usually has burned-in text, and Burned In "
          + "Annotation (0028,0301) does not say NO")
    }
    if let sopClass = dataset.string(.sopClassUID), sopClass.hasPrefix(secondaryCapturePrefix) {
      throw .burnedIn(
        reason: "a secondary capture usually has burned-in text, and Burned In Annotation (0028,0301) does not say NO")
    }
  }
}

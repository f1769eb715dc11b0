import DICOM

/// The attributes de-identification reads or writes by name (PS3.6).
extension Tag {
  static let patientName = Tag(0x0010, 0x0010)
  static let patientID = Tag(0x0010, 0x0020)
  static let issuerOfPatientID = Tag(0x0010, 0x0021)
  static let patientBirthDate = Tag(0x0010, 0x0030)
  static let otherPatientIDs = Tag(0x0010, 0x1000)
  static let otherPatientNames = Tag(0x0010, 0x1001)
  static let accessionNumber = Tag(0x0008, 0x0050)
  static let seriesInstanceUID = Tag(0x0020, 0x000E)
  static let modality = Tag(0x0008, 0x0060)
  static let patientIdentityRemoved = Tag(0x0012, 0x0062)
  static let deidentificationMethod = Tag(0x0012, 0x0063)
  static let deidentificationMethodCodeSequence = Tag(0x0012, 0x0064)
  static let codeValue = Tag(0x0008, 0x0100)
  static let codingSchemeDesignator = Tag(0x0008, 0x0102)
  static let codeMeaning = Tag(0x0008, 0x0104)
  static let burnedInAnnotation = Tag(0x0028, 0x0301)
  static let longitudinalTemporalInformationModified = Tag(0x0028, 0x0303)
  static let rows = Tag(0x0028, 0x0010)
  static let columns = Tag(0x0028, 0x0011)
  static let samplesPerPixel = Tag(0x0028, 0x0002)
  static let planarConfiguration = Tag(0x0028, 0x0006)
  static let bitsAllocated = Tag(0x0028, 0x0100)
}

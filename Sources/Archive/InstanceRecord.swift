public import DICOM

/// The attributes the index keeps of one instance, read from its header.
public struct InstanceRecord: Sendable, Equatable {
  public var patientID, patientName, birthDate, sex: String
  public var studyInstanceUID, studyDate, studyTime, accessionNumber, studyID, studyDescription, referring: String
  public var seriesInstanceUID, modality, seriesDescription, bodyPart: String
  public var seriesNumber: Int?
  public var sopInstanceUID, sopClassUID, transferSyntaxUID: String
  public var instanceNumber: Int?

  /// Reads the record from a file's header; nil when a UID the index keys on is missing.
  public init?(file: DICOMFile) {
    let ds = file.dataset
    func s(_ g: UInt16, _ e: UInt16) -> String { ds.string(Tag(g, e))?.strippingControlCharacters ?? "" }
    patientID = s(0x0010, 0x0020)
    patientName = s(0x0010, 0x0010)
    birthDate = s(0x0010, 0x0030)
    sex = s(0x0010, 0x0040)
    studyInstanceUID = s(0x0020, 0x000D)
    studyDate = s(0x0008, 0x0020)
    studyTime = s(0x0008, 0x0030)
    accessionNumber = s(0x0008, 0x0050)
    studyID = s(0x0020, 0x0010)
    studyDescription = s(0x0008, 0x1030)
    referring = s(0x0008, 0x0090)
    seriesInstanceUID = s(0x0020, 0x000E)
    modality = s(0x0008, 0x0060)
    seriesDescription = s(0x0008, 0x103E)
    bodyPart = s(0x0018, 0x0015)
    seriesNumber = ds.int(Tag.seriesNumber)
    sopInstanceUID = s(0x0008, 0x0018)
    sopClassUID = s(0x0008, 0x0016)
    instanceNumber = ds.int(Tag.instanceNumber)
    transferSyntaxUID = file.transferSyntax.uid
    guard !studyInstanceUID.isEmpty, !seriesInstanceUID.isEmpty, !sopInstanceUID.isEmpty else { return nil }
  }
}

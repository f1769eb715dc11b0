public import DICOM

/// The attributes the index keeps of one instance, read from its header.
public struct InstanceRecord: Sendable, Equatable {
  public var patientID, patientName, birthDate, sex: String
  /// Issuer of Patient ID: the same ID from two issuers is two patients.
  public var issuerOfPatientID = ""
  public var studyInstanceUID, studyDate, studyTime, accessionNumber, studyID, studyDescription, referring: String
  public var seriesInstanceUID, modality, seriesDescription, bodyPart: String
  public var seriesNumber: Int?
  public var sopInstanceUID, sopClassUID, transferSyntaxUID: String
  public var instanceNumber: Int?
  /// Image Orientation (Patient) rounded to 1e-4 (slices of one plane share it), and the distance of
  /// Image Position (Patient) along the plane's normal: where the slice lies in the stack.
  public var orientation: String?
  public var position: Double?
  /// Number of Frames, 1 when the object does not say (bounded: a header may lie).
  public var frames: Int
  /// The acquisition within its plane: "E2" for echo 2, "T3" for temporal position 3, both, or nil.
  public var stack: String?
  /// Acquisition Number (what tells repeated acquisitions of the same positions apart).
  public var acquisition: Int?

  /// Reads the record from a file's header; nil when a UID the index keys on is missing.
  public init?(file: DICOMFile) {
    let ds = file.dataset
    func s(_ tag: Tag) -> String { ds.string(tag)?.strippingControlCharacters ?? "" }
    patientID = s(Tag.patientID)
    patientName = s(Tag.patientName)
    issuerOfPatientID = s(Tag.issuerOfPatientID)
    birthDate = s(Tag.patientBirthDate)
    sex = s(Tag.patientSex)
    studyInstanceUID = s(Tag.studyInstanceUID)
    studyDate = s(Tag.studyDate)
    studyTime = s(Tag.studyTime)
    accessionNumber = s(Tag.accessionNumber)
    studyID = s(Tag.studyID)
    studyDescription = s(Tag.studyDescription)
    referring = s(Tag.referringPhysicianName)
    seriesInstanceUID = s(Tag.seriesInstanceUID)
    modality = s(Tag.modality)
    seriesDescription = s(Tag.seriesDescription)
    bodyPart = s(Tag.bodyPartExamined)
    seriesNumber = ds.int(Tag.seriesNumber)
    sopInstanceUID = s(Tag.sopInstanceUID)
    sopClassUID = s(Tag.sopClassUID)
    instanceNumber = ds.int(Tag.instanceNumber)
    transferSyntaxUID = file.transferSyntax.uid
    (orientation, position) = Self.placement(ds)
    frames = min(Self.maxFrames, max(1, ds.int(Tag.numberOfFrames) ?? 1))
    let parts = [
      ds.string(Tag.echoNumbers).map { "E" + $0.strippingControlCharacters },
      ds.string(Tag.temporalPositionIdentifier).map { "T" + $0.strippingControlCharacters },
    ].compactMap { $0 }
    stack = parts.isEmpty ? nil : parts.joined(separator: " ")
    acquisition = ds.int(Tag.acquisitionNumber)
    guard !studyInstanceUID.isEmpty, !seriesInstanceUID.isEmpty, !sopInstanceUID.isEmpty else { return nil }
  }

  /// Frames taken from one object at most.
  public static let maxFrames = 100_000

  /// The slice's plane and its place along the plane's normal (an enhanced object's first frame's).
  static func placement(_ ds: Dataset) -> (String?, Double?) {
    let geometry = FrameGeometry(ds, frame: 0)
    guard let plane = geometry.planeKey, let location = geometry.location else { return (nil, nil) }
    return (plane, location)
  }

}

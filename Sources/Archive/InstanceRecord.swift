public import DICOM

/// The attributes the index keeps of one instance, read from its header.
public struct InstanceRecord: Sendable, Equatable {
  public var patientID, patientName, birthDate, sex: String
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
    (orientation, position) = Self.placement(ds)
    frames = min(Self.maxFrames, max(1, ds.int(Tag.numberOfFrames) ?? 1))
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

public import DICOM

/// Stored values to modality values (HU for CT): Rescale Slope/Intercept or a Modality LUT Sequence
/// (PS3.3 C.11.1), per frame for enhanced multi-frame images.
public enum ModalityTransform: Sendable, Equatable {
  case rescale(slope: Double, intercept: Double)
  case lut(LookupTable)

  public static let identity = ModalityTransform.rescale(slope: 1, intercept: 0)

  /// The transform for a frame: per-frame functional groups first, then shared ones, then the top level.
  public static func from(_ ds: Dataset, frame: Int = 0) throws(ImagingError) -> ModalityTransform {
    for group in FunctionalGroups.lookups(ds, frame: frame, sequence: Tag.pixelValueTransformationSequence) {
      if let t = rescale(in: group) { return t }
    }
    if let item = ds.items(Tag.modalityLUTSequence)?.first {
      return .lut(try LookupTable(dataset: item, name: "Modality LUT"))
    }
    return rescale(in: ds) ?? .identity
  }

  private static func rescale(in ds: Dataset) -> ModalityTransform? {
    let intercept = ds.double(Tag.rescaleIntercept)
    let slope = ds.double(Tag.rescaleSlope)
    guard intercept != nil || slope != nil else { return nil }
    return .rescale(slope: slope == nil || slope == 0 ? 1 : slope!, intercept: intercept ?? 0)
  }

  /// A stored value as a number (`DecodedFrame.numeric`: unsigned 32-bit samples too).
  @inline(__always) public func apply(_ stored: Int64) -> Double {
    switch self {
    case .rescale(let slope, let intercept): Double(stored) * slope + intercept
    case .lut(let table): Double(table.lookup(Int(clamping: stored)))
    }
  }
}

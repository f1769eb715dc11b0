public import DICOM

/// What the viewer says of one frame beside its picture: units, place and spacing, each from the frame's
/// own functional groups in enhanced objects.
extension DICOMImage {
  /// The unit of modality values (Rescale Type, per frame in enhanced objects): HU for CT when unsaid.
  public func units(frame: Int) -> String? {
    for group in FunctionalGroups.lookups(dataset, frame: frame, sequence: Tag.pixelValueTransformationSequence) {
      if let type = group.string(Tag.rescaleType) { return type }
    }
    return dataset.string(Tag.rescaleType) ?? (dataset.string(Tag.modality) == "CT" ? "HU" : nil)
  }

  /// Where the frame lies, its spacing and thickness.
  public func geometry(frame: Int) -> FrameGeometry { FrameGeometry(dataset, frame: frame) }

  /// The frame's location in mm for the corner: Slice Location when the image gives one, else its place
  /// along the normal.
  public func location(frame: Int) -> Double? {
    dataset.double(Tag.sliceLocation) ?? geometry(frame: frame).location
  }
}

public import DICOM

/// A Grayscale Softcopy Presentation State (PS3.3 A.33.1): how a reader once chose to show images, kept
/// as its own object. It names the images it applies to, and may give for them a modality transform, a
/// VOI, a presentation LUT, a rotation and flip, a shutter and graphic annotations; `DisplayPipeline`
/// applies them in the standard's order.
public struct PresentationState: Sendable, Equatable {
  /// Images by SOP Instance UID, each with its frames (1-based) or nil for all of them.
  public typealias ImageReferences = [String: Set<Int>?]

  /// Its own SOP Instance UID: two presentation states are the same when it is.
  public let sopInstanceUID: String
  public static func == (a: PresentationState, b: PresentationState) -> Bool { a.sopInstanceUID == b.sopInstanceUID }

  /// Content Label, what the reader chooses it by.
  public let label: String
  public let description: String?
  let references: ImageReferences
  /// The series of the images it presents.
  public let referencedSeries: Set<String>
  let modality: ModalityTransform?
  let vois: [(images: ImageReferences?, voi: DisplayPipeline.VOI, window: Window?)]
  /// Presentation LUT Shape: INVERSE inverts, IDENTITY does not (whatever the image's photometric).
  let presentationLUTShape: String?
  let presentationLUT: LookupTable?
  /// Image Rotation, clockwise in degrees (0, 90, 180, 270), then Image Horizontal Flip.
  public let rotation: Int
  public let flip: Bool
  public let shutter: DisplayShutter?
  let annotations: [GraphicAnnotation]

  public init(dataset ds: Dataset) throws(ImagingError) {
    sopInstanceUID = ds.string(Tag.sopInstanceUID) ?? ""
    label = ds.string(Tag.contentLabel) ?? "GSPS"
    description = ds.string(Tag.contentDescription)
    var references: ImageReferences = [:]
    referencedSeries = Set(
      (ds.items(Tag.referencedSeriesSequence) ?? []).compactMap { $0.string(Tag.seriesInstanceUID) })
    for series in ds.items(Tag.referencedSeriesSequence) ?? [] {
      references.merge(Self.images(series), uniquingKeysWith: { a, b in a.flatMap { x in b.map { x.union($0) } } })
    }
    guard !references.isEmpty else { throw ImagingError.missingAttribute("Referenced Series Sequence") }
    self.references = references
    if let item = ds.items(Tag.modalityLUTSequence)?.first {
      modality = .lut(try LookupTable(dataset: item, name: "Modality LUT"))
    } else if let intercept = ds.double(Tag.rescaleIntercept), let slope = ds.double(Tag.rescaleSlope) {
      modality = .rescale(slope: slope == 0 ? 1 : slope, intercept: intercept)
    } else {
      modality = nil
    }
    var vois: [(ImageReferences?, DisplayPipeline.VOI, Window?)] = []
    for item in ds.items(Tag.softcopyVOILUTSequence) ?? [] {
      let images = item[Tag.referencedImageSequence] == nil ? nil : Self.images(item)
      if let lut = item.items(Tag.voilutSequence)?.first {
        vois.append((images, .lut(try LookupTable(dataset: lut, name: "VOI LUT")), nil))
      } else if let window = Window.fromFile(item).first {
        vois.append((images, .window(window), window))
      }
    }
    self.vois = vois
    presentationLUTShape = ds.string(Tag.presentationLUTShape)?.uppercased()
    presentationLUT = try ds.items(Tag.presentationLUTSequence)?.first.map {
      (item) throws(ImagingError) in try LookupTable(dataset: item, name: "Presentation LUT")
    }
    let degrees = ds.int(Tag.imageRotation) ?? 0
    rotation = [0, 90, 180, 270].contains(degrees) ? degrees : 0
    flip = ds.string(Tag.imageHorizontalFlip)?.uppercased() == "Y"
    shutter = DisplayShutter(ds, overlays: OverlayPlane.planes(in: ds))
    let layers = Dictionary(
      (ds.items(Tag.graphicLayerSequence) ?? []).compactMap { item -> (String, UInt16)? in
        guard let name = item.string(Tag.graphicLayer),
          let gray = item.int(Tag.graphicLayerRecommendedDisplayGrayscaleValue)
        else { return nil }
        return (name, UInt16(clamping: gray))
      }, uniquingKeysWith: { a, _ in a })
    annotations = (ds.items(Tag.graphicAnnotationSequence) ?? []).map { item in
      GraphicAnnotation(
        item, images: item[Tag.referencedImageSequence] == nil ? nil : Self.images(item),
        gray: item.string(Tag.graphicLayer).flatMap { layers[$0] } ?? 0xFFFF)
    }
  }

  /// The images of an item's Referenced Image Sequence.
  static func images(_ item: Dataset) -> ImageReferences {
    var out: ImageReferences = [:]
    for image in item.items(Tag.referencedImageSequence) ?? [] {
      guard let uid = image.string(Tag.referencedSOPInstanceUID) else { continue }
      // nil frames (all of them) is a value here, not a removal.
      out.updateValue(image.ints(Tag.referencedFrameNumber).map(Set.init), forKey: uid)
    }
    return out
  }

  static func contains(_ references: ImageReferences, _ uid: String, frame: Int) -> Bool {
    guard let frames = references[uid] else { return false }
    return frames?.contains(frame + 1) ?? true
  }

  /// Whether it presents frame `frame` (0-based) of the image with this SOP Instance UID.
  public func applies(to sopInstanceUID: String, frame: Int) -> Bool {
    Self.contains(references, sopInstanceUID, frame: frame)
  }

  /// The VOI it gives an image's frame, if any (its window too, for the corner).
  func voi(for uid: String, frame: Int) -> (DisplayPipeline.VOI, Window?)? {
    vois.first { $0.images.map { Self.contains($0, uid, frame: frame) } ?? true }.map { ($0.voi, $0.window) }
  }

  /// The annotations drawn over an image's frame.
  func annotations(for uid: String, frame: Int) -> [GraphicAnnotation] {
    annotations.filter { $0.images.map { Self.contains($0, uid, frame: frame) } ?? true }
  }

  /// The text objects of an image's frame, for the view to show beside the picture.
  public func texts(for uid: String, frame: Int) -> [String] {
    annotations(for: uid, frame: frame).flatMap(\.texts)
  }

  /// The text objects of an image's frame with where they go.
  public func textObjects(for uid: String, frame: Int) -> [GraphicAnnotation.Text] {
    annotations(for: uid, frame: frame).flatMap(\.textObjects)
  }
}

import Archive
import DICOM
import DICOMImaging
import RasterCore

/// The study's Grayscale Softcopy Presentation States (kept in its PR series) that refer to a series.
extension Runtime {
  static let grayscaleSoftcopyPresentationState = "1.2.840.10008.5.1.4.1.1.11.1"

  /// The study's presentation states for images of the series, by label.
  func presentationStates(studyInstanceUID: String, seriesInstanceUID: String) -> [PresentationChoice] {
    guard let series = try? archive.series(studyInstanceUID: studyInstanceUID) else { return [] }
    var out: [PresentationChoice] = []
    for s in series where s.modality == "PR" {
      for instance in (try? archive.instances(seriesInstanceUID: s.seriesInstanceUID)) ?? []
      where instance.sopClassUID == Self.grayscaleSoftcopyPresentationState {
        guard let state = presentationState(instance.path), state.referencedSeries.contains(seriesInstanceUID)
        else { continue }
        out.append(PresentationChoice(path: instance.path, label: TextSafety.text(state.label)))
      }
    }
    return out.sorted { $0.label < $1.label }
  }

  /// A presentation state read once (nil when the file is not one that can be applied).
  func presentationState(_ path: String) -> PresentationState? {
    if let kept = presentationStates.withLock({ $0[path] }) { return kept }
    guard let file = try? DICOMFile.read(path: path), let state = try? PresentationState(dataset: file.dataset) else {
      return nil
    }
    presentationStates.withLock { $0[path] = state }
    return state
  }

  /// Draws a state's text objects over the picture at display size (legible whatever the image's), where
  /// the state puts them: image pixels turned with the picture, or fractions of the displayed area, mapped
  /// into the part of the picture shown (`region`, in pixels of the `decoded` frame, turned).
  static func drawTexts(
    _ texts: [GraphicAnnotation.Text], state: PresentationState, on raster: inout Raster, region: Resampler.Region,
    decoded frame: DecodedFrame
  ) {
    let (w, h) = (Double(frame.width), Double(frame.height))
    let turned = state.rotation == 90 || state.rotation == 270
    let (shownW, shownH) = turned ? (h, w) : (w, h)
    let scale = max(1, raster.height / 700)
    for text in texts {
      guard let p = text.position else { continue }
      let at =
        text.inPixels
        ? SpatialTransform.position(
          (p.x / Double(frame.downscale), p.y / Double(frame.downscale)), width: w, height: h,
          rotation: state.rotation, flip: state.flip)
        : (x: p.x * shownW, y: p.y * shownH)
      let x = (at.x - region.x) * Double(raster.width) / region.width
      let y = (at.y - region.y) * Double(raster.height) / region.height
      FixedFont.draw(
        TextSafety.text(text.text), into: &raster, x: GraphicAnnotation.pixel(x), y: GraphicAnnotation.pixel(y),
        scale: scale)
    }
  }
}

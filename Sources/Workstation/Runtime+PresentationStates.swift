import Archive
import DICOM
import DICOMImaging

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
}

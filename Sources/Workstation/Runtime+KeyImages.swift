import Archive
import Audit
import DICOM

extension Runtime {
  /// The marks of a study's key objects, for the message that shows them when it opens; a study whose
  /// documents cannot be read shows none (said by a failure only when the index itself fails).
  func keyImagesLoaded(_ study: String) throws -> Msg {
    .keyImagesLoaded(studyInstanceUID: study, try KeyImages.marks(studyInstanceUID: study, in: archive))
  }

  /// `:keys save`: the marks kept as a key object in the archive, audited as an object made here.
  func saveKeyImages(study: String, marks: [KeyImages.Mark], note: String?) -> [Msg] {
    do {
      let saved = try KeyImages.save(marks, note: note, in: archive)
      record(
        AuditEvent(action: .import, source: "workstation", studies: [study], objects: 1, detail: "key object"))
      return [
        .keyImagesSaved(studyInstanceUID: study),
        .notice("saved \(saved.images) key image\(saved.images == 1 ? "" : "s") as a key object of the study"),
      ]
    } catch {
      return [.failed("\(error)")]
    }
  }

  /// `:keys`: the study's key images by series and image number, as the index and headers name them.
  func listKeyImages(marks: [KeyImages.Mark]) -> Msg {
    var bySeries: [(series: String, images: [String])] = []
    for mark in marks {
      let header = try? DICOMFile.read(path: mark.path, options: .headerOnly).dataset
      let series = "Se " + (header?.int(Tag.seriesNumber).map(String.init) ?? "-")
      let frames = (header?.int(Tag.numberOfFrames) ?? 1) > 1 ? " fr \(mark.frame + 1)" : ""
      let image = (header?.int(Tag.instanceNumber).map(String.init) ?? "?") + frames
      if let i = bySeries.firstIndex(where: { $0.series == series }) {
        bySeries[i].images.append(image)
      } else {
        bySeries.append((series, [image]))
      }
    }
    let list = bySeries.map { "\($0.series) Im " + $0.images.joined(separator: ", ") }.joined(separator: "; ")
    return .notice("\(marks.count) key image\(marks.count == 1 ? "" : "s"): " + list)
  }
}

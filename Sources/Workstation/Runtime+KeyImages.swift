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

  /// `:keys`: the study's key images by series and image number (in that order), as their headers name them.
  func listKeyImages(marks: [KeyImages.Mark]) -> Msg {
    struct Named {
      var series: Int
      var image: Int
      var frame: Int?
    }
    // Unnumbered series and images after the numbered ones.
    let named: [Named] = marks.map { mark in
      let header = try? DICOMFile.read(path: mark.path, options: .headerOnly).dataset
      let frames = header?.int(Tag.numberOfFrames) ?? 1
      return Named(
        series: header?.int(Tag.seriesNumber) ?? .max, image: header?.int(Tag.instanceNumber) ?? .max,
        frame: frames > 1 ? mark.frame + 1 : nil)
    }
    let sorted = named.sorted { ($0.series, $0.image, $0.frame ?? 0) < ($1.series, $1.image, $1.frame ?? 0) }
    var bySeries: [(series: Int, images: [String])] = []
    for n in sorted {
      let image = (n.image == .max ? "?" : String(n.image)) + (n.frame.map { " fr \($0)" } ?? "")
      if bySeries.last.map({ $0.series == n.series }) == true {
        bySeries[bySeries.count - 1].images.append(image)
      } else {
        bySeries.append((n.series, [image]))
      }
    }
    let list = bySeries.map {
      "Se " + ($0.series == .max ? "-" : String($0.series)) + " Im " + $0.images.joined(separator: ", ")
    }
    return .notice("\(marks.count) key image\(marks.count == 1 ? "" : "s"): " + list.joined(separator: "; "))
  }
}

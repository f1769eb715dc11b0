import DICOM
public import Foundation

/// A study's key images, kept as Key Object Selection documents in the archive: saved from the frames a
/// reader marked, and read back as marks from every document of the study when it opens.
public enum KeyImages {
  /// A marked frame: a stored file and its frame (counted from 0, as the viewer does).
  public struct Mark: Sendable, Hashable {
    public var path: String
    public var frame: Int

    public init(path: String, frame: Int) {
      self.path = path
      self.frame = frame
    }
  }

  /// What a save wrote: the document's SOP Instance UID and stored path, and the images it selects.
  public struct Saved: Sendable, Equatable {
    public var sopInstanceUID: String
    public var path: String
    public var images: Int
  }

  /// The manufacturer our documents name: a new save supersedes our earlier ones of the study when marks
  /// are read back (documents are never changed once written: a PACS may hold them already).
  static let ourManufacturer = "Biloba"

  /// Document titles that reject images rather than select them (PS3.16 CID 7011): never shown as keys.
  static let rejectionTitles: Set<String> = ["113001", "113037", "113038", "113039"]

  /// Saves `marks` (all of one study) as a new key object in a series of its own, and indexes it.
  public static func save(
    _ marks: [Mark], note: String? = nil, in archive: LocalArchive, now: Date = Date()
  ) throws(ArchiveError) -> Saved {
    guard !marks.isEmpty else { throw ArchiveError.keyObject("no image is marked") }
    var references: [KeyObjectDocument.Reference] = []
    var firstImage: Dataset?
    var headers: [String: Dataset] = [:]
    for mark in marks {
      let header: Dataset
      if let known = headers[mark.path] {
        header = known
      } else {
        do {
          header = try DICOMFile.read(path: mark.path, options: .headerOnly).dataset
        } catch {
          throw ArchiveError.io(path: mark.path, reason: "\(error)")
        }
        headers[mark.path] = header
      }
      guard let sopClass = header.string(Tag.sopClassUID), let instance = header.string(Tag.sopInstanceUID),
        let series = header.string(Tag.seriesInstanceUID)
      else { throw ArchiveError.keyObject("a marked object without its UIDs") }
      if let firstImage, firstImage.string(Tag.studyInstanceUID) != header.string(Tag.studyInstanceUID) {
        throw ArchiveError.keyObject("the marked images belong to more than one study")
      }
      firstImage = firstImage ?? header
      let multiFrame = (header.int(Tag.numberOfFrames) ?? 1) > 1
      if let i = references.firstIndex(where: { $0.sopInstanceUID == instance }) {
        if multiFrame && !references[i].frames.contains(mark.frame + 1) { references[i].frames.append(mark.frame + 1) }
      } else {
        references.append(
          KeyObjectDocument.Reference(
            sopClassUID: sopClass, sopInstanceUID: instance, seriesInstanceUID: series,
            frames: multiFrame ? [mark.frame + 1] : []))
      }
    }
    guard let firstImage, let study = firstImage.string(Tag.studyInstanceUID) else {
      throw ArchiveError.keyObject("the marked images name no study")
    }
    let numbers = try archive.series(studyInstanceUID: study).compactMap(\.seriesNumber)
    let stamp = timestamp(now)
    let placement = KeyObjectDocument.Placement(
      seriesInstanceUID: UIDSyntax.fresh(), seriesNumber: (numbers.max() ?? 0) + 1, sopInstanceUID: UIDSyntax.fresh(),
      date: stamp.date, time: stamp.time)
    let file: DICOMFile
    let bytes: [UInt8]
    do {
      var dataset = try KeyObjectDocument(references: references, note: note).dataset(
        studyOf: firstImage, placement: placement)
      dataset.set(Element(tag: Tag.manufacturer, vr: .LO, bytes: Value.paddedText(ourManufacturer)))
      file = DICOMFile(dataset: dataset, transferSyntax: .explicitVRLittleEndian)
      bytes = try file.encoded()
    } catch {
      throw ArchiveError.keyObject("\(error)")
    }
    guard let record = InstanceRecord(file: file) else { throw ArchiveError.keyObject("not indexable") }
    let relative = try archive.store.write(bytes)
    do {
      try archive.add(record, path: relative, linked: false, size: bytes.count, source: "workstation")
    } catch {
      archive.store.remove(relative)
      throw error
    }
    return Saved(
      sopInstanceUID: placement.sopInstanceUID, path: archive.store.absolute(relative), images: marks.count)
  }

  /// The frames the study's key objects select, as stored files and frames: every document's selection
  /// but rejection notes, and of ours only the newest. Images the archive does not hold are left out;
  /// a document that cannot be read is skipped.
  public static func marks(studyInstanceUID: String, in archive: LocalArchive) throws(ArchiveError) -> Set<Mark> {
    var documents: [(stamp: String, ours: Bool, document: KeyObjectDocument)] = []
    for series in try archive.series(studyInstanceUID: studyInstanceUID) where series.modality == "KO" {
      for path in try archive.instancePaths(seriesInstanceUID: series.seriesInstanceUID) {
        guard let ds = try? DICOMFile.read(path: path).dataset, let document = KeyObjectDocument(ds),
          !rejectionTitles.contains(ds.items(Tag.conceptNameCodeSequence)?.first?.string(Tag.codeValue) ?? "")
        else { continue }
        let stamp = (ds.string(Tag.contentDate) ?? "") + (ds.string(Tag.contentTime) ?? "")
        documents.append((stamp, ds.string(Tag.manufacturer) == ourManufacturer, document))
      }
    }
    let newestOurs = documents.indices.filter { documents[$0].ours }.max { documents[$0].stamp < documents[$1].stamp }
    var marks: Set<Mark> = []
    for (i, entry) in documents.enumerated() where !entry.ours || i == newestOurs {
      for reference in entry.document.references {
        guard let path = try archive.storedPath(sopInstanceUID: reference.sopInstanceUID) else { continue }
        // A whole multi-frame object selected: its first frame stands for it.
        for frame in reference.frames.isEmpty ? [1] : reference.frames {
          marks.insert(Mark(path: path, frame: frame - 1))
        }
      }
    }
    return marks
  }

  /// Content Date and Time in local time, as a reader's clock shows them.
  static func timestamp(_ date: Date) -> (date: String, time: String) {
    let c = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return (
      String(format: "%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0),
      String(format: "%02d%02d%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    )
  }
}

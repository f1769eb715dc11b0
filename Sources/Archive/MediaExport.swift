import DICOM
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// `biloba media`: studies of the archive written to a folder as DICOM media (PS3.10, a general-purpose
/// file-set): each object copied as stored under `DICOM/PATnnnnn/STUnnnnn/SERnnnnn/IMGnnnnn`, and a
/// DICOMDIR whose patient, study, series and object records other tools read (dcmdump, pydicom's
/// FileSet, Weasis) and `biloba import` follows.
public enum MediaExport {
  public struct Summary: Sendable, Equatable {
    public var patients = 0
    public var studies = 0
    public var objects = 0
    public var bytes = 0
  }

  /// The file-set's folder of objects, the first component of every Referenced File ID.
  static let objectsFolder = "DICOM"

  /// Writes the studies to `root`, which must not exist or be an empty folder (media are made whole, never
  /// mixed into other files). Nothing is written unless every study is in the archive.
  public static func export(studies: [String], from archive: LocalArchive, to root: String) throws(ArchiveError)
    -> Summary
  {
    var objects: [(path: String, header: Dataset, syntax: String)] = []
    // A study named twice is written once (the archive holds each instance once).
    var named: Set<String> = []
    for study in studies where named.insert(study).inserted {
      let series = try archive.series(studyInstanceUID: study)
      guard !series.isEmpty else { throw ArchiveError.invalidQuery("study \(study) is not in the archive") }
      for one in series {
        for path in try archive.instancePaths(seriesInstanceUID: one.seriesInstanceUID) {
          let file: DICOMFile
          do { file = try DICOMFile.read(path: path, options: ReadOptions(stopBeforePixelData: true)) } catch {
            throw ArchiveError.io(path: path, reason: "\(error)")
          }
          objects.append((path, file.dataset, file.transferSyntax.uid))
        }
      }
    }
    let made = try prepare(root)
    do { return try write(objects, to: root) } catch {
      // Media are whole or not there: what this export wrote goes (a folder it was given stays, empty).
      try? FileManager.default.removeItem(atPath: root + "/" + objectsFolder)
      unlink(root + "/DICOMDIR")
      if made { rmdir(root) }
      throw error
    }
  }

  static func write(_ objects: [(path: String, header: Dataset, syntax: String)], to root: String)
    throws(ArchiveError) -> Summary
  {
    var summary = Summary()
    var patients: [MediaDirectory.Record] = []
    // A study belongs to one patient, the one its first object names (an object of the study that spells
    // the patient otherwise stays in its study).
    let studiesFound = grouped(objects) { [$0.header.string(.studyInstanceUID) ?? ""] }
    let byPatient = grouped(studiesFound) {
      [$0[0].header.string(Tag.patientID) ?? "", $0[0].header.string(Tag.patientName) ?? ""]
    }
    for (p, patient) in byPatient.map({ $0.flatMap { $0 } }).enumerated() {
      var patientRecord = record(
        "PATIENT", from: patient[0].header, keys: [Tag.patientName, Tag.patientID],
        invented: [Tag.patientID: "BILOBA\(p + 1)"])
      for (s, study) in grouped(patient, by: { [$0.header.string(.studyInstanceUID) ?? ""] }).enumerated() {
        var studyRecord = record(
          "STUDY", from: study[0].header,
          keys: [
            Tag.studyDate, Tag.studyTime, Tag.accessionNumber, Tag.studyDescription, .studyInstanceUID, Tag.studyID,
          ], invented: [Tag.studyID: String(s + 1)])
        for (e, series) in grouped(study, by: { [$0.header.string(Tag.seriesInstanceUID) ?? ""] }).enumerated() {
          var seriesRecord = record(
            "SERIES", from: series[0].header, keys: [Tag.modality, Tag.seriesInstanceUID, Tag.seriesNumber],
            invented: [Tag.seriesNumber: String(e + 1)])
          let ordered = series.sorted {
            ($0.header.int(Tag.instanceNumber) ?? 0) < ($1.header.int(Tag.instanceNumber) ?? 0)
          }
          for (i, object) in ordered.enumerated() {
            let fileID = [
              objectsFolder, try name("PAT", p), try name("STU", s), try name("SER", e), try name("IMG", i),
            ]
            summary.bytes += try copy(object.path, to: root, fileID: fileID)
            seriesRecord.children.append(
              objectRecord(object.header, syntax: object.syntax, fileID: fileID, number: i + 1))
            summary.objects += 1
          }
          studyRecord.children.append(seriesRecord)
        }
        patientRecord.children.append(studyRecord)
        summary.studies += 1
      }
      patients.append(patientRecord)
      summary.patients += 1
    }
    do {
      let directory = try MediaDirectory.encode(roots: patients)
      try AtomicFile.write(directory, to: root + "/DICOMDIR", permissions: 0o600)
    } catch {
      throw ArchiveError.io(path: root + "/DICOMDIR", reason: "\(error)")
    }
    if let failure = SystemIO.syncFileSystem(holding: root) { throw ArchiveError.io(path: root, reason: failure) }
    return summary
  }

  /// Makes `root` (0700: the media hold patient data until the user gives them away), or accepts an
  /// empty folder; refuses anything else. Returns whether it made the folder.
  static func prepare(_ root: String) throws(ArchiveError) -> Bool {
    var st = stat()
    if lstat(root, &st) == 0 {
      guard st.st_mode & S_IFMT == S_IFDIR else { throw ArchiveError.unsafePath(root) }
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? ["?"]
      guard entries.isEmpty else {
        throw ArchiveError.io(path: root, reason: "not empty: media are written into a new or empty folder")
      }
      return false
    }
    guard mkdir(root, 0o700) == 0 else { throw ArchiveError.io(path: root, reason: String(cString: strerror(errno))) }
    return true
  }

  /// Groups in first-seen order.
  static func grouped<T>(_ items: [T], by key: (T) -> [String]) -> [[T]] {
    var order: [[String]] = []
    var groups: [[String]: [T]] = [:]
    for item in items {
      let k = key(item)
      if groups[k] == nil { order.append(k) }
      groups[k, default: []].append(item)
    }
    return order.map { groups[$0]! }
  }

  /// A File ID component: a prefix and a number, eight characters at most (PS3.10 8.2); a folder with
  /// more entries than the digits count is refused, never named past the limit.
  static func name(_ prefix: String, _ index: Int) throws(ArchiveError) -> String {
    let number = String(index + 1)
    let digits = componentLength - prefix.count
    guard number.count <= digits else {
      throw ArchiveError.invalidQuery(
        "more than \(String(repeating: "9", count: digits)) \(prefix) entries in one media folder")
    }
    return prefix + String(repeating: "0", count: digits - number.count) + number
  }

  static let componentLength = 8

  /// A record of `type` with the object's own elements for `keys` (empty where it has none), and its
  /// character set when it names one. A key the record must have (Type 1) and the object lacks is
  /// `invented` as DCMTK's `dcmgpdir +I` does: a number in order, in the directory only.
  static func record(_ type: String, from header: Dataset, keys: [Tag], invented: [Tag: String] = [:])
    -> MediaDirectory.Record
  {
    var ds = Dataset(byteOrder: .little)
    if let charset = header[.specificCharacterSet] { ds.set(charset) }
    for tag in keys {
      let vr = DataDictionary.entry(for: tag)?.vr ?? .LO
      if let value = invented[tag], (header.string(tag) ?? "").isEmpty {
        try? ds.set(tag, vr, value)
      } else {
        ds.set(header[tag] ?? Element(tag: tag, vr: vr, bytes: []))
      }
    }
    return MediaDirectory.Record(type: type, keys: ds)
  }

  /// The record of one object: IMAGE for images, SR DOCUMENT and KEY OBJECT DOC for reports and key
  /// image notes (with the keys PS3.3 F.5 asks of them), PRIVATE for anything else.
  static func objectRecord(_ header: Dataset, syntax: String, fileID: [String], number: Int) -> MediaDirectory.Record {
    let instanceNumber = [Tag.instanceNumber: String(number)]
    let sopClass = header.string(Tag.sopClassUID) ?? ""
    var made: MediaDirectory.Record
    if sopClass == UIDRegistry.lookup(keyword: "KeyObjectSelectionDocumentStorage")?.uid {
      made = record(
        "KEY OBJECT DOC", from: header,
        keys: [Tag.instanceNumber, Tag.contentDate, Tag.contentTime, Tag.conceptNameCodeSequence],
        invented: instanceNumber)
    } else if sopClass.hasPrefix(structuredReportClasses) {
      made = record(
        "SR DOCUMENT", from: header,
        keys: [
          Tag.instanceNumber, Tag.completionFlag, Tag.verificationFlag, Tag.contentDate, Tag.contentTime,
          Tag.conceptNameCodeSequence,
        ], invented: instanceNumber)
    } else if header[Tag.rows] != nil {
      made = record("IMAGE", from: header, keys: [Tag.instanceNumber], invented: instanceNumber)
    } else {
      made = record("PRIVATE", from: header, keys: [])
      try? made.keys.set(Tag.privateRecordUID, .UI, UIDSyntax.fresh())
    }
    try? made.keys.set(Tag.referencedFileID, .CS, fileID)
    if let uid = header[Tag.sopClassUID]?.bytes {
      made.keys.set(Element(tag: Tag.referencedSOPClassUIDInFile, vr: .UI, bytes: uid))
    }
    if let uid = header[Tag.sopInstanceUID]?.bytes {
      made.keys.set(Element(tag: Tag.referencedSOPInstanceUIDInFile, vr: .UI, bytes: uid))
    }
    try? made.keys.set(Tag.referencedTransferSyntaxUIDInFile, .UI, syntax)
    return made
  }

  /// The SR family's SOP classes (PS3.6: every SR document storage class is under this arc).
  static let structuredReportClasses = "1.2.840.10008.5.1.4.1.1.88."

  /// Copies a stored object to its place in the file-set; returns its size.
  static func copy(_ source: String, to root: String, fileID: [String]) throws(ArchiveError) -> Int {
    var folder = root
    for component in fileID.dropLast() {
      folder += "/" + component
      try FileStore.makeDirectory(folder)
    }
    let target = folder + "/" + fileID[fileID.count - 1]
    var st = stat()
    guard stat(source, &st) == 0 else { throw ArchiveError.io(path: source, reason: String(cString: strerror(errno))) }
    let size = Int(st.st_size)
    do {
      // Copied inside the kernel, never whole in memory (a multi-frame object can be a gigabyte); the
      // one file-system flush at the end makes the media durable.
      try AtomicFile.write(
        pieces: [.copy(BulkDataReference(path: source, offset: 0, length: size))], to: target, permissions: 0o600,
        durable: false)
      return size
    } catch {
      throw ArchiveError.io(path: target, reason: "\(error)")
    }
  }
}

import DICOM
import Foundation

extension LocalArchive {
  /// Where a received object came from, for the index's source column.
  public static func networkSource(callingAE: String) -> String {
    "dicom:" + callingAE.strippingControlCharacters.trimmingCharacters(in: .whitespaces)
  }

  /// Takes an object received over the network (C-STORE, C-MOVE or C-GET sub-operation): a Part 10 file
  /// whose meta group is written anew and whose dataset is the bytes as received (never transcoded). The
  /// object must name the SOP instance and class the command named, with well-formed UIDs; otherwise
  /// nothing is written. When this returns, the object is whole on this machine (a killed process loses
  /// nothing); the journal then syncs it, renames it into the store and indexes it, and `flushReceived()`
  /// waits for that. A newer copy of an instance replaces the older one.
  public func receive(
    dataset: [UInt8], sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String
  ) throws(ArchiveError) {
    let syntax = TransferSyntax.from(uid: transferSyntaxUID)
    var meta = Dataset(byteOrder: .little)
    let header: [UInt8]
    let file: DICOMFile
    do {
      try meta.set(.mediaStorageSOPClassUID, .UI, sopClassUID)
      try meta.set(.mediaStorageSOPInstanceUID, .UI, sopInstanceUID)
      try meta.set(Tag(0x0002, 0x0016), .AE, String(callingAE.strippingControlCharacters.prefix(16)))
      var made = DICOMFile(preamble: nil, meta: meta, dataset: Dataset(), transferSyntax: syntax)
      made.meta = made.completedMeta()
      header =
        [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        + (try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(made.meta))
      // The dataset is parsed where it lies (no copy into a whole file first), up to its pixel data.
      made.dataset = try DICOMFile.readDataset(
        bytes: dataset, transferSyntax: syntax, options: ReadOptions(stopBeforePixelData: true))
      file = made
    } catch {
      throw ArchiveError.rejectedObject("dataset does not parse: \(error)")
    }
    guard let record = InstanceRecord(file: file) else {
      throw ArchiveError.rejectedObject("a Study, Series or SOP Instance UID is missing")
    }
    guard record.sopInstanceUID == sopInstanceUID, record.sopClassUID == sopClassUID else {
      throw ArchiveError.rejectedObject("the dataset's SOP Instance or Class UID differs from the command's")
    }
    for uid in [record.studyInstanceUID, record.seriesInstanceUID, record.sopInstanceUID, record.sopClassUID]
    where !UIDSyntax.isValid(uid) {
      throw ArchiveError.rejectedObject("a UID is not well formed")
    }
    try journal().stage([header, dataset], record: record, source: Self.networkSource(callingAE: callingAE))
  }

  /// Waits until every object received so far is on disk and indexed; returns what failed.
  public func flushReceived() async -> [String] {
    guard let journal = try? journal() else { return ["the incoming folder cannot be opened"] }
    return await journal.flush()
  }

  /// Finishes what a killed process left: partial receives are removed, complete ones stored and
  /// indexed. Returns how many objects were recovered.
  public func recoverReceived() -> Int {
    (try? journal().recover()) ?? 0
  }
}

import DICOM
import Foundation

extension LocalArchive {
  /// Where a received object came from, for the index's source column.
  public static func networkSource(callingAE: String) -> String {
    "dicom:" + callingAE.strippingControlCharacters.trimmingCharacters(in: .whitespaces)
  }

  /// Stores an object received over the network (C-STORE, C-MOVE or C-GET sub-operation): a Part 10 file
  /// whose meta group is written anew and whose dataset is the bytes as received (never transcoded),
  /// written through the store's atomic writer (temporary file, fsync, rename) and indexed. The object
  /// must name the SOP instance and class the command named, with well-formed UIDs; otherwise nothing is
  /// written. A newer copy of an instance replaces the older one. Returns the stored file's path.
  @discardableResult
  public func receive(
    dataset: [UInt8], sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String
  ) throws(ArchiveError) -> String {
    let syntax = TransferSyntax.from(uid: transferSyntaxUID)
    var meta = Dataset(byteOrder: .little)
    let bytes: [UInt8]
    let file: DICOMFile
    do {
      try meta.set(.mediaStorageSOPClassUID, .UI, sopClassUID)
      try meta.set(.mediaStorageSOPInstanceUID, .UI, sopInstanceUID)
      try meta.set(Tag(0x0002, 0x0016), .AE, String(callingAE.strippingControlCharacters.prefix(16)))
      let header = DICOMFile(preamble: nil, meta: meta, dataset: Dataset(), transferSyntax: syntax)
      var part10 = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
      part10 += try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(header.completedMeta())
      bytes = part10 + dataset
      file = try DICOMFile.read(bytes: bytes, options: ReadOptions(stopBeforePixelData: true))
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
    let path = try store.write(bytes)
    do {
      try add(
        record, path: path, linked: false, size: bytes.count, source: Self.networkSource(callingAE: callingAE),
        duplicates: .replace)
    } catch {
      store.remove(path)
      throw error
    }
    return path
  }
}

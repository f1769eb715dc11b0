import Foundation
import Testing

@testable import DICOM

/// A DICOMDIR's records are linked by byte offsets: each must land on the record it names, siblings in
/// order and children under their parent; the files it names are only those a File ID may name.
@Suite struct MediaDirectoryTests {
  static func keys(_ pairs: [(DICOM.Tag, VR, String)]) throws -> Dataset {
    var ds = Dataset(byteOrder: .little)
    for (tag, vr, value) in pairs { try ds.set(tag, vr, value) }
    return ds
  }

  static func image(_ number: Int, fileID: [String]) throws -> MediaDirectory.Record {
    var keys = try keys([(DICOM.Tag.instanceNumber, .IS, String(number))])
    try keys.set(DICOM.Tag.referencedFileID, .CS, fileID)
    return MediaDirectory.Record(type: "IMAGE", keys: keys)
  }

  /// The record whose item starts at `offset` in the file, read on its own from there.
  static func record(at offset: Int, in bytes: [UInt8]) throws -> Dataset {
    #expect(Array(bytes[offset..<offset + 4]) == [0xFE, 0xFF, 0x00, 0xE0], "offset \(offset) is no item")
    let length =
      Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
      | Int(bytes[offset + 7]) << 24
    return try DICOMFile.readDataset(
      bytes: Array(bytes[offset + 8..<offset + 8 + length]), transferSyntax: .explicitVRLittleEndian)
  }

  @Test func offsets_lead_from_the_root_through_siblings_and_children_to_every_record() throws {
    let series = MediaDirectory.Record(
      type: "SERIES", keys: try Self.keys([(DICOM.Tag.modality, .CS, "CT")]),
      children: [try Self.image(1, fileID: ["DICOM", "A", "I1"]), try Self.image(2, fileID: ["DICOM", "A", "I2"])])
    let study = MediaDirectory.Record(
      type: "STUDY", keys: try Self.keys([(DICOM.Tag.studyID, .SH, "7")]), children: [series])
    let roots = [
      MediaDirectory.Record(
        type: "PATIENT", keys: try Self.keys([(DICOM.Tag.patientID, .LO, "P1")]), children: [study]),
      MediaDirectory.Record(type: "PATIENT", keys: try Self.keys([(DICOM.Tag.patientID, .LO, "P2")])),
    ]
    let bytes = try MediaDirectory.encode(roots: roots, instanceUID: "2.25.5")
    let file = try DICOMFile.read(bytes: bytes)
    #expect(file.meta.string(.mediaStorageSOPClassUID) == MediaDirectory.sopClassUID)
    func offset(_ ds: Dataset, _ tag: DICOM.Tag) -> Int { ds.int(tag) ?? -1 }
    let first = try Self.record(
      at: offset(file.dataset, DICOM.Tag.offsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity), in: bytes)
    #expect(first.string(DICOM.Tag.directoryRecordType) == "PATIENT" && first.string(DICOM.Tag.patientID) == "P1")
    let last = try Self.record(
      at: offset(file.dataset, DICOM.Tag.offsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity), in: bytes)
    #expect(last.string(DICOM.Tag.patientID) == "P2" && offset(last, DICOM.Tag.offsetOfTheNextDirectoryRecord) == 0)
    #expect(
      offset(first, DICOM.Tag.offsetOfTheNextDirectoryRecord)
        == offset(file.dataset, DICOM.Tag.offsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity))
    let studyRecord = try Self.record(
      at: offset(first, DICOM.Tag.offsetOfReferencedLowerLevelDirectoryEntity), in: bytes)
    #expect(studyRecord.string(DICOM.Tag.studyID) == "7")
    let seriesRecord = try Self.record(
      at: offset(studyRecord, DICOM.Tag.offsetOfReferencedLowerLevelDirectoryEntity), in: bytes)
    let one = try Self.record(
      at: offset(seriesRecord, DICOM.Tag.offsetOfReferencedLowerLevelDirectoryEntity), in: bytes)
    let two = try Self.record(at: offset(one, DICOM.Tag.offsetOfTheNextDirectoryRecord), in: bytes)
    #expect(one.strings(DICOM.Tag.referencedFileID) == ["DICOM", "A", "I1"] && two.int(DICOM.Tag.instanceNumber) == 2)
    #expect(
      offset(two, DICOM.Tag.offsetOfTheNextDirectoryRecord) == 0
        && offset(two, DICOM.Tag.offsetOfReferencedLowerLevelDirectoryEntity) == 0)
    #expect(
      MediaDirectory.referencedFiles(in: file).files.map(\.fileID) == [["DICOM", "A", "I1"], ["DICOM", "A", "I2"]])
  }

  @Test func a_file_id_names_a_file_only_in_the_characters_ps3_10_allows() throws {
    let named: [[String]] = [["..", "etc"], ["DICOM", "a"], ["TOOLONGNAME"], ["A/B"], [""], ["OK", "FINE_1"]]
    let images = try named.enumerated().map { try Self.image($0.offset, fileID: $0.element) }
    let bytes = try MediaDirectory.encode(
      roots: [MediaDirectory.Record(type: "PATIENT", keys: Dataset(), children: images)], instanceUID: "2.25.6")
    let found = MediaDirectory.referencedFiles(in: try DICOMFile.read(bytes: bytes))
    #expect(found.files.map(\.fileID) == [["OK", "FINE_1"]])
    #expect(found.refused == 5)
    #expect(MediaDirectory.isValidComponent("IMG00001") && !MediaDirectory.isValidComponent("img00001"))
  }
}

import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

@testable import Archive

/// Objects received over the network: whole on disk when acknowledged, durable and indexed after a
/// flush, and what a killed process left is finished or removed on the next start.
@Suite struct ReceiveTests {
  static let ct = "1.2.840.10008.5.1.4.1.1.2"

  static func dataset(_ i: Int) throws -> (uid: String, bytes: [UInt8]) {
    let ds = try SyntheticData.ctSlice(index: i, of: 4, rows: 8, columns: 8)
    return (ds.string(.sopInstanceUID) ?? "", try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds))
  }

  @Test func received_objects_are_indexed_after_a_flush_with_their_dataset_bytes_unchanged() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    var sent: [String: [UInt8]] = [:]
    for i in 0..<4 {
      let (uid, bytes) = try Self.dataset(i)
      sent[uid] = bytes
      try archive.receive(
        dataset: bytes, sopClassUID: Self.ct, sopInstanceUID: uid, transferSyntaxUID: "1.2.840.10008.1.2.1",
        callingAE: "PACS")
    }
    #expect(await archive.flushReceived().isEmpty)
    #expect(try archive.stats().instances == 4)
    let incoming = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))
    #expect(incoming.isEmpty)
    for (uid, bytes) in sent {
      let path = try #require(
        try archive.instancePaths(seriesInstanceUID: SyntheticData.uid(1, 1)).first {
          (try? DICOMFile.read(path: $0, options: ReadOptions(stopBeforePixelData: true)))?.dataset.string(
            .sopInstanceUID) == uid
        })
      let file = try DICOMFile.bytes(path: path)
      let parsed = try DICOMFile.read(bytes: file, options: ReadOptions(stopBeforePixelData: true))
      #expect(Array(file[parsed.datasetOffset...]) == bytes)
      #expect(parsed.meta.string(Tag(0x0002, 0x0016)) == "PACS")
    }
  }

  @Test func a_dataset_naming_another_instance_than_its_command_is_refused_and_nothing_is_written() throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (_, bytes) = try Self.dataset(0)
    #expect(throws: ArchiveError.self) {
      try archive.receive(
        dataset: bytes, sopClassUID: Self.ct, sopInstanceUID: "1.2.3.4", transferSyntaxUID: "1.2.840.10008.1.2.1",
        callingAE: "PACS")
    }
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))) ?? []).isEmpty)
    #expect(try archive.stats().instances == 0)
  }

  @Test func after_a_kill_files_marked_whole_are_stored_and_unmarked_or_cut_ones_removed() throws {
    let dir = try TemporaryDirectory()
    let root = dir.file("archive")
    var paths: [String] = []
    do {
      let archive = try LocalArchive(root: root)
      // Three receives a kill interrupted: one marked whole, one never marked, one marked and then cut.
      for i in 0..<3 {
        let (uid, bytes) = try Self.dataset(i)
        let file = try archive.beginReceiving(
          sopClassUID: Self.ct, sopInstanceUID: uid, transferSyntaxUID: "1.2.840.10008.1.2.1", callingAE: "PACS")
        try file.append(bytes)
        if i != 1 { try file.markWhole() }
        file.finishWriting()
        file.handedOver = true  // as if the process died here
        paths.append(file.path)
      }
      truncate(paths[2], off_t(try FileManager.default.attributesOfItem(atPath: paths[2])[.size] as! Int - 10))
    }
    #expect(IncomingFile.isWhole(paths[0]) && !IncomingFile.isWhole(paths[1]) && !IncomingFile.isWhole(paths[2]))
    let archive = try LocalArchive(root: root)
    #expect(archive.recoverReceived() == 1)
    #expect(try archive.contains(sopInstanceUID: try Self.dataset(0).uid))
    #expect(try archive.stats().instances == 1)
    #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/incoming").isEmpty)
  }

  @Test func after_a_kill_whole_received_files_are_stored_and_cut_ones_removed() throws {
    let dir = try TemporaryDirectory()
    let root = dir.file("archive")
    do {
      let archive = try LocalArchive(root: root)
      _ = try archive.journal()
    }
    // What a killed process leaves: one file whole, one cut short of the size its name promises.
    for (i, cut) in [(0, false), (1, true)] {
      let (uid, bytes) = try Self.dataset(i)
      var meta = Dataset(byteOrder: .little)
      try meta.set(.mediaStorageSOPClassUID, .UI, Self.ct)
      try meta.set(.mediaStorageSOPInstanceUID, .UI, uid)
      var file = DICOMFile(preamble: nil, meta: meta, dataset: Dataset(), transferSyntax: .explicitVRLittleEndian)
      file.meta = file.completedMeta()
      let whole =
        [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        + (try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(file.meta)) + bytes
      let written = cut ? Array(whole.prefix(whole.count - 100)) : whole
      try Data(written).write(
        to: URL(fileURLWithPath: root + "/incoming/\(UUID().uuidString.lowercased())-\(whole.count).part"))
    }
    let archive = try LocalArchive(root: root)
    #expect(archive.recoverReceived() == 1)
    #expect(try archive.stats().instances == 1)
    #expect(try archive.contains(sopInstanceUID: try Self.dataset(0).uid))
    #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/incoming").isEmpty)
  }
}

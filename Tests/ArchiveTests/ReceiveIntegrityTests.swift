import DICOM
import Foundation
import GRDB
import SyntheticData
import TestSupport
import Testing

@testable import Archive

/// No sender may change what the archive holds: a second copy of an instance is a no-op when it is the
/// same, kept apart when it differs, and replaces the original only for a sender allowed to; a retrieve
/// keeps only what it asked for; a received object is bounded on disk and in memory.
@Suite struct ReceiveIntegrityTests {
  static let ct = "1.2.840.10008.5.1.4.1.1.2"
  static let explicitLE = "1.2.840.10008.1.2.1"

  /// One CT slice; `patient` changes the patient name (a tampered copy keeps every UID).
  static func slice(patient: String = "ORIGINAL^PATIENT", study: String? = nil) throws -> (uid: String, bytes: [UInt8])
  {
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8)
    try ds.set(Tag(0x0010, 0x0010), .PN, patient)
    if let study { try ds.set(Tag(0x0020, 0x000D), .UI, study) }
    return (ds.string(.sopInstanceUID) ?? "", try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds))
  }

  func receive(_ archive: LocalArchive, _ bytes: [UInt8], uid: String, policy: ReceivePolicy = ReceivePolicy())
    throws -> ReceiveOutcome
  {
    try archive.receive(
      dataset: bytes, sopClassUID: Self.ct, sopInstanceUID: uid, transferSyntaxUID: Self.explicitLE,
      callingAE: "PEER", policy: policy)
  }

  func patientNames(_ archive: LocalArchive) throws -> [String] {
    try archive.index.database.read { db in try String.fetchAll(db, sql: "SELECT name FROM patient ORDER BY name") }
  }

  func fileBytes(_ archive: LocalArchive, uid: String) throws -> [UInt8] {
    try DICOMFile.bytes(path: try #require(try archive.storedPath(sopInstanceUID: uid)))
  }

  @Test func a_second_copy_with_other_content_is_quarantined_and_the_original_is_unchanged() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (uid, original) = try Self.slice()
    #expect(try receive(archive, original, uid: uid) == .stored)
    #expect(await archive.flushReceived().isEmpty)
    let bytesBefore = try fileBytes(archive, uid: uid)
    let (_, tampered) = try Self.slice(patient: "INJECTED^PATIENT")
    guard case .quarantined(let name) = try receive(archive, tampered, uid: uid) else {
      Issue.record("a tampered copy was not quarantined")
      return
    }
    #expect(await archive.flushReceived().isEmpty)
    #expect(try fileBytes(archive, uid: uid) == bytesBefore)
    #expect(try patientNames(archive) == ["ORIGINAL^PATIENT"])
    #expect(try archive.stats().instances == 1)
    let kept = try DICOMFile.read(path: dir.file("archive/quarantine/" + name))
    #expect(kept.dataset.string(Tag(0x0010, 0x0010)) == "INJECTED^PATIENT")
    #expect(try archive.quarantined().map(\.name) == [name])
  }

  @Test func a_copy_with_the_same_content_is_a_no_op_even_before_the_first_is_indexed() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (uid, bytes) = try Self.slice()
    #expect(try receive(archive, bytes, uid: uid) == .stored)
    // Not flushed yet: the staged copy is what the second one is compared with.
    #expect(try receive(archive, bytes, uid: uid) == .alreadyHeld)
    #expect(await archive.flushReceived().isEmpty)
    #expect(try receive(archive, bytes, uid: uid) == .alreadyHeld)
    #expect(await archive.flushReceived().isEmpty)
    #expect(try archive.stats().instances == 1)
    #expect(try archive.quarantined().isEmpty)
    let incoming = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))
    #expect(incoming.isEmpty, "\(incoming)")
  }

  @Test func a_tampered_copy_racing_the_original_before_indexing_is_quarantined_too() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (uid, original) = try Self.slice()
    let (_, tampered) = try Self.slice(patient: "INJECTED^PATIENT")
    #expect(try receive(archive, original, uid: uid) == .stored)
    guard case .quarantined = try receive(archive, tampered, uid: uid) else {
      Issue.record("a tampered copy was not quarantined")
      return
    }
    #expect(await archive.flushReceived().isEmpty)
    #expect(try patientNames(archive) == ["ORIGINAL^PATIENT"])
  }

  @Test func a_sender_allowed_to_replace_brings_its_patient_study_and_series_rows_along() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (uid, original) = try Self.slice()
    #expect(try receive(archive, original, uid: uid) == .stored)
    #expect(await archive.flushReceived().isEmpty)
    let (_, corrected) = try Self.slice(patient: "CORRECTED^PATIENT")
    #expect(try receive(archive, corrected, uid: uid, policy: ReceivePolicy(replacesInstances: true)) == .replaced)
    #expect(await archive.flushReceived().isEmpty)
    #expect(try patientNames(archive) == ["CORRECTED^PATIENT"])
    #expect(try archive.stats().instances == 1)
    let stored = try DICOMFile.read(path: try #require(try archive.storedPath(sopInstanceUID: uid)))
    #expect(stored.dataset.string(Tag(0x0010, 0x0010)) == "CORRECTED^PATIENT")
    let studies = try StudyQuery().run(on: archive)
    #expect(studies.map(\.patientName) == ["CORRECTED^PATIENT"])
    // The replaced file is gone from the store: one object file left.
    let objects = FileManager.default.enumerator(atPath: dir.file("archive/objects"))?.allObjects
      .compactMap { $0 as? String }.filter { $0.hasSuffix(".dcm") }
    #expect(objects?.count == 1)
  }

  @Test func two_replacing_copies_in_one_batch_leave_one_file_and_the_last_rows() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (uid, original) = try Self.slice()
    let replacing = ReceivePolicy(replacesInstances: true)
    #expect(try receive(archive, original, uid: uid) == .stored)
    #expect(
      try receive(archive, try Self.slice(patient: "SECOND^COPY").bytes, uid: uid, policy: replacing) == .replaced)
    #expect(try receive(archive, try Self.slice(patient: "THIRD^COPY").bytes, uid: uid, policy: replacing) == .replaced)
    #expect(await archive.flushReceived().isEmpty)
    #expect(try patientNames(archive) == ["THIRD^COPY"])
    let objects = FileManager.default.enumerator(atPath: dir.file("archive/objects"))?.allObjects
      .compactMap { $0 as? String }.filter { $0.hasSuffix(".dcm") }
    #expect(objects?.count == 1)
    let incoming = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))
    #expect(incoming.isEmpty, "\(incoming)")
  }

  @Test func an_object_outside_what_a_retrieve_asked_for_is_refused_and_nothing_is_stored() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let (uid, bytes) = try Self.slice(study: "1.2.826.0.1.3680043.8.498.999")
    let onlyWanted = ReceivePolicy(accepts: { $0.studyInstanceUID == "1.2.826.0.1.3680043.8.498.1" })
    #expect(throws: ArchiveError.self) { try receive(archive, bytes, uid: uid, policy: onlyWanted) }
    #expect(await archive.flushReceived().isEmpty)
    #expect(try archive.stats().instances == 0)
    let incoming = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))
    #expect(incoming.isEmpty, "\(incoming)")
  }

  @Test func an_incoming_object_past_its_size_limit_is_refused_and_leaves_no_file() throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let file = try archive.beginReceiving(
      sopClassUID: Self.ct, sopInstanceUID: "1.2.3.4", transferSyntaxUID: Self.explicitLE, callingAE: "PEER",
      maxSize: 1 << 20)
    try file.append([UInt8](repeating: 0, count: 1 << 19))
    #expect(throws: ArchiveError.self) { try file.append([UInt8](repeating: 0, count: 1 << 20)) }
    file.discard()
    let incoming = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))
    #expect(incoming.isEmpty, "\(incoming)")
  }

  /// A deflated dataset whose header hides a value inflating to 200 MiB: refused once the header parse
  /// has inflated its cap (8 MiB), not after 200 MiB.
  @Test func a_deflate_bomb_received_is_refused_at_the_header_cap() throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8)
    ds.set(Element(tag: Tag(0x0008, 0x9999), vr: .OB, bytes: [UInt8](repeating: 0, count: 200 << 20)))
    let bomb = try DatasetWriter(transferSyntax: .deflatedExplicitVRLittleEndian).encode(ds)
    #expect(bomb.count < 1 << 20)
    let start = Date()
    #expect(throws: ArchiveError.self) {
      try archive.receive(
        dataset: bomb, sopClassUID: Self.ct, sopInstanceUID: ds.string(.sopInstanceUID) ?? "",
        transferSyntaxUID: "1.2.840.10008.1.2.1.99", callingAE: "PEER")
    }
    #expect(Date().timeIntervalSince(start) < 5)
    #expect(try archive.stats().instances == 0)
  }

  @Test func a_deflated_object_is_indexed_from_its_header_without_inflating_its_pixels() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 512, columns: 512)
    let deflated = try DatasetWriter(transferSyntax: .deflatedExplicitVRLittleEndian).encode(ds)
    let uid = ds.string(.sopInstanceUID) ?? ""
    #expect(
      try archive.receive(
        dataset: deflated, sopClassUID: Self.ct, sopInstanceUID: uid, transferSyntaxUID: "1.2.840.10008.1.2.1.99",
        callingAE: "PEER") == .stored)
    #expect(await archive.flushReceived().isEmpty)
    let stored = try DICOMFile.read(path: try #require(try archive.storedPath(sopInstanceUID: uid)))
    #expect(stored.dataset.string(.sopInstanceUID) == uid)
  }
}

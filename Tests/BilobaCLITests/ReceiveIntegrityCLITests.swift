import DICOM
import DICOMNetwork
import Foundation
import Spawn
import Synchronization
import SyntheticData
import TestSupport
import Testing

/// A hostile peer against the three ways objects arrive (`listen`, `get`, `move`'s own SCP): an
/// instance imported first is unchanged, file bytes and index rows, after a tampering C-STORE; an
/// unrequested study is not stored; a third party is turned away by `move`'s SCP.
@Suite(.serialized) struct ReceiveIntegrityCLITests {
  static let ct = "1.2.840.10008.5.1.4.1.1.2"
  static let explicitLE = "1.2.840.10008.1.2.1"
  static let study = "1.2.826.0.1.3680043.8.498.7001"
  static let series = "1.2.826.0.1.3680043.8.498.7002"
  static let instance = "1.2.826.0.1.3680043.8.498.7003"
  static let otherStudy = "1.2.826.0.1.3680043.8.498.8001"

  /// A CT slice with the fixed UIDs; `patient` tells the original from the tampered copy.
  static func slice(patient: String, study: String = study, series: String = series, instance: String = instance)
    throws -> Dataset
  {
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 16, columns: 16)
    try ds.set(Tag(0x0010, 0x0010), .PN, patient)
    try ds.set(Tag(0x0020, 0x000D), .UI, study)
    try ds.set(Tag(0x0020, 0x000E), .UI, series)
    try ds.set(.sopInstanceUID, .UI, instance)
    return ds
  }

  /// The instance with the same UIDs and another patient, and an instance of a study nobody asked for.
  static func hostileObjects() throws -> (tampered: [UInt8], unrequested: [UInt8]) {
    let tampered = try bytes(try slice(patient: "INJECTED^PATIENT"))
    let unrequested = try bytes(
      try slice(patient: "OTHER^PATIENT", study: otherStudy, series: otherStudy + ".1", instance: otherStudy + ".2"))
    return (tampered, unrequested)
  }

  static func bytes(_ ds: Dataset) throws -> [UInt8] {
    try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds)
  }

  /// An archive holding the original instance, imported the ordinary way.
  struct Fixture {
    let dir: TemporaryDirectory
    let archive: String
    let biloba: String

    init() throws {
      dir = try TemporaryDirectory()
      archive = dir.file("archive")
      biloba = try BuiltProducts.biloba()
      let original = dir.file("original.dcm")
      try DICOMFile(
        dataset: try ReceiveIntegrityCLITests.slice(patient: "ORIGINAL^PATIENT"),
        transferSyntax: .explicitVRLittleEndian
      )
      .write(to: original)
      let out = try ProcessRunner.run(biloba, ["import", "--archive", archive, original])
      precondition(out.status == 0, out.stderr)
    }

    /// The stored file of the instance and the patients the index lists.
    func state() throws -> (file: [UInt8], studies: String) {
      let dump = try ProcessRunner.run(biloba, ["studies", "--archive", archive, "--json"])
      var file: [UInt8] = []
      let walker = FileManager.default.enumerator(atPath: archive + "/objects")
      while let item = walker?.nextObject() as? String {
        if item.hasSuffix(".dcm") { file += try DICOMFile.bytes(path: archive + "/objects/" + item) }
      }
      return (file, dump.stdout)
    }

    func quarantine() throws -> String {
      try ProcessRunner.run(biloba, ["archive", "quarantine", "--archive", archive]).stdout
    }
  }

  @Test func a_tampering_store_through_listen_leaves_the_held_instance_unchanged() throws {
    let f = try Fixture()
    let before = try f.state()
    #expect(before.studies.contains("ORIGINAL^PATIENT"))
    let port = IsolatedNetwork.port()
    let listener = try ChildProcess([f.biloba, "listen", "--port", String(port), "--archive", f.archive])
    defer {
      listener.send(SIGTERM)
      listener.wait()
    }
    let peer = try #require(connectWhenReady(port: port))
    let association = ScriptedAssociation(peer: peer)
    #expect(
      association.requestAssociation(
        calledAE: "BILOBA", callingAE: "INTRUDER",
        contexts: [ProposedContext(id: 1, abstractSyntax: Self.ct, transferSyntaxes: [Self.explicitLE])]))
    let tampered = try Self.bytes(try Self.slice(patient: "INJECTED^PATIENT"))
    let status = association.store(tampered, sopClass: Self.ct, instance: Self.instance, contextID: 1)
    #expect(status == .notAuthorized)
    // The same content again is a success that changes nothing.
    let same = try Self.bytes(try Self.slice(patient: "ORIGINAL^PATIENT"))
    #expect(association.store(same, sopClass: Self.ct, instance: Self.instance, contextID: 1) == .success)
    association.release()
    let after = try f.state()
    #expect(after.file == before.file)
    #expect(after.studies == before.studies)
    #expect(!after.studies.contains("INJECTED"))
    #expect(try f.quarantine().contains("from INTRUDER"))
  }

  @Test func get_keeps_only_what_it_asked_for_and_never_replaces_a_held_instance() throws {
    let f = try Fixture()
    let before = try f.state()
    let (tampered, unrequested) = try Self.hostileObjects()
    let answers = Mutex<[DIMSEStatus?]>([])
    let pacs = try ScriptedPeer(connections: 2) { n, a in
      guard n == 1 else { return answerFindWithNothing(a) }
      guard a.acceptAssociation(), let get = a.readMessage(), let storage = a.context(for: Self.ct) else { return }
      let first = a.store(tampered, sopClass: Self.ct, instance: Self.instance, contextID: storage, messageID: 1)
      let second = a.store(
        unrequested, sopClass: Self.ct, instance: Self.otherStudy + ".2", contextID: storage, messageID: 2)
      answers.withLock { $0 = [first, second] }
      a.respond(
        to: get.command, contextID: get.contextID, status: .subOperationsCompleteWithFailures, completed: 0, failed: 2)
      _ = a.readPDU()
    }
    let out = try ProcessRunner.run(
      f.biloba,
      [
        "get", "--archive", f.archive, "--host", "127.0.0.1", "--port", String(pacs.port), "--study", Self.study,
        "--dimse-timeout", "3",
      ])
    #expect(pacs.wait())
    #expect(out.status != 0)
    #expect(answers.withLock { $0 } == [.notAuthorized, .notAuthorized])
    let after = try f.state()
    #expect(after.file == before.file)
    #expect(after.studies == before.studies)
    #expect(!after.studies.contains("OTHER^PATIENT"))
  }

  @Test func moves_scp_turns_away_third_parties_and_keeps_only_what_was_asked_for() throws {
    let f = try Fixture()
    let before = try f.state()
    let (tampered, unrequested) = try Self.hostileObjects()
    let listenPort = IsolatedNetwork.port()
    let seen = Mutex<(intruder: Bool?, statuses: [DIMSEStatus?])>((nil, []))
    let contexts = [ProposedContext(id: 1, abstractSyntax: Self.ct, transferSyntaxes: [Self.explicitLE])]
    let pacs = try ScriptedPeer(connections: 2) { n, a in
      guard n == 1 else { return answerFindWithNothing(a) }
      guard a.acceptAssociation(), let move = a.readMessage() else { return }
      // A third party (another AE title) knocks on the move's SCP first.
      if let intruder = connectWhenReady(port: listenPort) {
        let x = ScriptedAssociation(peer: intruder)
        let accepted = x.requestAssociation(calledAE: "BILOBA", callingAE: "INTRUDER", contexts: contexts)
        seen.withLock { $0.intruder = accepted }
      }
      // Then the PACS itself, with a tampered copy and a study nobody asked for.
      if let own = connectWhenReady(port: listenPort) {
        let s = ScriptedAssociation(peer: own)
        if s.requestAssociation(calledAE: "BILOBA", callingAE: "PACS", contexts: contexts) {
          let statuses = [
            s.store(tampered, sopClass: Self.ct, instance: Self.instance, contextID: 1, messageID: 1),
            s.store(unrequested, sopClass: Self.ct, instance: Self.otherStudy + ".2", contextID: 1, messageID: 2),
          ]
          seen.withLock { $0.statuses = statuses }
          s.release()
        }
      }
      a.respond(
        to: move.command, contextID: move.contextID, status: .subOperationsCompleteWithFailures, completed: 0,
        failed: 2)
      _ = a.readPDU()
    }
    let out = try ProcessRunner.run(
      f.biloba,
      [
        "move", "--archive", f.archive, "--host", "127.0.0.1", "--port", String(pacs.port), "--called-aet", "PACS",
        "--study", Self.study, "--listen-port", String(listenPort), "--dimse-timeout", "5",
      ])
    #expect(pacs.wait())
    #expect(out.status != 0)
    let result = seen.withLock { $0 }
    #expect(result.intruder == false, "a third party was accepted by the move's SCP")
    #expect(result.statuses == [.notAuthorized, .notAuthorized])
    let after = try f.state()
    #expect(after.file == before.file)
    #expect(after.studies == before.studies)
    // Only for the move: afterwards nobody listens there.
    #expect((try? RawPeer(port: listenPort)) == nil)
  }
}

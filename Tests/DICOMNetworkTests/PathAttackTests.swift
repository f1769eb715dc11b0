import Archive
import DICOM
import DICOMNetwork
import Foundation
import Logging
import Retrieval
import TestSupport
import Testing

/// UIDs and AE titles chosen to escape the archive if anyone built a path from them. Sent to our
/// Storage SCP and fed to our C-GET SCU by a scripted peer: each gets a failure status, and nothing is
/// written anywhere but inside the archive.
@Suite(.serialized) struct PathAttackTests {
  static let hostileUIDs = [
    "../x", "/abs", "a/b", "a\\b", ".", "..", "", String(repeating: "1", count: 65),
    "1.2.840.10008.5.1.4.1.1.2/../../x",
  ]

  /// A C-STORE-RQ whose Affected SOP Instance UID is exactly `uid` (no validation on the way out).
  static func storeRequest(instance uid: String, id: UInt16) throws -> DIMSECommand {
    var c = try DIMSECommand.storeRequest(messageID: id, sopClass: SCPHarness.ct, sopInstance: "1.2.3")
    c.dataset.set(Element(tag: Tag(0x0000, 0x1000), vr: .UI, bytes: Value.paddedUID(uid)))
    return c
  }

  @Test func hostile_uids_sent_to_our_scp_get_failure_statuses_and_write_nothing_outside_the_archive() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    var hostileCalling = SCPHarness.requestor
    hostileCalling.aeTitle = "../../ETC/"
    let statuses = try await Association.withAssociation(
      to: h.node, as: hostileCalling, contexts: SCPHarness.contexts
    ) { association -> [DIMSEStatus] in
      let ctx = try #require(association.context(for: SCPHarness.ct))
      var out: [DIMSEStatus] = []
      var id: UInt16 = 0
      for uid in Self.hostileUIDs {
        // Hostile in the command and the dataset alike, then hostile study and series UIDs alone.
        for (instance, study, series) in [(uid, nil, nil), ("1.2.3.4", uid, nil), ("1.2.3.5", nil, uid)] {
          id += 1
          let command = try Self.storeRequest(instance: instance, id: id)
          try await association.send(
            command, dataset: try ctDataset(instance: instance, study: study, series: series), contextID: ctx.id)
          let response = try #require(try await association.receiveMessage())
          out.append(response.command.status ?? .success)
        }
      }
      return out
    }
    #expect(statuses.count == Self.hostileUIDs.count * 3)
    #expect(statuses.allSatisfy { $0.kind == .failure }, "\(statuses)")
    #expect(h.filesOutsideArchive().isEmpty, "\(h.filesOutsideArchive())")
    #expect(h.storedFiles().isEmpty)
    #expect(try h.archive.stats().instances == 0)

    // The same association shape with good UIDs stores, under a UUID name, whatever the calling AE.
    let ok = try await Association.withAssociation(to: h.node, as: hostileCalling, contexts: SCPHarness.contexts) {
      association in
      let ctx = try #require(association.context(for: SCPHarness.ct))
      try await association.send(
        try Self.storeRequest(instance: "1.2.3.4", id: 1), dataset: try ctDataset(instance: "1.2.3.4"),
        contextID: ctx.id)
      return try #require(try await association.receiveMessage()).command.status
    }
    #expect(ok == .success)
    #expect(h.storedFiles().count == 1)
    #expect(
      h.storedFiles().allSatisfy {
        $0.range(of: #"^[0-9a-f]{2}/[0-9a-f-]{36}\.dcm$"#, options: .regularExpression) != nil
      })
    #expect(h.filesOutsideArchive().isEmpty)
  }

  @Test func hostile_uids_in_c_get_sub_operations_get_failure_statuses_and_write_nothing() async throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let listener = try RawListener()
    let node = RemoteNode(host: "127.0.0.1", port: listener.port, aeTitle: "EVILPACS")
    let (contexts, roles) = ContextProposal.forGet(
      root: .study, storageClasses: [SCPHarness.ct], syntaxes: [SCPHarness.explicitLE])
    // The scripted C-GET SCP: accepts, answers the C-GET with one C-STORE per hostile UID, then finishes.
    let peerTask = Task { await offCooperativePool { Self.scriptedGetSCP(listener) } }
    var identifier = Dataset(byteOrder: .little)
    try identifier.set(Tag(0x0008, 0x0052), .CS, "STUDY")
    try identifier.set(Tag(0x0020, 0x000D), .UI, "1.2.3")
    let outcome = try await Association.withAssociation(
      to: node, as: SCPHarness.requestor, contexts: contexts, roles: roles
    ) { association in
      try await association.get(root: .study, identifier: identifier, storage: ArchiveStorage(archive: archive)) { _ in
      }
    }
    let statuses = await peerTask.value
    #expect(statuses.count == Self.hostileUIDs.count)
    #expect(statuses.allSatisfy { $0.kind == .failure }, "\(statuses)")
    #expect(!outcome.isCompleteSuccess)
    #expect(try archive.stats().instances == 0)
    let everything = FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []
    #expect(everything.allSatisfy { $0.hasPrefix("archive") }, "\(everything)")
    #expect(!everything.contains { $0.hasSuffix(".dcm") })
  }

  /// A C-GET SCP played from a script: accepts everything proposed, answers the C-GET with one C-STORE
  /// per hostile UID, collects our responses, then ends the C-GET and answers the release.
  static func scriptedGetSCP(_ listener: RawListener) -> [DIMSEStatus] {
    guard let peer = listener.accept(timeout: 5), case .associateRQ(let rq) = readPDU(peer) else { return [] }
    let accepted = rq.contexts.map {
      AcceptedContext(id: $0.id, result: .acceptance, transferSyntax: $0.transferSyntaxes[0])
    }
    var user = UserInformation(maxPDULength: 16384, implementationClassUID: "1.2.3.4")
    user.roles = rq.user.roles
    peer.send(
      PDU.associateAC(AssociateAccept(calledAE: rq.calledAE, callingAE: rq.callingAE, contexts: accepted, user: user))
        .encoded())
    var assembler = PDataAssembler()
    var getRequest: DIMSECommand?
    while getRequest == nil, case .dataTF(let pdvs) = readPDU(peer) {
      for pdv in pdvs {
        if let m = try? assembler.add(pdv, expectsDataset: { (try? DIMSECommand.decode($0))?.hasDataset ?? false }) {
          getRequest = try? DIMSECommand.decode(m.command)
        }
      }
    }
    guard let getRequest, let storeContext = rq.contexts.first(where: { $0.abstractSyntax == SCPHarness.ct }) else {
      return []
    }
    var statuses: [DIMSEStatus] = []
    for (i, uid) in Self.hostileUIDs.enumerated() {
      guard let command = try? Self.storeRequest(instance: uid, id: UInt16(100 + i)),
        let bytes = try? command.encoded(), let dataset = try? ctDataset(instance: uid)
      else { continue }
      for pdu in PDataFragmenter.pdus(contextID: storeContext.id, command: bytes, dataset: dataset, maxPDULength: 16384)
      {
        peer.send(pdu.encoded())
      }
      var responseAssembler = PDataAssembler()
      responseLoop: while case .dataTF(let pdvs) = readPDU(peer) {
        for pdv in pdvs {
          if let m = try? responseAssembler.add(pdv, expectsDataset: { _ in false }),
            let response = try? DIMSECommand.decode(m.command)
          {
            statuses.append(response.status ?? .success)
            break responseLoop
          }
        }
      }
    }
    if var final = try? DIMSECommand.response(to: getRequest, status: .subOperationsCompleteWithFailures) {
      final.dataset.set(Tag(0x0000, 0x1021), .US, integers: [UInt16(0)])
      final.dataset.set(Tag(0x0000, 0x1022), .US, integers: [UInt16(statuses.count)])
      if let bytes = try? final.encoded() {
        let getContext = rq.contexts[0].id
        for pdu in PDataFragmenter.pdus(contextID: getContext, command: bytes, dataset: nil, maxPDULength: 16384) {
          peer.send(pdu.encoded())
        }
      }
    }
    if case .releaseRQ = readPDU(peer) { peer.send(PDU.releaseRP.encoded()) }
    return statuses
  }
}

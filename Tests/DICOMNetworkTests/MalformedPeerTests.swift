import DICOM
import DICOMNetwork
import Foundation
import Retrieval
import TestSupport
import Testing

/// A scripted raw-socket peer sends what no well-behaved peer would; our Storage SCP must answer by the
/// book (abort or close), keep nothing partial, and keep serving others.
@Suite(.serialized) struct MalformedPeerTests {
  /// After each attack, a well-behaved C-ECHO must still succeed.
  func expectStillServing(_ h: SCPHarness) async throws {
    let status = try await Association.withAssociation(
      to: h.node, as: SCPHarness.requestor, contexts: SCPHarness.contexts
    ) { try await $0.echo() }
    #expect(status == .success)
  }

  @Test func a_pdu_shorter_than_its_header_then_a_close_is_dropped_quietly() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    let peer = try RawPeer(port: h.port)
    peer.send([0x01, 0x00, 0x00])
    #expect(await isClosed(peer, within: 5), "ARTIM closes a connection that never completes its PDU")
    try await expectStillServing(h)
  }

  @Test func an_unknown_pdu_type_is_answered_with_an_abort_for_an_unrecognized_pdu() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    let peer = try RawPeer(port: h.port)
    peer.send([0x09, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00])
    #expect(await nextPDU(peer) == .abort(AssociateAbort(source: 2, reason: 1)))
    #expect(await isClosed(peer, within: 5))
    try await expectStillServing(h)
  }

  @Test func a_p_data_tf_without_any_pdv_aborts_the_association() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    let peer = try RawPeer(port: h.port)
    peer.send(SCPHarness.associateRequest())
    guard case .associateAC = await nextPDU(peer) else {
      Issue.record("association not accepted")
      return
    }
    peer.send([0x04, 0x00, 0x00, 0x00, 0x00, 0x00])
    guard case .abort(let a) = await nextPDU(peer) else {
      Issue.record("no A-ABORT")
      return
    }
    #expect(a.source == 2)
    #expect(await isClosed(peer, within: 5))
    try await expectStillServing(h)
  }

  @Test func a_pdu_over_the_negotiated_maximum_aborts_before_its_body_is_read() async throws {
    let h = try await SCPHarness.start(maxPDU: 16384)
    defer { h.stop() }
    let peer = try RawPeer(port: h.port)
    peer.send(SCPHarness.associateRequest())
    guard case .associateAC = await nextPDU(peer) else {
      Issue.record("association not accepted")
      return
    }
    // Announces 1 GiB; only the header is sent.
    peer.send([0x04, 0x00, 0x40, 0x00, 0x00, 0x00])
    #expect(await nextPDU(peer) == .abort(AssociateAbort(source: 2, reason: 6)))
    #expect(await isClosed(peer, within: 5))
    try await expectStillServing(h)
  }

  @Test func a_peer_that_never_sends_an_association_request_is_dropped_when_artim_expires() async throws {
    let h = try await SCPHarness.start(artim: 0.3)
    defer { h.stop() }
    let peer = try RawPeer(port: h.port)
    let start = Date()
    #expect(await isClosed(peer, within: 5))
    let waited = Date().timeIntervalSince(start)
    #expect(waited >= 0.25 && waited < 5, "closed after \(waited) s, ARTIM is 0.3 s")
  }

  @Test func an_abort_in_the_middle_of_a_c_store_leaves_no_file_and_no_index_entry() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    for ending in ["abort", "close"] {
      let peer = try RawPeer(port: h.port)
      peer.send(SCPHarness.associateRequest())
      guard case .associateAC(let ac) = await nextPDU(peer),
        let ctx = ac.contexts.first(where: { $0.id == 3 && $0.result == .acceptance })
      else {
        Issue.record("CT context not accepted")
        return
      }
      let dataset = try ctDataset(instance: "1.2.3.4.5")
      let command = try DIMSECommand.storeRequest(messageID: 1, sopClass: SCPHarness.ct, sopInstance: "1.2.3.4.5")
      var pdus = PDataFragmenter.pdus(
        contextID: ctx.id, command: try command.encoded(), dataset: dataset, maxPDULength: 16384)
      pdus.removeLast()  // the dataset's last fragment never comes
      for pdu in pdus { peer.send(pdu.encoded()) }
      if ending == "abort" { peer.send(PDU.abort(AssociateAbort(source: 0, reason: 0)).encoded()) }
      peer.send([])
      withExtendedLifetime(peer) {}
    }
    #expect(await SCPHarness.eventually { h.scp.openConnections == 0 })
    #expect(h.storedFiles().isEmpty, "left: \(h.storedFiles())")
    #expect(try h.archive.stats().instances == 0)
    try await expectStillServing(h)
  }

  @Test func two_hundred_half_open_connections_are_bounded_and_leave_no_descriptor_behind() async throws {
    let h = try await SCPHarness.start(maxAssociations: 4, artim: 0.5)
    defer { h.stop() }
    try await expectStillServing(h)
    _ = await SCPHarness.eventually { h.scp.openConnections == 0 }
    let baseline = openDescriptorCount()
    var peers: [RawPeer] = []
    for _ in 0..<200 { peers.append(try RawPeer(port: h.port)) }
    try await Task.sleep(for: .milliseconds(200))
    let limit = StorageSCPConfiguration(local: SCPHarness.requestor, maxAssociations: 4).maxConnections
    #expect(h.scp.openConnections <= limit, "\(h.scp.openConnections) open, limit \(limit)")
    // ARTIM closes the ones it kept; the rest were closed at once.
    #expect(await SCPHarness.eventually(3) { h.scp.openConnections == 0 })
    do {
      let closedPeers = peers
      peers.removeAll()
      #expect(await offCooperativePool { closedPeers.allSatisfy { $0.isClosedByPeer(within: 1) } })
    }
    try await expectStillServing(h)
    #expect(await SCPHarness.eventually { h.scp.openConnections == 0 && openDescriptorCount() <= baseline })
    #expect(openDescriptorCount() <= baseline, "descriptors: \(openDescriptorCount()) now, \(baseline) before")
  }

  @Test func an_association_over_the_limit_is_rejected_as_transient_local_limit_exceeded() async throws {
    let h = try await SCPHarness.start(maxAssociations: 1)
    defer { h.stop() }
    let first = try RawPeer(port: h.port)
    first.send(SCPHarness.associateRequest())
    guard case .associateAC = await nextPDU(first) else {
      Issue.record("first association not accepted")
      return
    }
    let second = try RawPeer(port: h.port)
    second.send(SCPHarness.associateRequest())
    #expect(await nextPDU(second) == .associateRJ(.localLimitExceeded))
  }

  @Test func a_calling_ae_title_not_allowed_is_rejected() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    let scp = StorageSCP(
      configuration: StorageSCPConfiguration(local: h.scp.configuration.local, allowedCallingAETitles: ["PACS"]),
      storage: ArchiveStorage(archive: h.archive), logger: .init(label: "test"))
    let listener = try await scp.listen(port: 0)
    let task = Task { try await listener.serve() }
    defer { task.cancel() }
    let peer = try RawPeer(port: listener.port)
    peer.send(SCPHarness.associateRequest(calling: "INTRUDER"))
    #expect(await nextPDU(peer) == .associateRJ(.callingAENotRecognized))
  }
}

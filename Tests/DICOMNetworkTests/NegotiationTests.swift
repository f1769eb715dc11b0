import Testing

@testable import DICOMNetwork

@Suite struct NegotiationTests {
  static let ct = "1.2.840.10008.5.1.4.1.1.2"
  static let echo = "1.2.840.10008.1.1"
  static let implicit = "1.2.840.10008.1.2"
  static let explicit = "1.2.840.10008.1.2.1"
  static let jpegLS = "1.2.840.10008.1.2.4.80"

  static let policy = AcceptorPolicy(
    aeTitle: "BILOBA", allowedCallingAETitles: ["PACS"],
    abstractSyntaxes: [ct, echo], transferSyntaxes: [implicit, explicit, jpegLS],
    maxPDULength: 32768)

  static func request(called: String = "BILOBA", calling: String = "PACS", contexts: [ProposedContext])
    -> AssociateRequest
  {
    var user = UserInformation(maxPDULength: 16384, implementationClassUID: "1.2.3")
    user.roles = [
      RoleSelection(sopClass: ct, scu: false, scp: true), RoleSelection(sopClass: "1.2.9", scu: true, scp: true),
    ]
    return AssociateRequest(calledAE: called, callingAE: calling, contexts: contexts, user: user)
  }

  @Test func compressed_objects_are_accepted_as_stored_in_the_requestors_order() {
    let rq = Self.request(contexts: [
      ProposedContext(id: 1, abstractSyntax: Self.ct, transferSyntaxes: [Self.jpegLS, Self.explicit]),
      ProposedContext(id: 3, abstractSyntax: Self.echo, transferSyntaxes: [Self.implicit]),
      ProposedContext(id: 5, abstractSyntax: "1.2.840.10008.5.1.4.1.1.481.1", transferSyntaxes: [Self.implicit]),
      ProposedContext(id: 7, abstractSyntax: Self.ct, transferSyntaxes: ["1.2.840.10008.1.2.4.100"]),
    ])
    let result = Self.policy.negotiate(rq)
    guard case .associateAC(let ac) = result.reply else {
      Issue.record("rejected: \(result.reply)")
      return
    }
    #expect(
      ac.contexts == [
        AcceptedContext(id: 1, result: .acceptance, transferSyntax: Self.jpegLS),
        AcceptedContext(id: 3, result: .acceptance, transferSyntax: Self.implicit),
        AcceptedContext(id: 5, result: .abstractSyntaxNotSupported, transferSyntax: ""),
        AcceptedContext(id: 7, result: .transferSyntaxesNotSupported, transferSyntax: ""),
      ])
    #expect(result.accepted[1]?.transferSyntax == Self.jpegLS)
    #expect(result.peerMaxPDULength == 16384)
    #expect(ac.user.maxPDULength == 32768)
    #expect(ac.user.roles == [RoleSelection(sopClass: Self.ct, scu: false, scp: true)])
  }

  @Test func unknown_callers_and_wrong_called_titles_are_rejected_with_the_standard_reasons() {
    let contexts = [ProposedContext(id: 1, abstractSyntax: Self.echo, transferSyntaxes: [Self.implicit])]
    #expect(
      Self.policy.negotiate(Self.request(calling: "STRANGER", contexts: contexts)).reply
        == .associateRJ(.callingAENotRecognized))
    #expect(
      Self.policy.negotiate(Self.request(called: "OTHER", contexts: contexts)).reply
        == .associateRJ(.calledAENotRecognized))
    var rq = Self.request(contexts: contexts)
    rq.applicationContext = "1.2.3"
    #expect(Self.policy.negotiate(rq).reply == .associateRJ(AssociateReject(result: 1, source: 1, reason: 2)))
    rq = Self.request(contexts: contexts)
    rq.protocolVersion = 2
    #expect(Self.policy.negotiate(rq).reply == .associateRJ(AssociateReject(result: 1, source: 2, reason: 2)))
  }
}

/// The asynchronous operations window (PS3.7 D.3.3.3): offered only when proposed, never wider than
/// either side allows, and used by our C-STORE SCU to keep several objects on their way.
@Suite struct AsynchronousOperationsTests {
  static let contexts = [
    ProposedContext(id: 1, abstractSyntax: NegotiationTests.ct, transferSyntaxes: [NegotiationTests.explicit])
  ]

  static func window(proposed: (UInt16, UInt16)?, ours: UInt16) -> (invoked: UInt16, performed: UInt16)? {
    var rq = NegotiationTests.request(contexts: contexts)
    rq.user.asynchronousOperations = proposed
    var policy = NegotiationTests.policy
    policy.maxOperations = ours
    guard case .associateAC(let ac) = policy.negotiate(rq).reply else { return nil }
    return ac.user.asynchronousOperations
  }

  @Test func the_window_is_the_narrower_of_the_two_and_absent_unless_proposed() {
    #expect(Self.window(proposed: (16, 1), ours: 8).map { [$0.invoked, $0.performed] } == [8, 1])
    #expect(Self.window(proposed: (4, 1), ours: 16).map { [$0.invoked, $0.performed] } == [4, 1])
    #expect(
      Self.window(proposed: (0, 0), ours: 16).map { [$0.invoked, $0.performed] } == [16, 1], "0: no limit of theirs")
    #expect(Self.window(proposed: nil, ours: 16) == nil, "a requestor that proposes none stays synchronous")
    #expect(Self.window(proposed: (16, 1), ours: 1) == nil, "an acceptor that wants none says none")
  }

  @Test func our_scu_keeps_several_c_stores_outstanding_and_matches_the_answers_by_message_id() async throws {
    let h = try await SCPHarness.start()
    defer { h.stop() }
    let uids = (1...6).map { "1.2.826.0.1.3680043.2.1143.77.\($0)" }
    let (window, answers) = try await Association.withAssociation(
      to: h.node, as: SCPHarness.requestor, contexts: SCPHarness.contexts, operations: 4
    ) { association in
      var ids: [UInt16] = []
      var answers: [UInt16] = []
      for uid in uids {
        // Four on their way before the first answer is read.
        if ids.count - answers.count == association.operationsWindow {
          answers.append(try await association.storeResponse().messageID)
        }
        let object = StorableObject(
          sopClassUID: SCPHarness.ct, sopInstanceUID: uid, transferSyntaxUID: SCPHarness.explicitLE,
          dataset: try ctDataset(instance: uid))
        ids.append(try await association.sendStore(object))
      }
      while answers.count < ids.count { answers.append(try await association.storeResponse().messageID) }
      return (association.operationsWindow, answers == ids)
    }
    #expect(window == 4)
    #expect(answers, "every request answered once, in order")
    for uid in uids { #expect(try h.archive.contains(sopInstanceUID: uid)) }
  }
}

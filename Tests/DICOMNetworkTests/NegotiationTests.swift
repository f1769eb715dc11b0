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

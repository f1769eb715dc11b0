import DICOM

/// What an acceptor (our Storage SCP, our C-GET SCU's store side) agrees to: who may call, which SOP
/// classes and transfer syntaxes, and its own limits.
public struct AcceptorPolicy: Sendable {
  public var aeTitle: String
  /// Calling AE titles allowed; nil accepts any.
  public var allowedCallingAETitles: Set<String>?
  /// Abstract syntaxes (SOP classes) accepted.
  public var abstractSyntaxes: Set<String>
  /// Transfer syntaxes accepted. The requestor's order decides among them, so compressed objects are
  /// accepted as they are stored, never transcoded on receive.
  public var transferSyntaxes: Set<String>
  public var maxPDULength: UInt32
  /// Requests a requestor may have outstanding at once (PS3.7 D.3.3.3, the asynchronous operations
  /// window); 1 keeps the association synchronous. Offered only to a requestor that proposes a window.
  public var maxOperations: UInt16 = 1
  public var implementationClassUID: String
  public var implementationVersionName: String

  public init(
    aeTitle: String, allowedCallingAETitles: Set<String>? = nil, abstractSyntaxes: Set<String>,
    transferSyntaxes: Set<String>, maxPDULength: UInt32 = 65536,
    implementationClassUID: String = AcceptorPolicy.defaultImplementationClassUID,
    implementationVersionName: String = AcceptorPolicy.defaultImplementationVersionName
  ) {
    self.aeTitle = aeTitle
    self.allowedCallingAETitles = allowedCallingAETitles
    self.abstractSyntaxes = abstractSyntaxes
    self.transferSyntaxes = transferSyntaxes
    self.maxPDULength = maxPDULength
    self.implementationClassUID = implementationClassUID
    self.implementationVersionName = implementationVersionName
  }

  public static let applicationContext = "1.2.840.10008.3.1.1.1"
  /// Ours, as written in files (DICOM's `DICOMFile.implementationClassUID`).
  public static let defaultImplementationClassUID = DICOMFile.implementationClassUID
  public static let defaultImplementationVersionName = DICOMFile.implementationVersionName
}

/// The outcome of negotiating an association request: the PDU to answer with and, when accepted, the
/// agreed presentation contexts and the peer's maximum PDU length.
public struct NegotiationResult: Sendable, Equatable {
  public var reply: PDU
  public var accepted: [UInt8: (abstractSyntax: String, transferSyntax: String)]
  public var peerMaxPDULength: UInt32

  public static func == (a: NegotiationResult, b: NegotiationResult) -> Bool {
    a.reply == b.reply && a.peerMaxPDULength == b.peerMaxPDULength
      && a.accepted.mapValues { $0.abstractSyntax + "|" + $0.transferSyntax }
        == b.accepted.mapValues { $0.abstractSyntax + "|" + $0.transferSyntax }
  }
}

extension AcceptorPolicy {
  /// Answers an A-ASSOCIATE-RQ (PS3.8 7.1.1, PS3.7 D.3.3).
  public func negotiate(_ rq: AssociateRequest) -> NegotiationResult {
    func reject(_ r: AssociateReject) -> NegotiationResult {
      NegotiationResult(reply: .associateRJ(r), accepted: [:], peerMaxPDULength: 0)
    }
    guard rq.protocolVersion & 1 == 1 else { return reject(AssociateReject(result: 1, source: 2, reason: 2)) }
    guard rq.applicationContext == Self.applicationContext else {
      return reject(AssociateReject(result: 1, source: 1, reason: 2))
    }
    guard rq.calledAE == aeTitle else { return reject(.calledAENotRecognized) }
    if let allowed = allowedCallingAETitles, !allowed.contains(rq.callingAE) { return reject(.callingAENotRecognized) }
    var contexts: [AcceptedContext] = []
    var accepted: [UInt8: (String, String)] = [:]
    for c in rq.contexts {
      guard abstractSyntaxes.contains(c.abstractSyntax) else {
        contexts.append(AcceptedContext(id: c.id, result: .abstractSyntaxNotSupported, transferSyntax: ""))
        continue
      }
      guard let ts = c.transferSyntaxes.first(where: transferSyntaxes.contains) else {
        contexts.append(AcceptedContext(id: c.id, result: .transferSyntaxesNotSupported, transferSyntax: ""))
        continue
      }
      contexts.append(AcceptedContext(id: c.id, result: .acceptance, transferSyntax: ts))
      accepted[c.id] = (c.abstractSyntax, ts)
    }
    var user = UserInformation(
      maxPDULength: maxPDULength, implementationClassUID: implementationClassUID,
      implementationVersionName: implementationVersionName)
    // Role selection: agree to the roles proposed for SOP classes we accept (C-GET's storage sub-operations).
    user.roles = rq.user.roles.filter { abstractSyntaxes.contains($0.sopClass) }
    // A window only when one is proposed; as wide as both allow (0 proposed: no limit of theirs). We
    // perform the requests one after the other, answering in order.
    if let asked = rq.user.asynchronousOperations, maxOperations > 1 {
      let invoked = asked.invoked == 0 ? maxOperations : min(asked.invoked, maxOperations)
      if invoked > 1 { user.asynchronousOperations = (invoked, 1) }
    }
    let ac = AssociateAccept(calledAE: rq.calledAE, callingAE: rq.callingAE, contexts: contexts, user: user)
    return NegotiationResult(
      reply: .associateAC(ac), accepted: accepted.mapValues { ($0.0, $0.1) },
      peerMaxPDULength: rq.user.maxPDULength ?? 0)
  }
}

public import DICOM

/// Everything that can go wrong on an association, with enough context to act on it. Texts never carry
/// patient data: UIDs and names stay out of them.
public enum NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The TCP connection could not be made.
  case connectionFailed(host: String, port: Int, reason: String)
  /// The TLS handshake failed (an untrusted certificate, a plaintext port, our certificate refused).
  case tlsFailed(host: String, port: Int, reason: String)
  /// TLS settings that cannot be used (a missing file, a key others can read).
  case tlsSetup(String)
  /// The peer rejected the association (PS3.8 table 9-21 result, source, reason).
  case associationRejected(AssociateReject)
  /// The peer (source 0) or a provider (source 2) aborted the association.
  case aborted(AssociateAbort)
  /// The connection closed without a release or an abort.
  case connectionClosed
  /// The connection closed before the association request had an answer: a TLS port called without TLS,
  /// most often.
  case closedBeforeAnswer
  /// A timer ran out: `artim` (association request or release), `dimse` (no answer or no data).
  case timeout(TimerKind, seconds: Double)
  /// The peer broke the protocol: a malformed PDU, a PDU the state does not allow, a bad DIMSE message.
  case protocolViolation(String)
  /// No accepted presentation context for this SOP class (and transfer syntax).
  case noPresentationContext(sopClass: String, transferSyntax: String?)
  /// A DIMSE request ended with a failure status.
  case requestFailed(DIMSEStatus)
  /// A dataset could not be encoded or decoded.
  case dataset(DICOMError)
  /// Invalid local parameters (an AE title too long, a bad port).
  case invalidParameter(String)

  public enum TimerKind: String, Sendable { case artim = "ARTIM", dimse = "DIMSE", idle = "idle" }

  public var description: String {
    switch self {
    case .connectionFailed(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
    case .tlsFailed(let host, let port, let reason): "TLS with \(host):\(port) failed: \(reason)"
    case .tlsSetup(let why): "\(why)"
    case .associationRejected(let rj): "association rejected: \(rj.explanation)"
    case .aborted(let a):
      "association aborted by the \(a.source == 0 ? "peer" : "service provider") (reason \(a.reason))"
    case .connectionClosed: "the peer closed the connection"
    case .closedBeforeAnswer:
      "the peer closed the connection without answering the association request (a DICOM TLS port? try --tls)"
    case .timeout(let kind, let seconds): "\(kind.rawValue) timeout after \(seconds) s"
    case .protocolViolation(let what): "protocol violation: \(what)"
    case .noPresentationContext(let sopClass, let ts):
      "no accepted presentation context for \(UIDRegistry.name(of: sopClass))"
        + (ts.map { " in \(UIDRegistry.name(of: $0))" } ?? "")
    case .requestFailed(let status): "request failed: \(status)"
    case .dataset(let e): "dataset: \(e)"
    case .invalidParameter(let what): "invalid parameter: \(what)"
    }
  }
}

extension AssociateReject {
  /// PS3.8 table 9-21 in words.
  public var explanation: String {
    let kind = result == 2 ? "transient" : "permanent"
    let why: String
    switch (source, reason) {
    case (1, 1): why = "no reason given"
    case (1, 2): why = "application context name not supported"
    case (1, 3): why = "calling AE title not recognized"
    case (1, 7): why = "called AE title not recognized"
    case (2, 1): why = "no reason given (ACSE)"
    case (2, 2): why = "protocol version not supported"
    case (3, 1): why = "temporary congestion"
    case (3, 2): why = "local limit exceeded"
    default: why = "source \(source), reason \(reason)"
    }
    return "\(why) (\(kind))"
  }
}

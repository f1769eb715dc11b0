import NIOCore
import NIOSSL

#if canImport(Glibc)
  import Glibc
#endif

/// Why a TLS handshake failed, in the words a user can act on.
public enum TLSFailure: Error, Sendable, Equatable, CustomStringConvertible {
  /// The peer's certificate does not verify (an unknown CA, expired, not yet valid); `detail` says which
  /// when a look at the certificate could tell.
  case untrustedCertificate(detail: String?)
  /// The certificate is valid but for another name.
  case wrongHost
  /// The pinned fingerprint is not the certificate's.
  case pinMismatch(shown: String)
  /// The peer answered in something other than TLS: a plaintext port.
  case notTLS
  /// The peer refused our certificate, or asked for one we did not have.
  case refusedOurCertificate(String)
  /// No common protocol version or cipher suite.
  case noCommonParameters(String)
  /// The connection closed before the handshake ended.
  case closedDuringHandshake
  case handshakeTimeout(seconds: Double)
  case other(String)

  public init(_ error: any Error) {
    if let failure = error as? TLSFailure {
      self = failure
      return
    }
    if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
      self = .wrongHost
      return
    }
    if case NIOSSLError.uncleanShutdown = error {
      self = .closedDuringHandshake
      return
    }
    // A plaintext DICOM peer resets the connection on a ClientHello (not a PDU type it knows).
    if let io = error as? IOError, io.errnoCode == ECONNRESET {
      self = .closedDuringHandshake
      return
    }
    let text = "\(error)"
    let reason = Self.boringSSLReason(text)
    switch reason {
    case "CERTIFICATE_VERIFY_FAILED": self = .untrustedCertificate(detail: nil)
    case "WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "UNKNOWN_PROTOCOL", "RECORD_TOO_LARGE":
      self = .notTLS
    case "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_EXPIRED",
      "TLSV1_ALERT_CERTIFICATE_REQUIRED", "PEER_DID_NOT_RETURN_A_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
      "TLSV1_ALERT_ACCESS_DENIED", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE":
      self = .refusedOurCertificate(reason ?? text)
    case "NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "SSLV3_ALERT_HANDSHAKE_FAILURE",
      "NO_CIPHERS_AVAILABLE":
      self = .noCommonParameters(reason ?? text)
    default:
      self = text.contains("EOF during handshake") ? .closedDuringHandshake : .other(reason ?? text)
    }
  }

  /// BoringSSL's reason word (after "OPENSSL_internal:"), when the error carries one.
  static func boringSSLReason(_ text: String) -> String? {
    guard let start = text.range(of: "OPENSSL_internal:") else { return nil }
    let reason = text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
    return reason.isEmpty ? nil : String(reason)
  }

  public var description: String {
    switch self {
    case .untrustedCertificate(let detail):
      "the peer's certificate does not verify: "
        + (detail ?? "not signed by a trusted CA (tls_ca), expired, or not yet valid")
    case .wrongHost: "the peer's certificate is for another host name"
    case .pinMismatch(let shown): "the peer's certificate is not the pinned one (its SHA-256 is \(shown))"
    case .notTLS: "the peer does not speak TLS on this port (a plaintext port?)"
    case .refusedOurCertificate(let reason):
      "the peer refused our certificate or wants one (\(reason)): check tls_cert and tls_key"
    case .noCommonParameters(let reason):
      "no TLS version or cipher suite in common (\(reason)): the peer is older than TLS 1.2?"
    case .closedDuringHandshake:
      "the peer closed the connection during the TLS handshake (a plaintext port, or it refused our certificate)"
    case .handshakeTimeout(let seconds): "no TLS handshake within \(seconds) s (is it a TLS port?)"
    case .other(let reason): "TLS: \(reason)"
    }
  }
}

public import NIOSSL

/// The one TLS policy of the product (DICOM's BCP 195 profile, PS3.15 B.9, and RFC 9325): TLS 1.2 and
/// 1.3 only, forward-secret AEAD suites only, no renegotiation. Every TLS connection Biloba makes or
/// accepts (DICOM, DICOMweb, syslog) is configured here.
public enum TLSPolicy {
  /// TLS 1.2 suites of BCP 195 that BoringSSL offers (it has no finite-field DHE): ECDHE with AES-GCM,
  /// then ChaCha20-Poly1305. TLS 1.3's suites are all AEAD and always on.
  public static let tls12CipherSuites = [
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
  ].joined(separator: ":")

  /// A client configuration: the server verified against the CA bundle (or the system's) and its name,
  /// or against a pinned certificate; our certificate sent when the server asks.
  public static func client(_ settings: TLSClientSettings) throws(TLSSetupError) -> TLSConfiguration {
    var configuration = TLSConfiguration.makeClientConfiguration()
    restrict(&configuration)
    configuration.renegotiationSupport = .none
    if settings.pinnedSHA256 != nil {
      // The pin replaces the CA and name checks: a callback in the handshake compares the certificate
      // (`TLSChannel.addClient`); the handshake itself proves the peer holds its key.
      configuration.certificateVerification = .noHostnameVerification
    } else {
      configuration.certificateVerification = settings.checksHostname ? .fullVerification : .noHostnameVerification
      if let ca = settings.caFile { configuration.trustRoots = .certificates(try PEMFiles.certificates(ca)) }
    }
    if let cert = settings.certificateFile {
      guard let key = settings.keyFile else { throw .missing("a key file for the certificate \(cert)") }
      configuration.certificateChain = try PEMFiles.certificates(cert).map { .certificate($0) }
      configuration.privateKey = .privateKey(try PEMFiles.privateKey(key))
    } else if settings.keyFile != nil {
      throw .missing("a certificate file for the key")
    }
    return configuration
  }

  /// A server configuration: our certificate and key; clients verified against `clientCAFile` when set.
  public static func server(_ settings: TLSServerSettings) throws(TLSSetupError) -> TLSConfiguration {
    let chain = try PEMFiles.certificates(settings.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
    let key = try PEMFiles.privateKey(settings.keyFile)
    var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    restrict(&configuration)
    if let ca = settings.clientCAFile {
      configuration.certificateVerification = .noHostnameVerification
      configuration.trustRoots = .certificates(try PEMFiles.certificates(ca))
    }
    return configuration
  }

  static func restrict(_ configuration: inout TLSConfiguration) {
    configuration.minimumTLSVersion = .tlsv12
    configuration.maximumTLSVersion = nil
    configuration.cipherSuites = tls12CipherSuites
  }

  /// A context from a configuration, its errors said as setup errors.
  public static func context(_ configuration: TLSConfiguration) throws(TLSSetupError) -> NIOSSLContext {
    do { return try NIOSSLContext(configuration: configuration) } catch {
      throw .invalid("\(error)")
    }
  }
}

/// What a TLS client needs: whom to trust, who we are when the server asks, and how the server is named.
/// Files only: keys are never given on a command line.
public struct TLSClientSettings: Sendable, Equatable {
  /// PEM bundle of the CAs that sign servers' certificates; nil trusts the system's.
  public var caFile: String?
  /// Our certificate chain (PEM), sent when the server asks for one (mutual TLS).
  public var certificateFile: String?
  /// The key of `certificateFile` (PEM, readable by its owner only).
  public var keyFile: String?
  /// SHA-256 of the server's certificate (DER), in hex: when set, that certificate and no other is
  /// accepted, whoever signed it (a self-signed peer), and the CA and name checks are replaced by it.
  public var pinnedSHA256: String?
  /// Whether the server's certificate must name the host connected to (its DNS name or IP address).
  public var checksHostname: Bool

  public init(
    caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, pinnedSHA256: String? = nil,
    checksHostname: Bool = true
  ) {
    self.caFile = caFile
    self.certificateFile = certificateFile
    self.keyFile = keyFile
    self.pinnedSHA256 = pinnedSHA256.map(TLSClientSettings.normalizedFingerprint)
    self.checksHostname = checksHostname
  }

  /// "AB:CD:..." or "abcd..." as lowercase hex without separators.
  public static func normalizedFingerprint(_ text: String) -> String {
    String(text.lowercased().filter { $0.isHexDigit })
  }
}

/// What a TLS server needs: its certificate and key, and, for mutual TLS, whom it lets in.
public struct TLSServerSettings: Sendable, Equatable {
  public var certificateFile: String
  /// The key of `certificateFile` (PEM, readable by its owner only).
  public var keyFile: String
  /// PEM bundle of the CAs that sign clients' certificates: when set, every client must show a
  /// certificate they signed (mutual TLS).
  public var clientCAFile: String?
  /// With mutual TLS: the AE titles a client may call as, by the names its certificate carries (subject
  /// common name or DNS subject alternative name). Nil lets a verified client call as any AE title.
  public var aeTitlesByCertificateName: [String: Set<String>]?

  public init(
    certificateFile: String, keyFile: String, clientCAFile: String? = nil,
    aeTitlesByCertificateName: [String: Set<String>]? = nil
  ) {
    self.certificateFile = certificateFile
    self.keyFile = keyFile
    self.clientCAFile = clientCAFile
    self.aeTitlesByCertificateName = aeTitlesByCertificateName
  }

  /// The AE titles a client with these certificate names may call as; nil when any may.
  public func aeTitles(forCertificateNames names: [String]) -> Set<String>? {
    guard let map = aeTitlesByCertificateName else { return nil }
    return names.reduce(into: Set<String>()) { $0.formUnion(map[$1] ?? []) }
  }
}

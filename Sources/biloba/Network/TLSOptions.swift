import ArgumentParser
import DICOMNetwork
import SecureTransport

/// `--tls`, `--tls-ca`, `--tls-cert`, `--tls-key`, `--tls-pin`: DICOM TLS for one command, over what the
/// configuration says. Files only: a key is never given on the command line.
struct TLSOptions: ParsableArguments {
  @Flag(name: .long, help: "Speak DICOM TLS (TLS 1.2 or 1.3, BCP 195).")
  var tls = false

  @Option(name: .long, help: "PEM file of the CAs we trust (servers we call; clients of our SCP: then required).")
  var tlsCa: String?

  @Option(name: .long, help: "Our certificate chain, PEM.")
  var tlsCert: String?

  @Option(name: .long, help: "The key of --tls-cert, PEM, readable by its owner only (mode 0600).")
  var tlsKey: String?

  @Option(name: .long, help: "Accept only the server certificate with this SHA-256 fingerprint (hex).")
  var tlsPin: String?

  func validate() throws {
    if let tlsPin, TLSClientSettings.normalizedFingerprint(tlsPin).count != 64 {
      throw ValidationError("--tls-pin wants a SHA-256 fingerprint: 64 hex digits, colons allowed")
    }
  }

  /// What these options ask for (defaults when none is given).
  var request: TLSRequest { TLSRequest(on: tls, ca: tlsCa, cert: tlsCert, key: tlsKey, pin: tlsPin) }

  func server(config: BilobaConfig, alsoWhen: Bool = false) throws -> TLSServerSettings? {
    try request.server(config: config, alsoWhen: alsoWhen)
  }
}

/// TLS as one command asks for it, resolved against the configuration: the one place these keys are
/// combined (the workstation asks with none given).
struct TLSRequest {
  var on = false
  var ca: String?
  var cert: String?
  var key: String?
  var pin: String?

  /// The client settings for calling `node` (nil: plain TCP): these options over the node's keys over
  /// the [network] table's.
  func client(for node: BilobaConfig.Node?, config: BilobaConfig) -> TLSClientSettings? {
    let wanted = on || ca != nil || pin != nil || node?.tls == true
    guard wanted else { return nil }
    let network = config.network
    return TLSClientSettings(
      caFile: ca ?? node?.tls_ca ?? network?.tls_ca,
      certificateFile: cert ?? node?.tls_cert ?? network?.tls_cert,
      keyFile: key ?? node?.tls_key ?? network?.tls_key,
      pinnedSHA256: pin ?? node?.tls_pin)
  }

  /// The server settings of our Storage SCP (nil: plain TCP). `alsoWhen` turns TLS on without --tls
  /// (a TLS move's sub-operations). With a CA, clients must show a certificate it signed, and a client
  /// may call as a configured TLS node's AE title only when its certificate carries the node's name.
  func server(config: BilobaConfig, alsoWhen: Bool = false) throws -> TLSServerSettings? {
    let network = config.network
    guard on || alsoWhen || network?.tls == true else { return nil }
    guard let cert = cert ?? network?.tls_cert, let key = key ?? network?.tls_key else {
      throw CommandFailure(
        "TLS on our SCP needs a certificate and key: --tls-cert and --tls-key, or tls_cert "
          + "and tls_key under [network]")
    }
    let ca = ca ?? network?.tls_ca
    var names: [String: Set<String>] = [:]
    for node in (config.nodes ?? [:]).values where node.tls == true {
      guard let aet = node.aet, let name = node.tls_name ?? node.host else { continue }
      names[name, default: []].insert(aet)
    }
    return TLSServerSettings(
      certificateFile: cert, keyFile: key, clientCAFile: ca,
      aeTitlesByCertificateName: ca != nil && !names.isEmpty ? names : nil)
  }
}

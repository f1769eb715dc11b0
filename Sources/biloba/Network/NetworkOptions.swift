import ArgumentParser
import DICOM
import DICOMNetwork
import Logging

/// Who we are: --aet, timeouts, the configuration file, log verbosity. Shared by every network command.
struct LocalOptions: ParsableArguments {
  @Option(name: .long, help: "Our AE title (default: network.aet of the configuration, else BILOBA).")
  var aet: String?

  @Option(name: .long, help: "Configuration file (default: $XDG_CONFIG_HOME/biloba/config.toml).")
  var config: String?

  @Option(name: .long, help: "Seconds to wait for a TCP connection.")
  var connectTimeout: Double = 10

  @Option(name: .long, help: "Seconds of ARTIM: waiting for an association's answer or its close.")
  var artimTimeout: Double = 30

  @Option(name: .long, help: "Seconds to wait for the peer during a request (0: no limit).")
  var dimseTimeout: Double = 60

  @Option(name: .long, help: "Largest PDU we receive, in bytes (default 1048576: a CT slice in one PDU).")
  var maxPdu: Int?

  @Flag(name: .shortAndLong, help: "Log each association and message on stderr.")
  var verbose = false

  @Flag(name: .long, help: "Show patient identifiers (UIDs) in logs, for local debugging; off by default.")
  var logPatientData = false

  func validate() throws {
    if let aet { try validateAETitle(aet, option: "--aet") }
    try CheckedNumber.seconds(connectTimeout, option: "--connect-timeout")
    try CheckedNumber.seconds(artimTimeout, option: "--artim-timeout")
    // 0 means no limit (a year).
    try CheckedNumber.seconds(dimseTimeout, option: "--dimse-timeout", range: 0...86_400)
    if let maxPdu, !(4096...16_777_216).contains(maxPdu) { throw ValidationError("--max-pdu must be 4096 to 16777216") }
  }

  /// The configuration. Every network command starts here, so this also starts building the data
  /// dictionary in the background: DIMSE commands are implicit VR, and the first one would otherwise
  /// wait the tens of milliseconds the tables take.
  func loadConfig() throws -> BilobaConfig {
    Task.detached(priority: .userInitiated) { _ = DataDictionary.entry(for: Tag.commandField) }
    return try BilobaConfig.load(path: config)
  }

  func entity(_ config: BilobaConfig, idle: Double = 300) -> LocalEntity {
    LocalEntity(
      aeTitle: aet ?? config.aeTitle,
      maxPDULength: UInt32(maxPdu ?? config.maxPDU),
      timeouts: NetworkTimeouts(
        connect: connectTimeout, artim: artimTimeout, dimse: dimseTimeout > 0 ? dimseTimeout : 86_400 * 365,
        idle: idle),
      logsPatientData: logPatientData)
  }

  /// Log lines go to stderr, and carry no patient identifiers unless --log-patient-data.
  func logger(label: String, defaultLevel: Logger.Level = .warning) -> Logger {
    var logger = Logger(label: label) { SafeLogHandler(wrapping: StreamLogHandler.standardError(label: $0)) }
    logger.logLevel = verbose ? .debug : defaultLevel
    return logger
  }
}

/// The peer: --node NAME from the configuration, or --host, --port and --called-aet.
struct PeerOptions: ParsableArguments {
  @Option(name: .long, help: "A node named in the configuration file's [nodes] table.")
  var node: String?

  @Option(name: .long, help: "The peer's host name or address.")
  var host: String?

  @Option(name: .long, help: "The peer's port.")
  var port: Int?

  @Option(name: .long, help: "The peer's AE title.")
  var calledAet: String?

  @OptionGroup var tls: TLSOptions

  func validate() throws {
    if let calledAet { try validateAETitle(calledAet, option: "--called-aet") }
    if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1 to 65535") }
    if node == nil && (host == nil || port == nil) {
      throw ValidationError("name a peer: --node NAME, or --host H --port P [--called-aet AE]")
    }
  }

  func resolve(_ config: BilobaConfig) throws -> RemoteNode {
    if let node {
      guard let n = config.nodes?[node] else {
        throw CommandFailure("no node named \(node.strippingControlCharacters) in the configuration file")
      }
      var remote = config.remoteNode(n, tls: tls.request)
      remote.host = host ?? remote.host
      remote.port = port ?? remote.port
      remote.aeTitle = calledAet ?? remote.aeTitle
      return remote
    }
    return RemoteNode(
      host: host ?? "", port: port ?? 0, aeTitle: calledAet ?? "ANY-SCP",
      tls: tls.request.client(for: nil, config: config))
  }
}

func validateAETitle(_ title: String, option: String) throws {
  do { try LocalEntity.validate(aeTitle: title) } catch {
    throw ValidationError("\(option): an AE title is 1 to 16 printable ASCII characters, no backslash")
  }
}

import Archive
import Retrieval
import ArgumentParser
import DICOMImaging
import DICOMNetwork

/// `biloba listen`: the Storage SCP into the local archive, until stopped.
struct ListenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "listen", abstract: "Run the Storage SCP: receive objects into the local archive until stopped.",
    discussion: """
      Accepts C-ECHO and C-STORE of every storage SOP class in every syntax the viewer decodes, stored as \
      received. Calling AE titles and hosts can be limited (here or in the configuration's [network] table). \
      Listens on loopback unless --bind says otherwise. One line per object on stderr, without patient \
      identifiers unless --log-patient-data.
      """)

  @OptionGroup var local: LocalOptions
  @OptionGroup var archive: ArchiveOptions
  @OptionGroup var tls: TLSOptions

  @Option(name: .long, help: "Port (default: network.listen_port, else 11112).")
  var port: Int?

  @Option(name: .long, help: "Address to listen on (default: network.bind, else 127.0.0.1; 0.0.0.0 for all).")
  var bind: String?

  @Option(name: .long, help: "Allow this calling AE title only (repeatable).")
  var allowAet: [String] = []

  @Option(name: .long, help: "Allow this peer IP address only (repeatable).")
  var allowHost: [String] = []

  @Option(name: .long, help: "Associations at once.")
  var maxAssociations: Int?

  @Option(name: .long, help: "Seconds an association may stay without traffic.")
  var idleTimeout: Double = 300

  func validate() throws {
    if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
    try CheckedNumber.seconds(idleTimeout, option: "--idle-timeout")
    for aet in allowAet { try validateAETitle(aet, option: "--allow-aet") }
    if let maxAssociations, !(1...1000).contains(maxAssociations) {
      throw ValidationError("--max-associations must be 1 to 1000")
    }
  }

  func run() async throws {
    let config = try local.loadConfig()
    let store = try archive.open()
    let logger = local.logger(label: "biloba.listen", defaultLevel: .info)
    store.prepareForReceiving(logger: logger)
    let aets = allowAet.isEmpty ? config.network?.allowed_calling_aets : allowAet
    let hosts = allowHost.isEmpty ? config.network?.allowed_hosts : allowHost
    let scp = StorageSCP(
      configuration: StorageSCPConfiguration(
        local: local.entity(config, idle: idleTimeout), allowedCallingAETitles: aets.map(Set.init),
        allowedHosts: hosts.map(Set.init), abstractSyntaxes: ServiceClasses.allStorage,
        transferSyntaxes: CodecRegistry.decodableTransferSyntaxUIDs,
        maxAssociations: maxAssociations ?? config.maxAssociations,
        bindHost: bind ?? config.listenBind, tls: try tls.server(config: config)),
      storage: ArchiveStorage(
        archive: store, replacingAETitles: config.replacingAETitles, maxObjectSize: config.maxObjectSize,
        logger: logger, audit: AuditTrail.log(config, archiveRoot: store.store.root)),
      logger: logger)
    do {
      try await scp.run(port: port ?? config.listenPort)
    } catch {
      throw CommandFailure("listen: \(error)")
    }
  }
}

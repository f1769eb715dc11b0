import ArgumentParser
import DICOMNetwork
import Logging
import Retrieval

/// `biloba echo`: C-ECHO, as DCMTK's echoscu.
struct EchoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "echo", abstract: "Verify a DICOM peer with C-ECHO.")

  @OptionGroup var peer: PeerOptions
  @OptionGroup var local: LocalOptions

  func run() async throws {
    let config = try local.loadConfig()
    if let name = peer.node, let settings = config.nodes?[name], settings.url != nil {
      // DICOMweb has no C-ECHO: a search for one study shows the service answers.
      let web = try config.dicomwebArchive(name: name, node: settings, logger: local.logger(label: "biloba.echo"))
      do { try await web.verify() } catch { throw CommandFailure("echo: \(error)") }
      StandardOutput.line("DICOMweb \(web.client.endpoint): answers")
      return
    }
    let node = try peer.resolve(config)
    do {
      let status = try await Self.echo(node, as: local.entity(config), logger: local.logger(label: "biloba.echo"))
      StandardOutput.line("C-ECHO \(node.aeTitle.strippingControlCharacters)@\(node.host):\(node.port): \(status)")
      if status.kind != .success { throw ExitCode.failure }
    } catch let error as NetworkError {
      throw CommandFailure("echo: \(error)")
    }
  }

  /// One C-ECHO on an association of its own (also `biloba doctor`'s check of each node).
  static func echo(_ node: RemoteNode, as entity: LocalEntity, logger: Logger) async throws -> DIMSEStatus {
    let contexts = ContextProposal.contexts([(ServiceClasses.verification, ServiceClasses.uncompressedSyntaxes)])
    return try await Association.withAssociation(to: node, as: entity, contexts: contexts, logger: logger) {
      association in try await association.echo()
    }
  }
}

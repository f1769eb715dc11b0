import ArgumentParser
import DICOMNetwork

/// `biloba echo`: C-ECHO, as DCMTK's echoscu.
struct EchoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "echo", abstract: "Verify a DICOM peer with C-ECHO.")

  @OptionGroup var peer: PeerOptions
  @OptionGroup var local: LocalOptions

  func run() async throws {
    let config = try local.loadConfig()
    let node = try peer.resolve(config)
    let entity = local.entity(config)
    let contexts = ContextProposal.contexts([(ServiceClasses.verification, ServiceClasses.uncompressedSyntaxes)])
    do {
      let status = try await Association.withAssociation(
        to: node, as: entity, contexts: contexts, logger: local.logger(label: "biloba.echo")
      ) { association in try await association.echo() }
      StandardOutput.line("C-ECHO \(node.aeTitle.strippingControlCharacters)@\(node.host):\(node.port): \(status)")
      if status.kind != .success { throw ExitCode.failure }
    } catch let error as NetworkError {
      throw CommandFailure("echo: \(error)")
    }
  }
}

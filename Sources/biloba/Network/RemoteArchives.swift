import Archive
import DICOMImaging
import DICOMNetwork
import DICOMweb
import Foundation
import Logging
import Retrieval
import SecureTransport

/// Configured nodes as remote archives: the one place a node's table becomes DIMSE or DICOMweb.
extension BilobaConfig {
  /// Whether the node named so speaks DICOMweb.
  func isDICOMweb(_ name: String?) -> Bool { name.flatMap { nodes?[$0]?.url } != nil }

  /// Whether the node named so is asked to compress for the wire (`compress = true`).
  func compresses(_ name: String?) -> Bool { name.flatMap { nodes?[$0]?.compress } == true }

  /// A DICOMweb node's archive: its URL, its credentials read now (from a file its owner alone may read,
  /// or from the environment), its CA for https.
  func dicomwebArchive(
    name: String, node: Node, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> DICOMwebArchive {
    let safe = name.strippingControlCharacters
    func fromEnvironment(_ variable: String) throws -> String {
      guard let value = environment[variable], !value.isEmpty else {
        throw CommandFailure("node \(safe): the environment variable \(variable.strippingControlCharacters) is not set")
      }
      return value
    }
    let authorization: DICOMwebEndpoint.Authorization
    do {
      if let file = node.token_file {
        authorization = .bearer(token: try SecretFile.read(file))
      } else if let variable = node.token_env {
        authorization = .bearer(token: try fromEnvironment(variable))
      } else if let username = node.username {
        let password =
          try node.password_file.map { try SecretFile.read($0) } ?? node.password_env.map(fromEnvironment) ?? ""
        authorization = .basic(username: username, password: password)
      } else {
        authorization = .none
      }
    } catch let error as TLSSetupError {
      throw CommandFailure("node \(safe): \(error)")
    }
    let tls = TLSClientSettings(
      caFile: node.tls_ca ?? network?.tls_ca, certificateFile: node.tls_cert ?? network?.tls_cert,
      keyFile: node.tls_key ?? network?.tls_key)
    do {
      let endpoint = try DICOMwebEndpoint(url: node.url ?? "", authorization: authorization, tls: tls)
      var client = DICOMwebClient(endpoint: endpoint, logger: logger)
      // A part is one object: no larger than the archive takes.
      client.maxPartBytes = maxObjectSize
      return DICOMwebArchive(
        name: name, client: client,
        compressedSyntax: node.compress == true ? CodecRegistry.losslessWireSyntaxUIDs.first : nil)
    } catch {
      throw CommandFailure("node \(safe): \(error)")
    }
  }
}

extension PeerOptions {
  /// The peer as a remote archive: a DICOMweb node by its table, else DIMSE with `method`.
  func remote(
    _ config: BilobaConfig, entity: LocalEntity, logger: Logger,
    method: (RemoteNode) throws -> DIMSEArchive.Method = {
      _ in .get
    }
  ) throws -> any RemoteArchive {
    if let name = node, let settings = config.nodes?[name], settings.url != nil {
      guard host == nil, port == nil, calledAet == nil else {
        throw CommandFailure(
          "node \(name.strippingControlCharacters) is a DICOMweb node: --host, --port and --called-aet do not apply")
      }
      return try config.dicomwebArchive(name: name, node: settings, logger: logger)
    }
    let node = try resolve(config)
    return config.dimseArchive(
      node, entity: entity, method: try method(node),
      compress: config.compresses(self.node),
      logger: logger)
  }
}

extension BilobaConfig {
  /// A configured node as the network module calls it, TLS included: the one place a node becomes a peer.
  func remoteNode(_ node: Node, tls: TLSRequest = TLSRequest()) -> RemoteNode {
    RemoteNode(
      host: node.host ?? "", port: node.port ?? 0, aeTitle: node.aet ?? "", tls: tls.client(for: node, config: self))
  }
}

extension BilobaConfig {
  /// The DIMSE archive of a peer: C-GET unless a move is asked for; objects accepted in every syntax the
  /// viewer decodes, or, when the node is to `compress`, asked for in lossless compressed ones.
  func dimseArchive(
    _ node: RemoteNode, entity: LocalEntity, method: DIMSEArchive.Method = .get, compress: Bool = false,
    logger: Logger
  ) -> DIMSEArchive {
    var archive = DIMSEArchive(
      node: node, entity: entity, method: method, acceptedSyntaxes: CodecRegistry.decodableTransferSyntaxUIDs,
      logger: logger)
    if compress { archive.compressedSyntaxes = CodecRegistry.losslessWireSyntaxUIDs }
    return archive
  }

  /// C-MOVE into our SCP on `port`: TLS on it when `tls` says so (a TLS node's sub-operations come back
  /// over TLS).
  func moveMethod(port: Int, destination: String?, tls: TLSServerSettings?) -> DIMSEArchive.Method {
    .move(listenPort: port, destination: destination, bindHost: moveBind, tls: tls)
  }

  /// A retriever into `archive` from `remote`, with this configuration's receive rules.
  func retriever(_ remote: any RemoteArchive, archive: LocalArchive, logger: Logger) -> Retriever {
    Retriever(
      remote: remote, archive: archive, replacingAETitles: replacingAETitles, maxObjectSize: maxObjectSize,
      logger: logger)
  }
}

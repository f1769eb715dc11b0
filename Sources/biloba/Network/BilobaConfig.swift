import Archive
import DICOM
import DICOMNetwork
import Foundation
import Audit
import DICOMweb
import SecureTransport
import TOMLKit

/// The user's configuration file (`$XDG_CONFIG_HOME/biloba/config.toml`): our AE, the Storage SCP's
/// settings, and the remote nodes by name. It is untrusted input: every value is checked when read.
///
///     [network]
///     aet = "BILOBA"
///     listen_port = 11112
///     bind = "127.0.0.1"
///     max_associations = 16
///     allowed_calling_aets = ["PACS"]
///
///     [workstation]
///     archive = "/srv/biloba"
///     budget = "20G"
///     graphics = "blocks"
///     keymap = "vim"
///
///     [nodes.pacs]
///     host = "10.0.0.5"
///     port = 104
///     aet = "PACS"
///     retrieve = "move"   # or "get" (the default)
///     replace = false     # true: this node's objects may replace instances the archive holds
///     compress = false    # true: ask for objects compressed losslessly for the wire (thin links)
///     tls = true          # DICOM TLS on that port; tls_ca, tls_cert, tls_key, tls_pin as below
///
/// TLS (PS3.15 B.9): under [network], `tls = true` makes our Storage SCPs (`listen`, and the one `move`
/// starts) speak TLS with `tls_cert` and `tls_key`; `tls_ca` names the CAs we trust, which verify the
/// servers we call and, on our SCP, makes a client certificate signed by them required (mutual TLS).
/// A node's own `tls_ca`, `tls_cert`, `tls_key` win over these; `tls_pin` accepts that server
/// certificate (SHA-256) alone; `tls_name` is the name on the node's client certificate, by which our
/// SCP lets it call as the node's AE title (default: its host).
struct BilobaConfig: Decodable, Sendable {
  struct Network: Decodable, Sendable {
    var aet: String?
    var listen_port: Int?
    var bind: String?
    var max_associations: Int?
    var allowed_calling_aets: [String]?
    var allowed_hosts: [String]?
    var max_pdu: Int?
    /// Largest object received, as a size such as "4G".
    var max_object_size: String?
    var tls: Bool?
    var tls_ca: String?
    var tls_cert: String?
    var tls_key: String?
  }

  /// A remote node: DIMSE (`host`, `port`, `aet`) or DICOMweb (`url`, with `username` and
  /// `password_file` or `password_env` for basic authentication, or `token_file` or `token_env` for a
  /// bearer token).
  struct Node: Decodable, Sendable {
    var host: String?
    var port: Int?
    var aet: String?
    var url: String?
    var username: String?
    var password_file: String?
    var password_env: String?
    var token_file: String?
    var token_env: String?
    /// How the workstation retrieves from this node: "get" (the default) or "move".
    var retrieve: String?
    /// Whether objects this node sends may replace instances the archive holds (else they go to
    /// quarantine when their content differs).
    var replace: Bool?
    /// Whether to ask the node for objects compressed losslessly for the wire (JPEG-LS or JPEG 2000): far
    /// fewer bytes on a thin link, where the node transcodes; objects then arrive, and are kept, in that
    /// syntax rather than as the node stores them.
    var compress: Bool?
    var tls: Bool?
    var tls_ca: String?
    var tls_cert: String?
    var tls_key: String?
    var tls_pin: String?
    var tls_name: String?
  }

  /// Senders whose objects may replace instances the archive holds: DIMSE nodes by AE title, DICOMweb
  /// nodes by name (what they bring is received under it).
  var replacingAETitles: Set<String> {
    Set((nodes ?? [:]).compactMap { name, node in node.replace == true ? (node.aet ?? name) : nil })
  }

  /// The workstation's defaults (its command-line options win).
  struct WorkstationSettings: Decodable, Sendable {
    var archive: String?
    /// Size budget such as "20G": least recently viewed studies are evicted at start to fit it.
    var budget: String?
    var graphics: String?
    var keymap: String?
    /// Whether the workstation starts with the privacy screen on.
    var privacy: Bool?
  }

  /// The audit trail: on unless `enabled = false`; `syslog = "tcp://host:port"` or `"tls://host:port"`
  /// forwards each record, `syslog_ca` naming the CAs (PEM) that sign a TLS server's certificate.
  struct AuditSettings: Decodable, Sendable {
    var enabled: Bool?
    var syslog: String?
    var syslog_ca: String?
  }

  var network: Network?
  var nodes: [String: Node]?
  var workstation: WorkstationSettings?
  var audit: AuditSettings?

  static let empty = BilobaConfig(network: nil, nodes: nil, workstation: nil, audit: nil)

  /// The default file: `$XDG_CONFIG_HOME/biloba/config.toml`, else `~/.config/biloba/config.toml`.
  static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    let base =
      environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
    return base + "/biloba/config.toml"
  }

  /// Reads the file at `path`, or the default file when there is one; no file means defaults.
  static func load(path: String?) throws(CommandFailure) -> BilobaConfig {
    let file = path ?? defaultPath()
    guard FileManager.default.fileExists(atPath: file) else {
      if path != nil { throw CommandFailure("\(file): no such configuration file") }
      return .empty
    }
    let text: String
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: file))
      guard data.count <= 1 << 20 else { throw CommandFailure("\(file): larger than 1 MiB") }
      text = String(decoding: data, as: UTF8.self)
    } catch let failure as CommandFailure {
      throw failure
    } catch {
      throw CommandFailure("\(file): \(error.localizedDescription)")
    }
    let config: BilobaConfig
    do {
      config = try TOMLDecoder().decode(BilobaConfig.self, from: text)
    } catch let error as TOMLParseError {
      throw CommandFailure("\(file): \(error.description) at \(error.source.begin.debugDescription)")
    } catch {
      let place = Self.codingPath(of: error).flatMap { Self.line(of: $0, in: text) }.map { ":\($0)" } ?? ""
      throw CommandFailure("\(file)\(place): \(Self.describe(error))")
    }
    try config.validate(file: file, text: text)
    return config
  }

  /// The 1-based line where a dotted key such as `nodes.pacs.port` is set: the key's line inside its
  /// table, else the table's header. Nil when the text does not spell it plainly.
  static func line(of key: String, in text: String) -> Int? {
    let parts = key.split(separator: ".").map(String.init)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    for split in stride(from: parts.count - 1, through: 0, by: -1) {
      let table = parts[0..<split].joined(separator: ".")
      let rest = parts[split...].joined(separator: ".")
      var inside = table.isEmpty
      var header: Int?
      for (i, line) in lines.enumerated() {
        if line.hasPrefix("[") {
          inside = line.hasPrefix("[\(table)]")  // a comment may follow the header
          if inside { header = i + 1 }
          continue
        }
        if inside, line.hasPrefix(rest), line.dropFirst(rest.count).drop(while: { $0 == " " }).hasPrefix("=") {
          return i + 1
        }
      }
      if let header, !table.isEmpty { return header }
    }
    return nil
  }

  /// The dotted key a decoding error is about (`nodes.pacs.port`), when it names one.
  static func codingPath(of error: any Error) -> String? {
    guard let context = decodingContext(of: error), !context.codingPath.isEmpty else { return nil }
    return context.codingPath.map(\.stringValue).joined(separator: ".")
  }

  static func decodingContext(of error: any Error) -> DecodingError.Context? {
    switch error {
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
      DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
      context
    default:
      nil
    }
  }

  func validate(file: String, text: String) throws(CommandFailure) {
    /// Fails with "FILE:LINE: key problem", the line being where the key is set.
    func check(_ ok: Bool, _ key: String, _ problem: String) throws(CommandFailure) {
      guard !ok else { return }
      let place = Self.line(of: key, in: text).map { ":\($0)" } ?? ""
      throw CommandFailure("\(file)\(place): \(key) \(problem)")
    }
    if let n = network {
      if let aet = n.aet {
        try check((try? LocalEntity.validate(aeTitle: aet)) != nil, "network.aet", "is not a valid AE title")
      }
      if let p = n.listen_port { try check((1...65535).contains(p), "network.listen_port", "must be 1 to 65535") }
      if let m = n.max_associations {
        try check((1...1000).contains(m), "network.max_associations", "must be 1 to 1000")
      }
      if let m = n.max_pdu { try check((4096...16_777_216).contains(m), "network.max_pdu", "must be 4096 to 16777216") }
      if let m = n.max_object_size {
        try check(
          ByteSize.parse(m).map { $0 >= 1 << 20 } == true, "network.max_object_size",
          "wants a size from 1M to 1P such as 4G")
      }
      for aet in n.allowed_calling_aets ?? [] {
        try check(
          (try? LocalEntity.validate(aeTitle: aet)) != nil, "network.allowed_calling_aets", "has an invalid AE title")
      }
    }
    if let w = workstation {
      if let g = w.graphics {
        try check(
          ["auto", "sixel", "kitty", "iterm", "blocks", "ascii"].contains(g), "workstation.graphics",
          "must be auto, sixel, kitty, iterm, blocks or ascii")
      }
      if let b = w.budget {
        try check(ByteSize.parse(b) != nil, "workstation.budget", "wants a size from 1 byte to 1P such as 500M or 20G")
      }
      if let a = w.archive { try check(a.hasPrefix("/"), "workstation.archive", "must be an absolute path") }
    }
    if let url = audit?.syslog {
      try check(SyslogForwarder(url: url) != nil, "audit.syslog", "wants tcp://host:port or tls://host:port")
    }
    for (name, node) in nodes ?? [:] {
      let safe = name.strippingControlCharacters
      if let url = node.url {
        try check(
          node.host == nil && node.port == nil && node.aet == nil, "nodes.\(safe).url",
          "makes a DICOMweb node: leave out host, port and aet")
        do { _ = try DICOMwebEndpoint(url: url) } catch {
          try check(false, "nodes.\(safe).url", "\(error)")
        }
        try check(
          [node.password_file, node.password_env, node.token_file, node.token_env].compactMap { $0 }.count <= 1,
          "nodes.\(safe).url", "wants one secret: password_file, password_env, token_file or token_env")
        try check(
          (node.password_file == nil && node.password_env == nil) || node.username != nil, "nodes.\(safe).username",
          "is needed with a password")
        try check(
          node.retrieve == nil || node.retrieve == "get", "nodes.\(safe).retrieve",
          "must be \"get\" on a DICOMweb node (DICOMweb has no move)")
        continue
      }
      guard let host = node.host, let port = node.port, let aet = node.aet else {
        try check(false, "nodes.\(safe)", "needs host, port and aet (DIMSE), or url (DICOMweb)")
        continue
      }
      try check((1...65535).contains(port), "nodes.\(safe).port", "must be 1 to 65535")
      try check((try? LocalEntity.validate(aeTitle: aet)) != nil, "nodes.\(safe).aet", "is not a valid AE title")
      try check(!host.isEmpty && host.count <= 253, "nodes.\(safe).host", "is empty or too long")
      try check([nil, "get", "move"].contains(node.retrieve), "nodes.\(safe).retrieve", "must be \"get\" or \"move\"")
      if let pin = node.tls_pin {
        try check(
          TLSClientSettings.normalizedFingerprint(pin).count == 64, "nodes.\(safe).tls_pin",
          "wants a SHA-256 fingerprint (64 hex digits, colons allowed)")
      }
    }
  }

  static func describe(_ error: any Error) -> String {
    guard let context = decodingContext(of: error) else { return "\(error)" }
    return (codingPath(of: error).map { $0 + ": " } ?? "") + context.debugDescription
  }

}

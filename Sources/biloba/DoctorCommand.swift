import Archive
import ArgumentParser
import Audit
import DICOMNetwork
import Foundation
import Logging
import SystemIO
import TerminalGraphics

/// `biloba doctor`: checks what Biloba depends on and says, in plain words, what is right and what is
/// not: the terminal's graphics, the configuration file, the archive, and each configured node. It
/// changes nothing (the archive is only read, and not created when it does not exist yet).
struct DoctorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Check the terminal, the configuration, the archive and each node, and say what is wrong.",
    discussion: """
      One line a finding, starting with ok, note or PROBLEM; the exit status is 1 when there is a problem. \
      Nodes are checked with C-ECHO, and the time each answer took is shown.
      """)

  @OptionGroup var local: LocalOptions
  @OptionGroup var archive: ArchiveOptions

  @Flag(name: .long, inversion: .prefixedNo, help: "Probe the terminal's graphics (when there is a terminal).")
  var terminal = true

  /// A finding: what was checked, and whether it is fine.
  enum Verdict: String { case ok = "ok     ", note = "note   ", problem = "PROBLEM" }

  func run() async throws {
    var problems = 0
    func say(_ verdict: Verdict, _ subject: String, _ text: String) {
      if verdict == .problem { problems += 1 }
      StandardOutput.line("\(verdict.rawValue) \(subject): \(text)".strippingControlCharacters)
    }

    if terminal { checkTerminal(say) }
    let config = checkConfig(say)
    checkArchive(config ?? .empty, say)
    checkAudit(config ?? .empty, say)
    await checkNodes(config ?? .empty, say)
    if problems > 0 {
      StandardOutput.line("\(problems) problem\(problems == 1 ? "" : "s") found")
      throw ExitCode.failure
    }
    StandardOutput.line("no problem found")
  }

  func checkTerminal(_ say: (Verdict, String, String) -> Void) {
    guard isatty(1) != 0, isatty(0) != 0 else {
      say(
        .note, "terminal", "not a terminal here, graphics not probed (run `biloba doctor` in the terminal you read in)")
      return
    }
    let capabilities = TerminalSession.capabilities()
    let name = capabilities.replies.version ?? ProcessInfo.processInfo.environment["TERM"] ?? "unknown"
    let proto = capabilities.bestProtocol
    let quality: Verdict = proto.drawsPixels ? .ok : .note
    let advice =
      quality == .ok
      ? ""
      : capabilities.inTmux
        ? "; for full pictures, run tmux in a sixel or kitty terminal with `set -g allow-passthrough on` and start biloba with --graphics sixel or kitty"
        : "; for full pictures use a terminal with sixel or kitty graphics (xterm -ti vt340, foot, kitty, WezTerm)"
    say(
      quality, "terminal",
      "\(name): images drawn with \(proto.rawValue)\(capabilities.inTmux ? " (inside tmux)" : "")\(advice)")
    // The link's summary takes two lines on a thin link: each said as its own finding.
    for line in TerminalSession.link(inTmux: capabilities.inTmux)?.summary.split(separator: "\n") ?? [] {
      say(.ok, "terminal", String(line))
    }
  }

  func checkConfig(_ say: (Verdict, String, String) -> Void) -> BilobaConfig? {
    let path = local.config ?? BilobaConfig.defaultPath()
    guard FileManager.default.fileExists(atPath: path) else {
      if local.config != nil {
        say(.problem, "config", "\(path): no such file")
      } else {
        say(.note, "config", "no file at \(path): defaults in effect (`biloba config init` writes one)")
      }
      return nil
    }
    do {
      let config = try BilobaConfig.load(path: path)
      let nodes = config.nodes?.count ?? 0
      say(.ok, "config", "\(path) read: AE title \(config.aeTitle), \(nodes) node\(nodes == 1 ? "" : "s")")
      return config
    } catch {
      say(.problem, "config", "\(error)")
      return nil
    }
  }

  func checkArchive(_ config: BilobaConfig, _ say: (Verdict, String, String) -> Void) {
    let root = archive.root(config)
    var st = stat()
    guard stat(root, &st) == 0 else {
      say(.note, "archive", "\(root) does not exist yet: it is made on the first import or receive")
      return
    }
    guard st.st_mode & S_IFMT == S_IFDIR else {
      say(.problem, "archive", "\(root) is not a folder")
      return
    }
    if st.st_mode & 0o077 != 0 {
      say(
        .problem, "archive",
        "\(root) can be read by other users (mode \(String(st.st_mode & 0o777, radix: 8))); it holds patient data: chmod 700 \(root)"
      )
    }
    if access(root, W_OK) != 0 { say(.problem, "archive", "\(root) is not writable by this user") }
    if let free = (try? FileManager.default.attributesOfFileSystem(forPath: root))?[.systemFreeSize] as? Int {
      // Below a gigabyte a CT study or two no longer fits.
      say(free < 1 << 30 ? .problem : .ok, "archive", "\(ByteSize.describe(free)) free on its disk")
    }
    do {
      let store = try LocalArchive(root: root)
      let stats = try store.stats()
      let check = try store.quickCheck()
      say(
        check.isConsistent ? .ok : .problem, "archive",
        "\(root): \(stats.studies) studies, \(stats.instances) instances, \(ByteSize.describe(stats.storedBytes)); \(check)"
          + (check.isConsistent ? "" : " (`biloba archive check --repair` repairs it)"))
    } catch {
      say(.problem, "archive", "\(root): \(error)")
    }
  }

  func checkAudit(_ config: BilobaConfig, _ say: (Verdict, String, String) -> Void) {
    guard let log = AuditTrail.log(config, archiveRoot: archive.root(config)) else {
      say(.note, "audit", "off (enabled = false under [audit]): nothing records who opened what")
      return
    }
    if FileManager.default.fileExists(atPath: log.path) {
      var records = 0
      switch Result(catching: { () throws(AuditLog.Failure) in try log.forEach { _ in records += 1 } }) {
      case .success(let unreadable):
        say(
          unreadable == 0 ? .ok : .problem, "audit",
          "\(log.path): \(records) records" + (unreadable == 0 ? "" : ", \(unreadable) damaged lines"))
      case .failure(let failure):
        say(.problem, "audit", "\(failure)")
      }
    } else {
      say(.ok, "audit", "\(log.path) is made with the first record")
    }
    guard let forwarder = log.forwarder else { return }
    // A connection, not a record: the doctor's visit is nothing an auditor needs to read.
    let failure = forwarder.check()
    let kind = forwarder.transport == .tcp ? "" : " (TLS)"
    say(
      failure == nil ? .ok : .problem, "audit",
      "syslog server \(forwarder.host):\(forwarder.port)\(kind) "
        + (failure.map { "cannot be reached: \($0); records stay in the file alone" } ?? "takes connections"))
  }

  func checkNodes(_ config: BilobaConfig, _ say: (Verdict, String, String) -> Void) async {
    let nodes = (config.nodes ?? [:]).sorted { $0.key < $1.key }
    if nodes.isEmpty { say(.note, "nodes", "none configured (add a [nodes.NAME] table to the configuration)") }
    var logger = Logger(label: "biloba.doctor") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    for (name, settings) in nodes {
      let subject = "node \(name)"
      let start = SystemIO.monotonicSeconds()
      if settings.url != nil {
        do {
          let web = try config.dicomwebArchive(name: name, node: settings, logger: logger)
          try await web.verify()
          let ms = Int(((SystemIO.monotonicSeconds() - start) * 1000).rounded())
          say(.ok, subject, "\(web.client.endpoint) answered a study search in \(ms) ms")
        } catch {
          say(.problem, subject, "\(settings.url ?? "") did not answer a study search: \(error)")
        }
        continue
      }
      let node = config.remoteNode(settings)
      let peer = "\(node.aeTitle)@\(node.host):\(node.port)"
      do {
        let status = try await EchoCommand.echo(node, as: local.entity(config), logger: logger)
        let ms = Int(((SystemIO.monotonicSeconds() - start) * 1000).rounded())
        if status.kind == .success {
          say(.ok, subject, "\(peer) answered C-ECHO in \(ms) ms")
        } else {
          say(.problem, subject, "\(peer) answered C-ECHO with \(status) in \(ms) ms")
        }
      } catch NetworkError.protocolViolation(let what) {
        say(.problem, subject, "\(peer) answered, but not as a DICOM peer (\(what)): is this its DICOM port?")
      } catch NetworkError.associationRejected(let rejection) {
        say(
          .problem, subject,
          "\(peer) refused us (\(rejection.explanation)): does it know our AE title \(config.aeTitle) and its own, \(node.aeTitle)?"
        )
      } catch {
        say(.problem, subject, "\(peer) did not answer C-ECHO: \(error)")
      }
    }
  }
}

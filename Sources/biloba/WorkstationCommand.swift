import Archive
import ArgumentParser
import CursesUI
import DICOMNetwork
import Foundation
import Logging
import TerminalGraphics
import Workstation

/// `biloba` with no subcommand: the workstation. `biloba PATH...` imports the paths first, then opens.
struct WorkstationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "open", abstract: "The workstation: browse the local archive and read studies (the default).",
    discussion: """
      Keys are data: Keymaps/default.toml, or Keymaps/vim.toml with --keymap vim, with \
      $XDG_CONFIG_HOME/biloba/keymap.toml laid over. Press ? for every binding of the screen.
      """)

  @Argument(help: "Files or folders to import before opening.")
  var paths: [String] = []

  @OptionGroup var archive: ArchiveOptions

  @Option(
    name: .long, help: "Keymap: default, vim, or a path to a keymap file (default: workstation.keymap, else default).")
  var keymap: String?

  @Option(
    name: .long,
    help:
      "Graphics: auto (probe the terminal), sixel, kitty, iterm, blocks or ascii (default: workstation.graphics, else auto)."
  )
  var graphics: String?

  @Option(name: .long, help: "Configuration file (default: $XDG_CONFIG_HOME/biloba/config.toml).")
  var config: String?

  @Flag(
    name: .long, inversion: .prefixedNo,
    help:
      "Start with the privacy screen on (names, IDs, birth dates, accession numbers hidden; F12 toggles it; default: workstation.privacy, else off)."
  )
  var privacy: Bool?

  func validate() throws {
    if let graphics, graphics != "auto" && GraphicsProtocol(rawValue: graphics) == nil {
      throw ValidationError("--graphics must be auto, sixel, kitty, iterm, blocks or ascii")
    }
  }

  func run() throws {
    let settings = try BilobaConfig.load(path: config)
    let defaults = settings.workstation
    let store = try ArchiveOptions.open(root: archive.root(settings))
    var opening: String?
    if !paths.isEmpty {
      let summary = try Importer(archive: store).run(paths)
      // One study given: it opens at once (in the viewer when it is one series).
      if summary.studies.count == 1 { opening = summary.studies.first }
      if summary.imported + summary.duplicates == 0 && summary.failed > 0 {
        throw CommandFailure(
          "nothing could be imported from \(paths.joined(separator: " ").strippingControlCharacters)")
      }
    }
    if let budget = defaults?.budget.flatMap(ByteSize.parse) {
      _ = try? store.evict(toFit: budget)
    }
    let keys = try loadKeymap(keymap ?? settings.keymap)
    let graphics = graphics ?? settings.graphics
    let entity = LocalEntity(
      aeTitle: settings.aeTitle, maxPDULength: UInt32(settings.maxPDU))
    var logger = Logger(label: "biloba.workstation") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    let catalog = NetworkCatalog(config: settings, entity: entity, archive: store, logger: logger)
    guard isatty(1) != 0 && isatty(0) != 0 else {
      throw CommandFailure("the workstation needs a terminal (see `biloba --help` for the other commands)")
    }
    // A chosen picture protocol still needs the cell's size in pixels (xterm's are 6x13 where 10x20
    // would be assumed, and the pictures would overflow their area): the probe learns it in one round
    // trip. Characters (blocks, ASCII) need no probe.
    let chosen = GraphicsProtocol(rawValue: graphics)
    let probed = chosen.map(\.drawsPixels) ?? true
    let capabilities =
      probed
      ? TerminalSession.capabilities()
      : TerminalCapabilities(environment: ProcessInfo.processInfo.environment)
    let proto = chosen ?? capabilities.bestProtocol
    let cell = capabilities.cellPixels
    let encoder = TerminalImageEncoder(
      protocol: proto, sixel: SixelEncoder(registers: capabilities.colorRegisters),
      blocks: BlockEncoder(depth: capabilities.colorDepth),
      tmuxPassthrough: capabilities.inTmux && proto.drawsPixels && TmuxPassthrough.isAllowed())
    var model = Model()
    model.sources = ["Local"] + catalog.nodes
    model.openWhenArrived = opening
    model.privacy = privacy ?? settings.privacy
    let app = CursesApp(
      runtime: Runtime(
        archive: store, remote: catalog, audit: AuditTrail.log(settings, archiveRoot: store.store.root),
        deidentificationKeyPath: AnonymizeCommand.defaultKeyPath()),
      keymap: keys,
      graphics: .init(encoder: encoder, cell: .init(width: cell.width, height: cell.height)), model: model)
    app.run(initial: [.loadStudies(StudyQuery()), .loadUnfinishedSends], typeahead: capabilities.typeahead)
  }

  /// The chosen keymap with the user's overrides on top.
  func loadKeymap(_ keymap: String) throws -> Keymap {
    // The package's Keymaps/ (found walking up from the executable, wherever the build put it), an
    // installed PREFIX/share/biloba/Keymaps (`make install`), or the current folder.
    var roots: [String] = []
    if let home = ProcessInfo.processInfo.environment["BILOBA_HOME"] { roots.append(home) }
    // The executable's own path (argv[0] is only a name when the binary was found on PATH).
    let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
    var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<5 {
      roots.append(folder.path)
      roots.append(folder.appendingPathComponent("share/biloba").path)
      folder = folder.deletingLastPathComponent()
    }
    roots.append(FileManager.default.currentDirectoryPath)
    do {
      var keys: Keymap
      if keymap.contains("/") {
        keys = try Keymap(toml: try String(contentsOfFile: keymap, encoding: .utf8), file: keymap)
      } else {
        keys = try Keymap.shipped(keymap, searching: roots)
      }
      let user = BilobaConfig.defaultPath().replacingOccurrences(of: "config.toml", with: "keymap.toml")
      if let text = try? String(contentsOfFile: user, encoding: .utf8) {
        keys = keys.merged(with: try Keymap(toml: text, file: user))
      }
      return keys
    } catch let failure as Keymap.Failure {
      throw CommandFailure(failure.description)
    }
  }
}

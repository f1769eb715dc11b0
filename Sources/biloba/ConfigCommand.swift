import ArgumentParser
import Foundation
import SystemIO
import DICOM

/// `biloba config`: the configuration file.
struct ConfigCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config", abstract: "Write or locate the configuration file.",
    subcommands: [Init.self, Path.self])

  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Write a commented config.toml with every key at its default; never overwrites one.")

    @Option(name: .long, help: "Where to write it (default: $XDG_CONFIG_HOME/biloba/config.toml).")
    var config: String?

    func run() throws {
      let path = config ?? BilobaConfig.defaultPath()
      if let failure = SystemIO.makeParentFolders(of: path) { throw CommandFailure(failure.strippingControlCharacters) }
      // Whole or not at all, and never over a file (or a link planted in its place) that is there.
      do {
        try AtomicFile.write(Array(ConfigTemplate.text.utf8), to: path, permissions: 0o600, replacing: false)
      } catch .io(_, AtomicFile.targetExists) {
        throw CommandFailure("\(path.strippingControlCharacters): exists already; it is left as it is")
      } catch {
        throw CommandFailure("\(error)")
      }
      StandardOutput.line("wrote \(path.strippingControlCharacters)")
    }
  }

  struct Path: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "path", abstract: "Print where the configuration file is read from.")

    func run() throws { StandardOutput.line(BilobaConfig.defaultPath().strippingControlCharacters) }
  }
}

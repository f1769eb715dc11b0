import ArgumentParser
import Foundation
import SystemIO

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
      let folder = (path as NSString).deletingLastPathComponent
      if !folder.isEmpty {
        do {
          try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
          throw CommandFailure("\(folder.strippingControlCharacters): cannot create: \(error.localizedDescription)")
        }
      }
      // O_EXCL: an existing file, or a link planted in its place, is never written through.
      let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
      guard fd >= 0 else {
        let reason = errno == EEXIST ? "exists; it is left as it is" : String(cString: strerror(errno))
        throw CommandFailure("\(path.strippingControlCharacters): \(reason)")
      }
      defer { close(fd) }
      let failure = SystemIO.writeAll(fd, Array(ConfigTemplate.text.utf8))
      guard failure == 0 else {
        unlink(path)
        throw CommandFailure("\(path.strippingControlCharacters): \(String(cString: strerror(failure)))")
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

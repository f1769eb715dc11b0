import ArgumentParser
import DICOM
import Foundation

@main
struct Biloba: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "biloba",
    abstract: "A terminal radiology workstation.",
    discussion: """
      Without a subcommand, biloba opens the workstation on the local archive (biloba PATH... imports the \
      paths first): browse local and remote studies, retrieve them, and read images in the terminal with \
      sixel, kitty, iTerm2, Unicode blocks or ASCII, keyboard first; press ? for every key. The subcommands \
      read, convert, import, query, retrieve, send and receive DICOM objects from the command line.

      Files: the configuration is $XDG_CONFIG_HOME/biloba/config.toml (biloba config init writes one), the \
      keymap overrides $XDG_CONFIG_HOME/biloba/keymap.toml, and the archive $XDG_DATA_HOME/biloba. \
      biloba doctor checks all of them.
      """,
    version: bilobaVersionLine,
    subcommands: [
      DumpCommand.self, ExportCommand.self, ShowCommand.self, ProbeCommand.self, ImportCommand.self,
      StudiesCommand.self, ArchiveCommand.self, EchoCommand.self, FindCommand.self, MoveCommand.self,
      GetCommand.self, SendCommand.self, ListenCommand.self, WorkstationCommand.self, ConfigCommand.self,
      DoctorCommand.self, AuditCommand.self, AnonymizeCommand.self, MediaCommand.self, MeasurementsCommand.self,
    ],
    defaultSubcommand: WorkstationCommand.self
  )

  /// Runs the command. Every error message goes through the text-safety rule (an option's value or a
  /// file's text can carry escapes), and every failure, a usage error included, exits with status 1
  /// (or the status a command chose), never a trap.
  static func main() async {
    // A peer or a reader closing its end gives EPIPE to the write, not a signal that kills us.
    signal(SIGPIPE, SIG_IGN)
    do {
      try checkFirstArgument(Array(CommandLine.arguments.dropFirst()))
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { StandardOutput.line(message) }
        Foundation.exit(0)
      }
      if !message.isEmpty { StandardError.line(message) }
      Foundation.exit(code == .validationFailure ? 1 : code.rawValue)
    }
  }

  /// `open`, the workstation, is the default subcommand and takes paths, so a mistyped or future
  /// subcommand (`biloba anonymise --help`, a misspelt `anonymize`) would be taken for a path and open the workstation's help.
  /// A first argument that is neither a subcommand nor an existing path is an error naming the
  /// subcommands.
  static func checkFirstArgument(_ arguments: [String]) throws {
    guard let first = arguments.first, !first.hasPrefix("-") else { return }
    let names = (configuration.subcommands.map { $0._commandName }) + ["help"]
    var st = stat()
    guard !names.contains(first), lstat(first, &st) != 0 else { return }
    throw CommandFailure(
      "\(first.strippingControlCharacters) is neither a subcommand nor a file or folder; the subcommands are "
        + names.joined(separator: ", "))
  }
}

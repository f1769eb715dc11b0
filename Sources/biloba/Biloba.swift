import ArgumentParser
import DICOM
import Foundation

@main
struct Biloba: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "biloba",
    abstract: "A terminal radiology workstation.",
    version: "0.1.0",
    subcommands: [
      DumpCommand.self, ExportCommand.self, ShowCommand.self, ProbeCommand.self, ImportCommand.self,
      StudiesCommand.self, ArchiveCommand.self, EchoCommand.self, FindCommand.self, MoveCommand.self,
      GetCommand.self, SendCommand.self, ListenCommand.self, WorkstationCommand.self,
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
}

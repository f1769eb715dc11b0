import ArgumentParser

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
}

import ArgumentParser

@main
struct Biloba: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "biloba",
    abstract: "A terminal radiology workstation.",
    version: "0.1.0",
    subcommands: [
      DumpCommand.self, ExportCommand.self, ShowCommand.self, ProbeCommand.self, ImportCommand.self,
      StudiesCommand.self, ArchiveCommand.self,
    ]
  )
}

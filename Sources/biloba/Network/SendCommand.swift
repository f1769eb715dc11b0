import Archive
import ArgumentParser
import Audit
import DICOM
import DICOMNetwork
import Logging

/// `biloba send`: C-STORE files and folders to a peer, as DCMTK's storescu; objects go in the syntax they
/// are stored in.
struct SendCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "send", abstract: "Send DICOM files or folders to a peer with C-STORE.",
    discussion: "Exit status is non-zero when any object was not stored by the peer.")

  @Argument(help: "Files or folders (walked recursively).")
  var paths: [String]

  @OptionGroup var peer: PeerOptions
  @OptionGroup var local: LocalOptions

  @Option(name: .long, help: "Associations at once, each sending its share of the files (hides a long link's latency).")
  var parallel = 1

  func validate() throws {
    if !(1...16).contains(parallel) { throw ValidationError("--parallel must be 1 to 16") }
  }

  func run() async throws {
    let config = try local.loadConfig()
    let remote = try peer.remote(config, entity: local.entity(config), logger: local.logger(label: "biloba.send"))
    let files = Importer.files(under: paths)
    guard !files.isEmpty else { throw CommandFailure("send: no DICOM file to send") }
    let outcome = await remote.send(files, parallel: parallel)
    for problem in outcome.problems { StandardError.line("biloba send: \(problem)") }
    AuditTrail.record(
      AuditEvent(
        action: .send, outcome: outcome.error != nil ? .seriousFailure : outcome.failed > 0 ? .minorFailure : .success,
        source: "send", peer: .init(aeTitle: remote.name, address: remote.address), studies: outcome.studies.sorted(),
        objects: outcome.sent),
      in: AuditTrail.defaultLog(config))
    if let error = outcome.error {
      throw CommandFailure("send: \(error) (\(outcome.sent) sent before)")
    }
    StandardOutput.line("\(outcome.sent) sent, \(outcome.failed) failed")
    if outcome.failed > 0 { throw ExitCode.failure }
  }
}

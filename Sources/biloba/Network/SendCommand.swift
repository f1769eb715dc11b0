import Archive
import ArgumentParser
import DICOM
import DICOMNetwork

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

  func run() async throws {
    let config = try local.loadConfig()
    let node = try peer.resolve(config)
    var headers: [(path: String, object: StorableObject)] = []
    var failed = 0
    for path in Importer.files(under: paths) {
      do {
        // The proposal needs only the UIDs and the syntax; the bytes are read when the file is sent.
        var object = try StorableObject.load(path: path)
        object.dataset = []
        headers.append((path, object))
      } catch {
        StandardError.line("biloba send: \(path.strippingControlCharacters): \(error)")
        failed += 1
      }
    }
    guard !headers.isEmpty else { throw CommandFailure("send: no DICOM file to send") }
    let contexts = StorableObject.proposal(for: headers.map(\.object))
    guard contexts.count <= 128 else { throw CommandFailure("send: more than 128 kinds of object; send fewer at once") }
    var sent = 0
    do {
      try await Association.withAssociation(
        to: node, as: local.entity(config), contexts: contexts, logger: local.logger(label: "biloba.send")
      ) { association in
        for (path, _) in headers {
          do {
            let status = try await association.store(try StorableObject.load(path: path))
            if status.kind == .failure {
              failed += 1
              StandardError.line("biloba send: \(path.strippingControlCharacters): \(status)")
            } else {
              sent += 1
            }
          } catch let error as NetworkError {
            if case .noPresentationContext = error {
              failed += 1
              StandardError.line("biloba send: \(path.strippingControlCharacters): \(error)")
              continue
            }
            throw error
          } catch {
            failed += 1
            StandardError.line("biloba send: \(path.strippingControlCharacters): \(error)")
          }
        }
      }
    } catch let error as NetworkError {
      throw CommandFailure("send: \(error) (\(sent) sent before)")
    }
    print("\(sent) sent, \(failed) failed")
    if failed > 0 { throw ExitCode.failure }
  }
}

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
        headers.append((path, try StorableObject.load(path: path, headerOnly: true)))
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
        // The next file is read while the peer answers the current one.
        func load(_ i: Int) -> Task<Result<StorableObject, DICOMError>, Never>? {
          guard i < headers.count else { return nil }
          let path = headers[i].path
          return Task { () -> Result<StorableObject, DICOMError> in
            do throws(DICOMError) { return .success(try StorableObject.load(path: path)) } catch {
              return .failure(error)
            }
          }
        }
        var next = load(0)
        for i in headers.indices {
          let path = headers[i].path.strippingControlCharacters
          guard let loading = next else { break }
          let loaded = await loading.value
          next = load(i + 1)
          do {
            let status = try await association.store(try loaded.get())
            if status.kind == .failure {
              failed += 1
              StandardError.line("biloba send: \(path): \(status)")
            } else {
              sent += 1
            }
          } catch let error as NetworkError {
            if case .noPresentationContext = error {
              failed += 1
              StandardError.line("biloba send: \(path): \(error)")
              continue
            }
            throw error
          } catch {
            failed += 1
            StandardError.line("biloba send: \(path): \(error)")
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

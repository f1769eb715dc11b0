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
    let entity = local.entity(config)
    let logger = local.logger(label: "biloba.send")
    let paths = headers.map(\.path)
    // Files are dealt round-robin to the associations, each of which sends its share in order.
    let shares = (0..<min(parallel, paths.count)).map { k in
      stride(from: k, to: paths.count, by: parallel).map { paths[$0] }
    }
    let outcomes = await withTaskGroup(of: Share.self) { group in
      for share in shares {
        group.addTask { await Self.send(share, to: node, as: entity, contexts: contexts, logger: logger) }
      }
      var all: [Share] = []
      for await outcome in group { all.append(outcome) }
      return all
    }
    for problem in outcomes.flatMap(\.problems) { StandardError.line("biloba send: \(problem)") }
    let sent = outcomes.reduce(0) { $0 + $1.sent }
    failed += outcomes.reduce(0) { $0 + $1.failed }
    let error = outcomes.compactMap(\.error).first
    AuditTrail.record(
      AuditEvent(
        action: .send, outcome: error != nil ? .seriousFailure : failed > 0 ? .minorFailure : .success, source: "send",
        peer: .init(aeTitle: node.aeTitle, address: node.host),
        studies: Set(headers.compactMap(\.object.studyInstanceUID)).sorted(), objects: sent),
      in: AuditTrail.defaultLog(config))
    if let error {
      throw CommandFailure("send: \(error) (\(sent) sent before)")
    }
    StandardOutput.line("\(sent) sent, \(failed) failed")
    if failed > 0 { throw ExitCode.failure }
  }

  /// What one association did.
  struct Share: Sendable {
    var sent = 0
    var failed = 0
    var error: NetworkError?
    /// "path: why" for each object not stored, for the caller to say (stderr, or the workstation's line).
    var problems: [String] = []
  }

  /// C-STOREs a peer may have outstanding per association: one unless the peer agrees to a window.
  static let operations: UInt16 = 16

  /// Sends files in order on one association; the next file is read while the peer answers. When the
  /// peer agreed to an asynchronous operations window, up to that many objects are sent before their
  /// answers are awaited (answers are matched to requests by message ID).
  static func send(
    _ paths: [String], to node: RemoteNode, as entity: LocalEntity, contexts: [ProposedContext], logger: Logger
  ) async -> Share {
    var share = Share()
    do {
      try await Association.withAssociation(
        to: node, as: entity, contexts: contexts, operations: operations, logger: logger
      ) { association in
        func load(_ i: Int) -> Task<Result<StorableObject, DICOMError>, Never>? {
          guard i < paths.count else { return nil }
          let path = paths[i]
          return Task { () -> Result<StorableObject, DICOMError> in
            do throws(DICOMError) { return .success(try StorableObject.load(path: path)) } catch {
              return .failure(error)
            }
          }
        }
        var outstanding: [UInt16: String] = [:]
        func takeAnswer() async throws(NetworkError) {
          let (id, status) = try await association.storeResponse()
          guard let path = outstanding.removeValue(forKey: id) else {
            throw NetworkError.protocolViolation("a C-STORE response to a request that was not made")
          }
          if status.kind == .failure {
            share.failed += 1
            share.problems.append("\(path): \(status)")
          } else {
            share.sent += 1
          }
        }
        var next = load(0)
        for i in paths.indices {
          let path = paths[i].strippingControlCharacters
          guard let loading = next else { break }
          let loaded = await loading.value
          next = load(i + 1)
          while outstanding.count >= association.operationsWindow { try await takeAnswer() }
          do {
            outstanding[try await association.sendStore(try loaded.get())] = path
          } catch let error as NetworkError {
            if case .noPresentationContext = error {
              share.failed += 1
              share.problems.append("\(path): \(error)")
              continue
            }
            throw error
          } catch {
            share.failed += 1
            share.problems.append("\(path): \(error)")
          }
        }
        while !outstanding.isEmpty { try await takeAnswer() }
      }
    } catch let error as NetworkError {
      share.error = error
    } catch {
      share.error = .protocolViolation("\(error)")
    }
    return share
  }
}

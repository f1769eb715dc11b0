public import DICOM
public import DICOMNetwork
public import DICOMweb
import Foundation

/// A remote archive over DICOMweb: QIDO-RS for queries, WADO-RS for retrieves (as stored:
/// `transfer-syntax=*`), STOW-RS for sends. Objects come into the archive through the same
/// `ArchiveStorage` as C-STORE, with the node's name as their sender.
public struct DICOMwebArchive: RemoteArchive {
  public let client: DICOMwebClient
  /// The node's name in the configuration: the sender of what it brings.
  public let name: String
  /// When set, retrieves ask for objects in this (lossless compressed) transfer syntax, which the server
  /// transcodes to for fewer bytes on the wire; a server that cannot is asked again as stored.
  public var compressedSyntax: String?

  public init(name: String, client: DICOMwebClient, compressedSyntax: String? = nil) {
    self.name = name
    self.client = client
    self.compressedSyntax = compressedSyntax
  }

  public var address: String { client.endpoint.host }
  public var fetchNeedsSOPClasses: Bool { false }

  public func find(
    root: ServiceClasses.Root, identifier: Dataset, onMatch: (Dataset) -> QueryControl
  ) async throws -> DIMSEStatus {
    let query = try QIDOQuery(identifier: identifier)
    var cancelled = false
    _ = try await client.withSession { session in
      try await session.search(query) { match in
        guard query.accepts(match) else { return true }
        cancelled = onMatch(match) == .cancel
        return !cancelled
      }
    }
    return cancelled ? .cancel : .success
  }

  /// The server's rendering of one instance (`/rendered`, PS3.18 9.4) as a JPEG of at most `width` x
  /// `height` pixels, windowed by `window` (centre, width) or the server's default: a preview to show
  /// while the instance's pixels are on their way, a few tens of kilobytes where the object is hundreds.
  public func rendered(
    study: String, series: String, instance: String, width: Int, height: Int, window: (Double, Double)?
  ) async throws -> [UInt8] {
    guard [study, series, instance].allSatisfy(UIDSyntax.isValid) else {
      throw DICOMwebError.unsupported("a rendered instance is named by its UIDs")
    }
    var parameters = [("viewport", "\(max(16, min(4096, width))),\(max(16, min(4096, height)))")]
    if let (center, width) = window, center.isFinite, width.isFinite, width > 0 {
      parameters.append(("window", "\(center),\(width),linear"))
    }
    let path = "studies/\(study)/series/\(series)/instances/\(instance)/rendered"
    let client = self.client
    return try await client.withSession { session in
      let answer = try await session.get(
        path, parameters: parameters, accept: "image/jpeg", limit: client.maxRenderedBytes)
      guard answer.contentType.lowercased().hasPrefix("image/jpeg") else {
        throw DICOMwebError.unexpectedContentType(answer.contentType.strippingControlCharacters)
      }
      return answer.body
    }
  }

  /// Whether the service answers a search (one study asked for): DICOMweb's C-ECHO.
  public func verify() async throws {
    var probe = client
    probe.pageSize = 1
    var identifier = Dataset(byteOrder: .little)
    try identifier.set(Tag.queryRetrieveLevel, .CS, "STUDY")
    identifier.set(Element(tag: Tag.studyInstanceUID, vr: .UI, bytes: []))
    let query = try QIDOQuery(identifier: identifier)
    _ = try await probe.withSession { session in try await session.search(query) { _ in false } }
  }

  /// The WADO-RS paths of a C-MOVE/C-GET identifier: the study, a series, or each instance listed.
  static func paths(of request: Dataset) throws -> [String] {
    func uids(_ tag: Tag) throws -> [String] {
      let values = request.strings(tag) ?? []
      guard values.allSatisfy(UIDSyntax.isValid) else { throw DICOMwebError.unsupported("\(tag) is not a UID") }
      return values
    }
    guard let study = try uids(Tag.studyInstanceUID).first else {
      throw DICOMwebError.unsupported("a DICOMweb retrieve needs a study")
    }
    guard let series = try uids(Tag.seriesInstanceUID).first else { return ["studies/\(study)"] }
    let instances = try uids(Tag.sopInstanceUID)
    guard !instances.isEmpty else { return ["studies/\(study)/series/\(series)"] }
    return instances.map { "studies/\(study)/series/\(series)/instances/\($0)" }
  }

  public func fetch(
    _ requests: RequestSource, root: ServiceClasses.Root, storageClasses: [String], storage: ArchiveStorage,
    onProgress: @escaping @Sendable (SubOperationProgress) -> Void
  ) async throws -> RetrieveOutcome {
    let name = self.name
    return try await client.withSession { session in
      let storer = PartStorer(onProgress: onProgress)
      var compressedSyntax = self.compressedSyntax
      while let request = requests.next() {
        let paths = try Self.paths(of: request)
        // Instance paths tell how many are left; a series or study does not.
        let counted = paths.allSatisfy { $0.contains("/instances/") }
        for (i, path) in paths.enumerated() {
          var intake: Part10Intake?
          func retrieve(as syntax: String?) async throws {
            let accept = syntax.map(DICOMwebSession.acceptDICOM(in:)) ?? DICOMwebSession.acceptDICOM
            try await session.retrieve(path, accept: accept) { event in
              switch event {
              case .partStart:
                intake = Part10Intake(storage: storage, callingAE: name)
              case .data(let bytes):
                try intake?.append(bytes)
              case .partEnd:
                guard let whole = intake else { return }
                intake = nil
                try storer.store(whole, remaining: counted ? paths.count - i - 1 + (requests.remaining() ?? 0) : nil)
              }
            }
          }
          do {
            do { try await retrieve(as: compressedSyntax) } catch DICOMwebError.httpStatus where compressedSyntax != nil
            {
              // The server answered before any part that it cannot send this syntax (Orthanc: 500, others
              // 406): as stored, from here on.
              compressedSyntax = nil
              try await retrieve(as: nil)
            }
          } catch {
            intake?.discard()
            // Parts handed on are stored before the error goes up: nothing is written after the fetch.
            _ = try? await storer.drain()
            throw error
          }
        }
      }
      var progress = try await storer.drain()
      progress.remaining = 0
      return RetrieveOutcome(
        status: progress.failed > 0 ? .subOperationsCompleteWithFailures : .success, progress: progress)
    }
  }

  /// Objects per STOW-RS request, and the most bytes one request carries.
  static let batchCount = 32
  static let batchBytes = 64 << 20

  public func send(_ paths: [String], parallel: Int) async -> SendOutcome {
    var outcome = SendOutcome()
    do {
      try await client.withSession { session in
        var batch: [[UInt8]] = []
        var batchBytes = 0
        func flush() async throws {
          guard !batch.isEmpty else { return }
          let result = try await session.store(batch)
          outcome.sent += result.stored
          outcome.failed += batch.count - result.stored
          for failure in result.failed {
            outcome.problems.append(
              "\(failure.uid.strippingControlCharacters): refused (reason \(failure.reason.map { String($0, radix: 16) } ?? "?"))"
            )
          }
          batch = []
          batchBytes = 0
        }
        for path in paths {
          do {
            let bytes = try DICOMFile.bytes(path: path)
            // Only Part 10 objects go: the header is read from the bytes in memory.
            let header = try DICOMFile.read(bytes: bytes, options: ReadOptions(stopBeforePixelData: true))
            if let study = header.dataset.string(Tag.studyInstanceUID) { outcome.studies.insert(study) }
            if batchBytes + bytes.count > Self.batchBytes { try await flush() }
            batch.append(bytes)
            batchBytes += bytes.count
            if batch.count >= Self.batchCount { try await flush() }
          } catch let error as DICOMError {
            outcome.failed += 1
            outcome.problems.append("\(path.strippingControlCharacters): \(error)")
          }
        }
        try await flush()
      }
    } catch {
      outcome.error = "\(error)"
    }
    return outcome
  }
}

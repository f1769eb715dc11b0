public import DICOM
public import DICOMNetwork
import Synchronization

/// A remote archive as the workstation and the commands use it, whatever it speaks: DIMSE (C-FIND, C-GET
/// or C-MOVE, C-STORE; `DIMSEArchive`) or DICOMweb (QIDO-RS, WADO-RS, STOW-RS). Queries are C-FIND
/// identifiers, datasets built directly; what a retrieve brings goes through `ArchiveStorage`, the one
/// receive path into the local archive.
public protocol RemoteArchive: Sendable {
  /// Who it is in messages and the audit trail: an AE title, or a URL's host.
  var name: String { get }
  /// Where it is: a host name or address.
  var address: String { get }

  /// C-FIND semantics: the identifier's values match (wildcards, date ranges, UID lists), its empty
  /// attributes are asked for back; `onMatch` returns `.cancel` to stop.
  func find(
    root: ServiceClasses.Root, identifier: Dataset, onMatch: (Dataset) -> QueryControl
  ) async throws -> DIMSEStatus

  /// Retrieves what each request identifies (C-MOVE/C-GET identifiers) into `storage`, taking the
  /// requests one after the other on one association or session; `storageClasses` are the SOP classes a
  /// C-FIND said the objects have.
  func fetch(
    _ requests: RequestSource, root: ServiceClasses.Root, storageClasses: [String], storage: ArchiveStorage,
    onProgress: @escaping @Sendable (SubOperationProgress) -> Void
  ) async throws -> RetrieveOutcome

  /// Stores files on it, `parallel` connections at once, in the syntax each is stored in.
  func send(_ paths: [String], parallel: Int) async -> SendOutcome

  /// Whether a fetch needs the objects' SOP classes beforehand (C-GET proposes a context for each), so a
  /// retrieve lists them even when the archive holds nothing of the target.
  var fetchNeedsSOPClasses: Bool { get }

  /// The same archive asked to send objects as it stores them, when this one asks it to compress them
  /// for the wire (what the node could not compress is fetched again from it); nil otherwise.
  var asStored: (any RemoteArchive)? { get }
}

extension RemoteArchive {
  public var asStored: (any RemoteArchive)? { nil }
}

/// Requests handed out one at a time: a fixed list, or one made as the previous ends (reading order).
public struct RequestSource: Sendable {
  private let pull: @Sendable () -> Dataset?
  /// How many are left, when that is known.
  public let remaining: @Sendable () -> Int?

  public init(pull: @escaping @Sendable () -> Dataset?, remaining: @escaping @Sendable () -> Int? = { nil }) {
    self.pull = pull
    self.remaining = remaining
  }

  public func next() -> Dataset? { pull() }

  public static func list(_ requests: [Dataset]) -> RequestSource {
    let left = Mutex(requests[...])
    return RequestSource(
      pull: { left.withLock { $0.popFirst() } }, remaining: { left.withLock { $0.count } })
  }
}

/// What a send did.
public struct SendOutcome: Sendable {
  public var sent = 0
  public var failed = 0
  /// Why the whole send stopped (a connection, an association), if it did.
  public var error: String?
  /// "path: why" for each object not stored, for the caller to say (stderr, or the workstation's line).
  public var problems: [String] = []
  /// The studies of the objects read for sending (for the audit record), from the headers read anyway.
  public var studies: Set<String> = []

  public init(
    sent: Int = 0, failed: Int = 0, error: String? = nil, problems: [String] = [], studies: Set<String> = []
  ) {
    self.sent = sent
    self.failed = failed
    self.error = error
    self.problems = problems
    self.studies = studies
  }

  /// Several connections' outcomes as one.
  public static func merged(_ parts: [SendOutcome]) -> SendOutcome {
    SendOutcome(
      sent: parts.reduce(0) { $0 + $1.sent }, failed: parts.reduce(0) { $0 + $1.failed },
      error: parts.compactMap(\.error).first, problems: parts.flatMap(\.problems),
      studies: parts.reduce(into: []) { $0.formUnion($1.studies) })
  }
}

extension RetrieveOutcome {
  /// Folds the outcome of the next request into this one.
  public func merged(with next: RetrieveOutcome) -> RetrieveOutcome {
    var p = progress
    p.completed += next.progress.completed
    p.failed += next.progress.failed
    p.warning += next.progress.warning
    p.remaining = next.progress.remaining
    return RetrieveOutcome(status: next.status.kind == .success ? status : next.status, progress: p)
  }
}

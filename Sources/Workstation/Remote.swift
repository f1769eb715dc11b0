public import Archive
public import DICOMImaging

/// The remote nodes as the workstation sees them: a study list from C-FIND, and retrieval into the
/// local archive. The executable implements it with the network module; tests give a fake.
public protocol RemoteCatalog: Sendable {
  var nodes: [String] { get }
  func studies(node: String, query: StudyQuery) async throws -> [StudyQuery.Study]
  /// A study's series on the node (C-FIND at series level).
  func series(node: String, studyInstanceUID: String) async throws -> [LocalArchive.SeriesSummary]
  /// Retrieves a study (or one of its series) into the local archive, reporting progress as it goes;
  /// returns the final counts. `readingAt` says where the reader is (asked again as the retrieve goes),
  /// so that the slices they look at and their neighbours come first.
  /// `planned` hears, by series, the instances still to come, once the retrieve has listed them: the
  /// viewer shows them in their stacks before they arrive.
  func retrieve(
    node: String, studyInstanceUID: String, seriesInstanceUID: String?,
    readingAt: @escaping @Sendable () -> ReadingPosition?,
    planned: @escaping @Sendable ([String: [PendingInstance]]) -> Void,
    progress: @escaping @Sendable (JobProgress) -> Void
  ) async throws -> JobProgress
  /// Stores files on a node (C-STORE, as `biloba send`); returns the counts, and why objects failed.
  func send(node: String, files: [String]) async throws -> (JobProgress, problems: [String])
  /// A picture of one instance rendered by the node (a JPEG at most `width` x `height`, windowed by
  /// `window` or the node's default), to show while its pixels are on their way; nil when the node
  /// renders none (DIMSE).
  func preview(
    node: String, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, width: Int,
    height: Int, window: Window?
  ) async throws -> [UInt8]?
}

extension RemoteCatalog {
  public func preview(
    node: String, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, width: Int,
    height: Int, window: Window?
  ) async throws -> [UInt8]? { nil }
}

/// The slice on screen: its series, its instance number, and the way the reader scrolls (+1 or -1).
public struct ReadingPosition: Sendable, Equatable {
  public var seriesInstanceUID: String
  public var instanceNumber: Int
  public var direction: Int

  public init(seriesInstanceUID: String, instanceNumber: Int, direction: Int) {
    self.seriesInstanceUID = seriesInstanceUID
    self.instanceNumber = instanceNumber
    self.direction = direction
  }
}

/// A retrieval job's counts as the peer reports them.
public struct JobProgress: Sendable, Equatable {
  public var completed: Int
  public var failed: Int
  public var remaining: Int?
  public var finished: Bool
  public var error: String?

  public init(completed: Int = 0, failed: Int = 0, remaining: Int? = nil, finished: Bool = false, error: String? = nil)
  {
    self.completed = completed
    self.failed = failed
    self.remaining = remaining
    self.finished = finished
    self.error = error
  }

  /// "[#####-----]" while the total is known and the job runs; empty otherwise.
  public func bar(width: Int = 10) -> String {
    guard !finished, error == nil, let remaining else { return "" }
    let total = completed + failed + remaining
    guard total > 0 else { return "" }
    let done = min(width, (completed + failed) * width / total)
    return "[" + String(repeating: "#", count: done) + String(repeating: "-", count: width - done) + "] "
  }

  /// "12/24", "24 done, 1 failed", or the error.
  public var summary: String {
    if let error { return "failed: \(error)" }
    if finished { return "\(completed) done" + (failed > 0 ? ", \(failed) failed" : "") }
    let total = remaining.map { completed + failed + $0 }
    return "\(completed)" + (total.map { "/\($0)" } ?? "") + (failed > 0 ? " (\(failed) failed)" : "")
  }
}

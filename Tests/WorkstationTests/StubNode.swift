import Archive
import DICOMImaging

@testable import Workstation

/// A node for the runtime's tests: each fake gives what its test is about, and every other call answers
/// nothing (no study, no series, a retrieve and a send that end at once having moved nothing).
protocol StubNode: RemoteCatalog {}

extension StubNode {
  var nodes: [String] { ["PACS"] }
  func studies(node: String, query: StudyQuery) async throws -> [StudyQuery.Study] { [] }
  func series(node: String, studyInstanceUID: String) async throws -> [LocalArchive.SeriesSummary] { [] }
  func retrieve(
    node: String, studyInstanceUID: String, seriesInstanceUID: String?,
    readingAt: @escaping @Sendable () -> ReadingPosition?,
    planned: @escaping @Sendable ([String: [PendingInstance]]) -> Void,
    progress: @escaping @Sendable (JobProgress) -> Void
  ) async throws -> JobProgress { JobProgress(finished: true) }
  func send(node: String, files: [String]) async throws -> (JobProgress, problems: [String]) {
    (JobProgress(finished: true), [])
  }
}

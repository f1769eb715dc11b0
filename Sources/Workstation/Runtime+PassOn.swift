import Archive
import Audit
import Foundation

extension Runtime {
  /// The stored files of a local study, or of one series of it.
  func files(study: String, series: String?) throws -> [String] {
    let seriesUIDs = try series.map { [$0] } ?? archive.series(studyInstanceUID: study).map(\.seriesInstanceUID)
    var files: [String] = []
    for uid in seriesUIDs { files += try archive.instancePaths(seriesInstanceUID: uid) }
    return files
  }

  /// `:send` and `:media`: a local study or series sent as stored to a node (as `biloba send`), or a
  /// whole study written to a folder as DICOM media (as `biloba media`); audited as the commands are.
  func passOn(study: String, series: String?, to destination: Destination, post: @escaping @Sendable (Msg) -> Void)
    async
  {
    switch destination {
    case .folder(let folder):
      do {
        let summary = try MediaExport.export(studies: [study], from: archive, to: folder)
        record(
          AuditEvent(
            action: .export, source: "workstation", studies: [study], objects: summary.objects, detail: "media"),
          post: post)
        post(.notice("wrote \(summary.objects) objects and their DICOMDIR into \(folder)"))
      } catch {
        post(.failed("media: \(error)"))
      }
    case .node(let node):
      guard let remote else {
        post(.failed("no remote node is configured"))
        return
      }
      do {
        try await send(
          try files(study: study, series: series), of: study, to: node, via: remote, detail: "node \(node)",
          saying: "sent", post: post)
      } catch {
        post(.failed("send: " + "\(error)".replacingOccurrences(of: "\n", with: "; ")))
      }
    }
  }

  /// Sends files to a node, records the send in the audit trail and says how it went.
  func send(
    _ files: [String], of study: String, to node: String, via remote: any RemoteCatalog, detail: String,
    saying verb: String, post: @escaping @Sendable (Msg) -> Void
  ) async throws {
    let (sent, problems) = try await remote.send(node: node, files: files)
    record(
      AuditEvent(
        action: .send, outcome: sent.failed == 0 ? .success : .minorFailure, source: "workstation",
        studies: [study], objects: sent.completed, detail: detail), post: post)
    let failed = sent.failed == 0 ? "" : ", \(sent.failed) failed (\(problems.first ?? ""))"
    post(.notice("\(verb) \(sent.completed) objects to \(node)" + failed))
  }
}

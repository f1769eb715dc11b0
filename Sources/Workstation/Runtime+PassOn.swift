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
      var job = beginJob(.media, folder, total: nil, post: post)
      defer { post(.backgroundJob(job)) }
      do {
        let summary = try MediaExport.export(studies: [study], from: archive, to: folder)
        job.progress = JobProgress(completed: summary.objects, remaining: 0, finished: true)
        record(
          AuditEvent(
            action: .export, source: "workstation", studies: [study], objects: summary.objects, detail: "media"),
          post: post)
        post(.notice("wrote \(summary.objects) objects and their DICOMDIR into \(folder)"))
      } catch {
        job.progress = JobProgress(finished: true, error: "\(error)")
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

  /// Sends files to a node as a job (progress, cancel, resume: Runtime+Jobs.swift), records the send in
  /// the audit trail and says how it went.
  func send(
    _ files: [String], of study: String, to node: String, via remote: any RemoteCatalog, detail: String,
    saying verb: String, resumable: Bool = true, job: BackgroundJob? = nil, sendRecord: String? = nil,
    post: @escaping @Sendable (Msg) -> Void
  ) async throws {
    let (sent, problems) = try await sendAsJob(
      files, of: study, to: node, via: remote, detail: detail, resumable: resumable, job: job, record: sendRecord,
      post: post)
    // A resumed send counts what it sent now, and says the whole job's count beside it.
    let before = job?.progress.completed ?? 0
    let now = sent.completed - before
    record(
      AuditEvent(
        action: .send, outcome: sent.failed == 0 && sent.error == nil ? .success : .minorFailure,
        source: "workstation", studies: [study], objects: now, detail: detail), post: post)
    let failed =
      sent.error.map { ", then stopped: \($0)" + (sent.remaining.map { " (\($0) left: J, then Enter resumes)" } ?? "") }
      ?? (sent.failed == 0 ? "" : ", \(sent.failed) failed (\(problems.first ?? ""))")
    let whole = before > 0 ? " (\(sent.completed) in all)" : ""
    post(.notice("\(verb) \(now) objects to \(node)" + whole + failed))
  }
}

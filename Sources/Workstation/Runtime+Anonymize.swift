import Archive
import Audit
import Deidentification
import Foundation
import Synchronization

extension Runtime {
  /// `:anonymize`: a local study or series de-identified by the basic profile, into a folder or onto a
  /// node (written to a private folder in the archive, sent, and removed). The same run as
  /// `biloba anonymize`: nothing is written unless every object can be; burned-in images are refused
  /// (the command line's `--blank` and `--allow-burned-in` are for those).
  func anonymize(
    study: String, series: String?, to target: Destination, post: @escaping @Sendable (Msg) -> Void
  ) async {
    guard let keyPath = deidentificationKeyPath else {
      post(.failed("de-identification is off: no key file"))
      return
    }
    do {
      let files = try self.files(study: study, series: series)
      let run = DeidentificationRun(
        deidentifier: Deidentifier(
          settings: DeidentificationSettings(), key: try PseudonymKey.loadOrCreate(path: keyPath)))
      switch target {
      case .folder(let folder):
        let summary = try run.run(files: files, into: folder)
        record(
          AuditEvent(action: .anonymize, source: "workstation", studies: [study], objects: summary.written.count),
          post: post)
        post(.notice("de-identified \(summary.written.count) objects into \(folder)"))
      case .node(let node):
        guard let remote else {
          post(.failed("no remote node is configured"))
          return
        }
        // Staged inside the archive's own folder (0700), never in a shared temporary one.
        let staging = archive.store.root + "/.anonymize-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
          atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        // What the send says is said once the staged copies are gone: whoever hears "sent" finds none left.
        let said = Mutex<[Msg]>([])
        defer {
          try? FileManager.default.removeItem(atPath: staging)
          for msg in said.withLock({ $0 }) { post(msg) }
        }
        let summary = try run.run(files: files, into: staging)
        record(
          AuditEvent(
            action: .anonymize, source: "workstation", studies: [study], objects: summary.written.count,
            detail: "for node \(node)"), post: post)
        try await send(
          summary.written, of: study, to: node, via: remote, detail: "de-identified, node \(node)",
          saying: "de-identified and sent", resumable: false,
          post: { msg in
            // The job's progress shows as it goes; what is said of the outcome waits for the clean-up.
            if case .backgroundJob = msg { post(msg) } else { said.withLock { $0.append(msg) } }
          })
      }
    } catch {
      post(.failed("anonymize: " + "\(error)".replacingOccurrences(of: "\n", with: "; ")))
    }
  }
}

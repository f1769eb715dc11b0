/// Background work other than retrievals (those are `Model.jobs`, by study): sends, media, de-identified
/// copies. The runtime numbers each and reports it as it goes; the jobs screen lists both kinds.
public struct BackgroundJob: Sendable, Equatable {
  public enum Kind: String, Sendable { case send, media, anonymize }

  public var id: Int
  public var kind: Kind
  /// What it works on and where to: "study 1.2.3 to PACS", "/tmp/cd".
  public var what: String
  public var progress: JobProgress
  /// Objects not yet confirmed by the node, when the job stopped before the end: Enter sends them.
  public var resumable = false

  public init(id: Int, kind: Kind, what: String, progress: JobProgress = JobProgress(), resumable: Bool = false) {
    self.id = id
    self.kind = kind
    self.what = what
    self.progress = progress
    self.resumable = resumable
  }
}

/// One line of the jobs screen: a retrieval (by study) or a background job.
public struct JobRow: Sendable, Equatable {
  public enum Source: Sendable, Equatable {
    case retrieval(studyInstanceUID: String)
    case background(id: Int)
  }
  public var source: Source
  public var kind: String
  public var what: String
  public var progress: JobProgress
  public var resumable: Bool
}

extension Model {
  /// Every job, running ones first; sends and exports newest first, then retrievals.
  public var jobRows: [JobRow] {
    let retrievals = jobs.map { uid, progress in
      let study =
        (studies.first { $0.studyInstanceUID == uid } ?? history.first { $0.study.studyInstanceUID == uid }?.study)
      let label = study.map { "\($0.description) \($0.studyDate)" } ?? uid
      return JobRow(
        source: .retrieval(studyInstanceUID: uid), kind: "retrieve",
        what: label + (retrievingFrom[uid].map { " from \($0)" } ?? ""), progress: progress, resumable: false)
    }.sorted { $0.what < $1.what }
    let others = backgroundJobs.reversed().map {
      JobRow(
        source: .background(id: $0.id), kind: $0.kind.rawValue, what: $0.what, progress: $0.progress,
        resumable: $0.resumable)
    }
    let all = others + retrievals
    return all.filter { !$0.progress.finished } + all.filter(\.progress.finished)
  }

  /// Jobs still running, for the status line's count.
  public var runningJobs: Int {
    jobs.values.filter { !$0.finished }.count + backgroundJobs.filter { !$0.progress.finished }.count
  }
}

/// The jobs screen as text: kind, what, progress and errors, the selected one marked.
enum JobsScreen {
  static func lines(_ model: Model, width: Int, height: Int) -> [String] {
    let rows = model.jobRows
    var out = [
      "Jobs  \(model.runningJobs) running, \(rows.count) in all  (x cancels; Enter resumes an interrupted send)",
      "  " + ScreenText.column("Kind", 10) + ScreenText.column("What", 46) + "Progress",
    ]
    guard !rows.isEmpty else { return out + ["  no job yet: retrievals, sends and media exports show here"] }
    let listed = max(1, height - out.count)
    let start = max(0, min(model.jobIndex - listed / 2, rows.count - listed))
    for (i, row) in rows.enumerated().dropFirst(start).prefix(listed) {
      let state = (row.resumable ? "Enter resumes; " : "") + row.progress.bar() + row.progress.summary
      out.append(
        (i == model.jobIndex ? "> " : "  ") + ScreenText.column(row.kind, 10) + ScreenText.column(row.what, 46)
          + state)
    }
    return out
  }
}

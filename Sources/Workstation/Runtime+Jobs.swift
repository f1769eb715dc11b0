import Archive
import Audit
import Synchronization

/// What an interrupted send has left: the files not confirmed by the node, and where they go.
struct UnsentFiles: Sendable {
  var files: [String]
  var study: String
  var node: String
  var detail: String
  var job: BackgroundJob
  /// Its record in the archive's index (what survives a restart).
  var record: String?
}

extension UnsentFiles {
  /// What an earlier session left unsent, as a resumable send of this one.
  init(_ send: LocalArchive.UnfinishedSend, job: BackgroundJob) {
    self.init(files: send.files, study: send.study, node: send.node, detail: send.detail, job: job, record: send.id)
  }
}

extension Runtime {
  /// A new job's number (from 1), and the message that shows it begun.
  func beginJob(_ kind: BackgroundJob.Kind, _ what: String, total: Int?, post: @Sendable (Msg) -> Void)
    -> BackgroundJob
  {
    let id = jobNumbers.withLock {
      $0 += 1
      return $0
    }
    let job = BackgroundJob(id: id, kind: kind, what: what, progress: JobProgress(remaining: total))
    post(.backgroundJob(job))
    return job
  }

  /// Objects a send hands to one association: enough to keep the link busy, few enough that progress
  /// moves and an interruption leaves little to send again.
  static func sendBatch(of total: Int) -> Int { min(64, max(8, total / 20)) }

  /// Sends files to a node in batches as a job: progress after each, stopped between batches when the
  /// reader cancels it, and what was not confirmed kept for a resume (`resumable`: the files stay where
  /// they are). Returns the counts and the problems the node gave.
  func sendAsJob(
    _ files: [String], of study: String, to node: String, via remote: any RemoteCatalog, detail: String,
    resumable: Bool, job started: BackgroundJob? = nil, record known: String? = nil,
    post: @escaping @Sendable (Msg) -> Void
  ) async throws -> (JobProgress, problems: [String]) {
    var job = started ?? beginJob(.send, studyLabel(study) + " to \(node)", total: files.count, post: post)
    // Noted in the index first, so that quitting mid-send leaves it to resume (a record that cannot be
    // made costs only that).
    let record =
      resumable ? (known ?? (try? archive.beginSend(node: node, study: study, detail: detail, files: files))) : nil
    let done = job.progress.completed
    var sent = JobProgress(completed: done, remaining: files.count)
    var problems: [String] = []
    var left = files[...]
    var stopped: String?
    let batch = Self.sendBatch(of: files.count)
    while !left.isEmpty {
      if cancelledJobs.withLock({ $0.remove(job.id) != nil }) {
        stopped = "cancelled"
        break
      }
      let part = Array(left.prefix(batch))
      let outcome: JobProgress
      do {
        let (answer, said) = try await remote.send(node: node, files: part)
        outcome = answer
        problems += said
      } catch {
        // The node could not be reached or broke the association: the batch is sent again on resume.
        sent.failed += part.count
        stopped = "\(error)".replacingOccurrences(of: "\n", with: "; ")
        break
      }
      // A batch counts as sent only when the node took all of it; otherwise it is sent again on resume.
      guard outcome.failed == 0, outcome.error == nil else {
        sent.failed += part.count
        stopped = outcome.error ?? "\(outcome.failed) refused" + (problems.first.map { " (\($0))" } ?? "")
        break
      }
      sent.completed += outcome.completed
      if let record { try? archive.confirmSent(record, files: part) }
      left = left.dropFirst(part.count)
      sent.remaining = left.count
      job.progress = sent
      post(.backgroundJob(job))
    }
    sent.remaining = left.count
    sent.finished = true
    sent.error = stopped
    job.progress = sent
    job.resumable = resumable && !left.isEmpty
    if job.resumable {
      unsent.withLock {
        $0[job.id] = UnsentFiles(
          files: Array(left), study: study, node: node, detail: detail, job: job, record: record)
      }
    }
    post(.backgroundJob(job))
    return (sent, problems)
  }

  /// A study as a job names it: its description and date, else its UID.
  func studyLabel(_ uid: String) -> String {
    var query = StudyQuery()
    query.studyInstanceUID = uid
    guard let study = try? query.run(on: archive).first else { return "study \(uid)" }
    return [study.description, study.studyDate].filter { !$0.isEmpty }.joined(separator: " ")
  }

  /// Sends a previous session left unfinished, as jobs to resume (Enter on the jobs screen).
  func unfinishedSends() throws -> [Msg] {
    let sends = try archive.unfinishedSends()
    guard !sends.isEmpty else { return [] }
    var msgs: [Msg] = []
    for send in sends {
      let id = jobNumbers.withLock {
        $0 += 1
        return $0
      }
      var job = BackgroundJob(id: id, kind: .send, what: studyLabel(send.study) + " to \(send.node)")
      job.progress = JobProgress(
        remaining: send.files.count, finished: true, error: "stopped before the end in an earlier session")
      job.resumable = true
      unsent.withLock {
        $0[id] = UnsentFiles(send, job: job)
      }
      msgs.append(.backgroundJob(job))
    }
    let n = sends.count
    return msgs + [
      .notice("\(n) send\(n == 1 ? "" : "s") stopped before the end last time: J, then Enter resumes")
    ]
  }

  /// Stops a running send between its batches.
  func cancelJob(_ id: Int, post: @Sendable (Msg) -> Void) {
    // A send that stopped before the end: its rest given up, here and in the index.
    if let left = unsent.withLock({ $0.removeValue(forKey: id) }) {
      if let record = left.record { try? archive.confirmSent(record, files: left.files) }
      var job = left.job
      job.resumable = false
      post(.backgroundJob(job))
      post(.notice("the rest of the send is given up: \(left.files.count) objects were not sent"))
      return
    }
    cancelledJobs.withLock { _ = $0.insert(id) }
    post(.notice("job \(id) stops after the batch under way"))
  }

  /// Sends what an interrupted send left, as the same job.
  func resumeJob(_ id: Int, post: @escaping @Sendable (Msg) -> Void) async {
    guard let remote, let left = unsent.withLock({ $0.removeValue(forKey: id) }) else {
      post(.failed("job \(id) has nothing left to send"))
      return
    }
    var job = left.job
    job.progress = JobProgress(completed: job.progress.completed, remaining: left.files.count)
    job.resumable = false
    post(.backgroundJob(job))
    do {
      try await send(
        left.files, of: left.study, to: left.node, via: remote, detail: left.detail + ", resumed", saying: "sent",
        resumable: true, job: job, sendRecord: left.record, post: post)
    } catch {
      post(.failed("send: " + "\(error)".replacingOccurrences(of: "\n", with: "; ")))
    }
  }
}

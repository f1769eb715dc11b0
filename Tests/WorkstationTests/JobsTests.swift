import Archive
import DICOM
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Workstation

/// The jobs view: every retrieval and send with its progress, a count on the status line, `x` cancels,
/// and a send the node broke off resumes where it stopped, so every object arrives.
@Suite struct JobsTests {
  /// A node that takes objects in batches and breaks off one batch (the `failing`-th), as a link that
  /// drops does.
  final class FlakyNode: StubNode, Sendable {
    let received = Mutex<[String]>([])
    let batches = Mutex(0)
    let failing: Int
    init(failing: Int) { self.failing = failing }
    func send(node: String, files: [String]) async throws -> (JobProgress, problems: [String]) {
      let n = batches.withLock {
        $0 += 1
        return $0
      }
      if n == failing {
        // Half the batch got there before the association broke.
        received.withLock { $0 += files.prefix(files.count / 2) }
        return (JobProgress(completed: files.count / 2, finished: true, error: "the peer closed the connection"), [])
      }
      received.withLock { $0 += files }
      return (JobProgress(completed: files.count, remaining: 0, finished: true), [])
    }
  }

  /// The bundled samples in an archive of their own (kept while `dir` lives), and their first study.
  static func samples() throws -> (dir: TemporaryDirectory, archive: LocalArchive, study: StudyQuery.Study) {
    let dir = try TemporaryDirectory()
    let archive = try AnonymizeActionTests.archiveWithSamples(dir)
    return (dir, archive, try #require(try StudyQuery().run(on: archive).first))
  }

  /// Runs a background effect and applies what it posted, once it has said how the work went (4 s at most).
  static func run(_ runtime: Runtime, _ effect: Effect, into m: inout Model, keymap: Keymap) async throws {
    let posted = Mutex<[Msg]>([])
    runtime.performInBackground(effect) { msg in posted.withLock { $0.append(msg) } }
    for _ in 0..<400 {
      if posted.withLock({ $0.contains { if case .notice = $0 { true } else { false } } }) { break }
      try await Task.sleep(for: .milliseconds(10))
    }
    for msg in posted.withLock({ $0 }) { _ = update(&m, msg, keymap: keymap) }
  }

  @Test func a_send_broken_off_resumes_with_what_was_not_confirmed_and_every_object_arrives() async throws {
    let keymap = try UpdateTests.keymap("default")
    let (_dir, archive, study) = try Self.samples()
    let node = FlakyNode(failing: 2)
    let runtime = Runtime(archive: archive, remote: node)
    var m = Model()
    m.size = (160, 30)
    m.studies = [study]
    func run(_ effect: Effect) async throws { try await Self.run(runtime, effect, into: &m, keymap: keymap) }
    try await run(.passOn(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: nil, to: .node("PACS")))
    let batch = Runtime.sendBatch(of: study.instanceCount)
    #expect(
      m.status == "sent \(batch) objects to PACS, then stopped: the peer closed the connection "
        + "(\(study.instanceCount - batch) left: J, then Enter resumes)", "\(m.status)")
    #expect(m.backgroundJobs.count == 1 && m.backgroundJobs[0].resumable)

    // The jobs screen lists it, stopped, with what it sent; Enter resumes it as the same job.
    _ = update(&m, .key("J"), keymap: keymap)
    #expect(m.screen == .jobs)
    let lines = ScreenText.lines(m, keymap: keymap)
    #expect(lines.contains { $0.hasPrefix("> send") && $0.contains("Enter resumes; ") }, "\(lines.prefix(4))")
    let resume = update(&m, .key("Enter"), keymap: keymap)
    #expect(resume == [.resumeJob(id: m.backgroundJobs[0].id)])
    try await run(resume[0])
    #expect(
      m.status == "sent \(study.instanceCount - batch) objects to PACS (\(study.instanceCount) in all)", "\(m.status)")
    #expect(m.backgroundJobs.count == 1 && m.backgroundJobs[0].progress.completed == study.instanceCount)
    #expect(!m.backgroundJobs[0].resumable && m.backgroundJobs[0].progress.error == nil)
    let stored = Set(
      try archive.series(studyInstanceUID: study.studyInstanceUID).flatMap {
        try archive.instancePaths(seriesInstanceUID: $0.seriesInstanceUID)
      })
    #expect(Set(node.received.withLock { $0 }) == stored, "every object arrived")
    _ = update(&m, .key("Esc"), keymap: keymap)
    #expect(m.screen == .studies)
  }

  @Test func a_send_broken_off_resumes_after_a_restart_and_one_given_up_is_not_offered_again() async throws {
    let keymap = try UpdateTests.keymap("default")
    let (_dir, archive, study) = try Self.samples()
    let node = FlakyNode(failing: 1)
    func run(_ runtime: Runtime, _ effect: Effect, into m: inout Model) async throws {
      try await Self.run(runtime, effect, into: &m, keymap: keymap)
    }
    var m = Model()
    try await run(
      Runtime(archive: archive, remote: node),
      .passOn(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: nil, to: .node("PACS")), into: &m)
    #expect(m.status.contains("then stopped"), "\(m.status)")

    // The workstation quits; the next one offers the send again, and resumes it with what was unconfirmed.
    let next = Runtime(archive: archive, remote: node)
    m = Model()
    for msg in next.perform(.loadUnfinishedSends, model: m) { _ = update(&m, msg, keymap: keymap) }
    #expect(m.status == "1 send stopped before the end last time: J, then Enter resumes", "\(m.status)")
    let job = try #require(m.backgroundJobs.first)
    #expect(job.resumable && job.progress.remaining == study.instanceCount)
    try await run(next, .resumeJob(id: job.id), into: &m)
    #expect(m.status == "sent \(study.instanceCount) objects to PACS", "\(m.status)")
    let stored = Set(
      try archive.series(studyInstanceUID: study.studyInstanceUID).flatMap {
        try archive.instancePaths(seriesInstanceUID: $0.seriesInstanceUID)
      })
    #expect(stored.isSubset(of: Set(node.received.withLock { $0 })), "every object arrived")
    #expect(try archive.unfinishedSends().isEmpty, "nothing left to offer")

    // Broken off again and given up with x: not offered after a restart.
    let flaky = FlakyNode(failing: 1)
    m = Model()
    let third = Runtime(archive: archive, remote: flaky)
    try await run(
      third, .passOn(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: nil, to: .node("PACS")), into: &m)
    _ = update(&m, .key("J"), keymap: keymap)
    let giveUp = update(&m, .key("x"), keymap: keymap)
    #expect(giveUp == [.cancelJob(id: try #require(m.backgroundJobs.first?.id))])
    try await run(third, giveUp[0], into: &m)
    #expect(m.status.hasPrefix("the rest of the send is given up"), "\(m.status)")
    let left = try archive.unfinishedSends()
    #expect(left.isEmpty, "\(left.map { ($0.id, $0.files.count) }) \(m.backgroundJobs)")
  }

  @Test func running_jobs_are_counted_on_the_status_line_and_x_cancels_the_selected_one() throws {
    let keymap = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.jobs["1.2.9"] = JobProgress(completed: 3, remaining: 7)
    _ = update(
      &m,
      .backgroundJob(
        BackgroundJob(id: 1, kind: .send, what: "study 1.2.1 to PACS", progress: JobProgress(remaining: 4))),
      keymap: keymap)
    _ = update(
      &m,
      .backgroundJob(
        BackgroundJob(
          id: 2, kind: .media, what: "/tmp/cd", progress: JobProgress(completed: 24, remaining: 0, finished: true))),
      keymap: keymap)
    #expect(ScreenText.lines(m, keymap: keymap).last?.hasSuffix("2 jobs") == true)
    _ = update(&m, .key("J"), keymap: keymap)
    let lines = ScreenText.lines(m, keymap: keymap)
    #expect(lines[0].hasPrefix("Jobs  2 running, 3 in all"), "\(lines[0])")
    #expect(lines.contains { $0.contains("media") && $0.contains("24 done") })
    // Running first: the send, then the retrieval.
    #expect(update(&m, .key("x"), keymap: keymap) == [.cancelJob(id: 1)])
    _ = update(&m, .key("Down"), keymap: keymap)
    #expect(update(&m, .key("x"), keymap: keymap) == [.cancelRetrieve(studyInstanceUID: "1.2.9")])
    _ = update(&m, .key("Down"), keymap: keymap)
    #expect(update(&m, .key("x"), keymap: keymap).isEmpty && m.status == "the job has ended already")
    _ = update(&m, .key("Esc"), keymap: keymap)
    #expect(m.screen == .viewer)
  }
}

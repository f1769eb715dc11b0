import DICOM
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Objects received over the network on their way into the store. A received object is written whole to
/// `incoming/<uuid>-<size>.part` (one file creation on the receiving path; the size in the name tells a
/// complete file from one cut short, so a killed process loses nothing that was acknowledged), and a
/// background flusher makes batches of them durable: one filesystem sync
/// for the batch's data, the renames into `objects/`, one sync for the renames, then one index
/// transaction. `flush()` waits until everything staged before it is on disk and indexed: an
/// association's release waits for it, so a peer that sees the release knows its objects are durable.
/// The disk's flush latency is paid once per batch instead of once per object.
public final class ReceiveJournal: @unchecked Sendable {
  struct Staged {
    var sequence: Int
    var pendingPath: String
    var record: InstanceRecord
    var size: Int
    var source: String
    var replaces = false
  }

  private let store: FileStore
  /// Indexes a committed batch; the archive passes itself weakly so the journal does not keep it alive.
  private let index: @Sendable ([LocalArchive.Entry]) throws -> [Bool]
  let directory: String
  /// Instances staged and not yet indexed, by SOP Instance UID: a second copy arriving meanwhile is
  /// compared with this one.
  private var staged: [String: String] = [:]
  private let condition = NSCondition()
  private var queue: [Staged] = []
  private var nextSequence = 1
  private var durableThrough = 0
  private var failures: [String] = []
  private var waiters: [(Int, CheckedContinuation<[String], Never>)] = []
  private var flusherStarted = false

  static let partSuffix = ".part"
  /// How long a batch gathers objects while they arrive, and how many it takes at most.
  static let gathering: TimeInterval = 0.1
  static let largestBatch = 512

  init(store: FileStore, index: @escaping @Sendable ([LocalArchive.Entry]) throws -> [Bool]) throws(ArchiveError) {
    self.store = store
    self.index = index
    directory = store.root + "/incoming"
    try FileStore.makeDirectory(directory)
  }

  /// Takes a complete received file that passed every check, marks it whole (recovery keeps it from now
  /// on, so only checked objects are ever marked) and queues it for the flusher: no directory operation
  /// on the C-STORE's path (a rename there waited on the flusher's filesystem syncs). `replaces`: it takes
  /// the place of the instance the archive holds under its SOP Instance UID.
  func enqueue(_ file: IncomingFile, record: InstanceRecord, replaces: Bool) throws(ArchiveError) {
    do { try file.markWhole() } catch {
      file.discard()
      throw error
    }
    file.finishWriting()
    let pending = file.path
    file.handedOver = true
    condition.lock()
    queue.append(
      Staged(
        sequence: nextSequence, pendingPath: pending, record: record, size: file.size,
        source: LocalArchive.networkSource(callingAE: file.callingAE), replaces: replaces))
    staged[record.sopInstanceUID] = pending
    nextSequence += 1
    if !flusherStarted {
      flusherStarted = true
      let thread = Thread { [self] in runFlusher() }
      thread.name = "biloba.receive-flusher"
      thread.start()
    }
    condition.signal()
    condition.unlock()
  }

  /// The pending file of an instance staged and not yet indexed.
  func stagedPath(of sopInstanceUID: String) -> String? {
    condition.lock()
    defer { condition.unlock() }
    return staged[sopInstanceUID]
  }

  /// Waits until every object staged before this call is durable and indexed. Returns what failed since
  /// the last flush (empty when all went well).
  public func flush() async -> [String] {
    let target = currentTarget()
    return await withCheckedContinuation { continuation in
      if let done = waitOrReport(target, continuation) { continuation.resume(returning: done) }
    }
  }

  private func currentTarget() -> Int {
    condition.lock()
    defer { condition.unlock() }
    return nextSequence - 1
  }

  /// The failures when `target` is already durable; otherwise registers the waiter and returns nil.
  private func waitOrReport(_ target: Int, _ continuation: CheckedContinuation<[String], Never>) -> [String]? {
    condition.lock()
    defer { condition.unlock() }
    guard durableThrough >= target else {
      waiters.append((target, continuation))
      condition.signal()
      return nil
    }
    let f = failures
    failures = []
    return f
  }

  /// Commits batches until the queue has stayed empty for a second, then ends (a new stage restarts it).
  private func runFlusher() {
    while true {
      condition.lock()
      while queue.isEmpty {
        if !condition.wait(until: Date().addingTimeInterval(1)) && queue.isEmpty {
          flusherStarted = false
          condition.unlock()
          return
        }
      }
      // Gather a batch: while objects keep arriving, one disk flush then covers many of them. A flush
      // syncs the whole filesystem, and the receive's writes beside it slow to half their speed, so the
      // batch waits a tenth of a second unless someone waits on it (a release, a reader, the end).
      let gatherUntil = Date().addingTimeInterval(Self.gathering)
      while queue.count < Self.largestBatch && waiters.isEmpty && condition.wait(until: gatherUntil) {}
      let batch = queue
      queue.removeAll()
      condition.unlock()
      let failed = commit(batch)
      condition.lock()
      for item in batch where staged[item.record.sopInstanceUID] == item.pendingPath {
        staged[item.record.sopInstanceUID] = nil
      }
      durableThrough = batch.last?.sequence ?? durableThrough
      failures += failed
      let ready = waiters.filter { $0.0 <= durableThrough }
      waiters.removeAll { $0.0 <= durableThrough }
      let report = ready.isEmpty ? [] : failures
      if !ready.isEmpty { failures = [] }
      condition.unlock()
      for (_, continuation) in ready { continuation.resume(returning: report) }
    }
  }

  /// Makes a batch durable and indexes it. The rows go in before the files move, so a crash between
  /// the two leaves the `.part` files in `incoming/`, and recovery files them again (replacing the rows
  /// whose files never arrived): nothing acknowledged is ever only an orphan file.
  func commit(_ batch: [Staged]) -> [String] {
    // A copy replaced by a later one of the same batch never reaches the store.
    var last: [String: Int] = [:]
    for (i, item) in batch.enumerated() { last[item.record.sopInstanceUID] = i }
    let batch = batch.enumerated().filter { i, item in
      let later = last[item.record.sopInstanceUID] ?? i
      guard later != i, batch[later].replaces else { return true }
      unlink(item.pendingPath)
      return false
    }.map(\.element)
    syncFilesystem(of: directory)
    var placed: [(from: String, to: String)] = []
    var entries: [LocalArchive.Entry] = []
    var failed: [String] = []
    for item in batch {
      do {
        let relative = try store.reserve()
        placed.append((item.pendingPath, store.absolute(relative)))
        entries.append(
          LocalArchive.Entry(
            record: item.record, path: relative, linked: false, size: item.size, source: item.source,
            replaces: item.replaces))
      } catch {
        failed.append("\(error)")
      }
    }
    let added: [Bool]
    do {
      added = try index(entries)
    } catch {
      // Nothing moves: the objects stay in incoming/ for the next recovery.
      return failed + ["\(error)"]
    }
    for ((from, to), wasAdded) in zip(placed, added) {
      // A copy the index already had (two identical copies raced): the first one stays.
      if !wasAdded {
        unlink(from)
        continue
      }
      if rename(from, to) != 0 { failed.append("\(to): \(String(cString: strerror(errno)))") }
    }
    // The renames are durable once the filesystem's metadata is.
    syncFilesystem(of: directory)
    return failed
  }

  private func syncFilesystem(of path: String) { _ = SystemIO.syncFileSystem(holding: path) }

  /// After a crash: partial files are removed, complete pending ones are committed. Returns how many
  /// objects were recovered.
  func recover() -> Int {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
    var batch: [Staged] = []
    for name in names {
      let path = directory + "/" + name
      if name.hasPrefix(AtomicFile.temporaryPrefix) {
        unlink(path)
        continue
      }
      // Whole only if marked so with its size (or, from older versions, with the size its name promises).
      let actual = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
      let whole: Bool
      if name.hasSuffix(IncomingFile.suffix) {
        whole = IncomingFile.isWhole(path)
      } else if name.hasSuffix(Self.partSuffix) {
        whole = name.dropLast(Self.partSuffix.count).split(separator: "-").last.flatMap { Int($0) } == actual
      } else {
        continue
      }
      guard whole,
        let file = try? DICOMFile.read(path: path, options: ReadOptions(stopBeforePixelData: true)),
        let record = InstanceRecord(file: file)
      else {
        unlink(path)
        continue
      }
      let size = actual
      let source =
        file.meta.string(.sourceApplicationEntityTitle).map { LocalArchive.networkSource(callingAE: $0) } ?? "dicom:"
      // It passed the duplicate check before the crash, and its row may be in the index already (rows go
      // in before files move): it takes that row's place.
      batch.append(
        Staged(sequence: 0, pendingPath: path, record: record, size: size, source: source, replaces: true))
    }
    guard !batch.isEmpty else { return 0 }
    return batch.count - commit(batch).count
  }
}

import DICOMNetwork
import Dispatch
import Synchronization

/// The whole parts of a WADO-RS answer stored in the order they came, on a queue of their own, while the
/// connection reads the next ones: the archive's checks and journal for one object overlap the next
/// object's bytes (done in line, they were a seventh of a study's retrieve from Orthanc on loopback).
final class PartStorer: Sendable {
  private struct State: Sendable {
    var progress = SubOperationProgress()
    var failure: (any Error)?
  }

  private let queue = DispatchQueue(label: "biloba.wado-rs.store")
  private let state = Mutex(State())
  private let onProgress: @Sendable (SubOperationProgress) -> Void

  init(onProgress: @escaping @Sendable (SubOperationProgress) -> Void) {
    self.onProgress = onProgress
  }

  /// Stores `part` after those handed before it; `remaining` is what is left once it is stored. Throws
  /// what an earlier part's store threw, so the answer is not read on for nothing.
  func store(_ part: Part10Intake, remaining: Int?) throws {
    if let failure = state.withLock({ $0.failure }) { throw failure }
    queue.async { [self] in
      do {
        let status = try part.finish()
        let progress = state.withLock { state in
          if status.kind == .failure { state.progress.failed += 1 } else { state.progress.completed += 1 }
          state.progress.remaining = remaining
          return state.progress
        }
        onProgress(progress)
      } catch {
        state.withLock { $0.failure = $0.failure ?? error }
      }
    }
  }

  /// Waits until every part handed so far is stored: the counts, or what a store threw.
  func drain() async throws -> SubOperationProgress {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in queue.async { done.resume() } }
    let state = state.withLock { $0 }
    if let failure = state.failure { throw failure }
    return state.progress
  }
}

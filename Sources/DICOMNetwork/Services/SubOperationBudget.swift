/// Bounds on what a C-MOVE or C-GET peer may send back: the sub-operations it announces in its first
/// counted response (remaining + completed + failed + warning) fix the total; no later response may
/// announce more, there are at most as many pending responses as sub-operations (plus one), and a
/// C-GET brings at most as many objects. A peer that announces nothing is held to `fallback`. So a
/// flood of pending responses or C-STOREs ends in an error instead of a wait without end.
struct SubOperationBudget {
  private(set) var total: Int?
  let fallback: Int
  private var pendings = 0
  private var stores = 0

  init(fallback: Int) { self.fallback = fallback }

  private var bound: Int { total ?? fallback }

  /// Counts a response with sub-operation counts and checks it against the announcement.
  mutating func response(_ progress: SubOperationProgress, isPending: Bool) throws(NetworkError) {
    if let remaining = progress.remaining {
      let announced = remaining.addingClamped(progress.completed).addingClamped(progress.failed)
        .addingClamped(progress.warning)
      if let total {
        guard announced <= total else {
          throw NetworkError.protocolViolation("the peer announced \(announced) sub-operations after \(total)")
        }
      } else {
        total = announced
      }
    }
    guard isPending else { return }
    pendings += 1
    guard pendings <= bound + 1 else {
      throw NetworkError.protocolViolation("more pending responses than the \(bound) sub-operations announced")
    }
  }

  /// Counts an object received on a C-GET association.
  mutating func store() throws(NetworkError) {
    stores += 1
    guard stores <= bound else {
      throw NetworkError.protocolViolation("more objects than the \(bound) sub-operations announced")
    }
  }
}

extension Int {
  fileprivate func addingClamped(_ other: Int) -> Int {
    let (sum, overflow) = addingReportingOverflow(Swift.max(0, other))
    return overflow ? .max : sum
  }
}

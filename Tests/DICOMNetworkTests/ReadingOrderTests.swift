import Retrieval
import Synchronization
import Testing

/// A retrieve for a reader on screen hands out instances around the slice shown: the slice, then its
/// neighbours (ahead of the reader first), then the rest of its series, then the other series in order;
/// a jump reorders what is left.
@Suite struct ReadingOrderTests {
  static func plan() -> [PlannedInstance] {
    (1...2).flatMap { series in
      (1...8).map {
        PlannedInstance(series: "S\(series)", instance: "S\(series).\($0)", seriesNumber: series, instanceNumber: $0)
      }
    }
  }

  @Test func the_slice_on_screen_and_its_neighbours_come_first_ahead_of_the_reader() {
    let queue = ReadingOrderQueue(Self.plan()) { ReadingFocus(series: "S1", instanceNumber: 5, direction: 1) }
    let order = (0..<16).compactMap { _ in queue.next()?.instance }
    #expect(
      order == [
        "S1.5", "S1.6", "S1.4", "S1.7", "S1.3", "S1.8", "S1.2", "S1.1",
        "S2.1", "S2.2", "S2.3", "S2.4", "S2.5", "S2.6", "S2.7", "S2.8",
      ])
    #expect(queue.next() == nil)
  }

  @Test func scrolling_back_puts_the_slices_behind_first_and_a_jump_reorders_the_rest() {
    let focus = FocusBox(ReadingFocus(series: "S1", instanceNumber: 4, direction: -1))
    let queue = ReadingOrderQueue(Self.plan()) { focus.value }
    #expect((0..<3).compactMap { _ in queue.next()?.instance } == ["S1.4", "S1.3", "S1.5"])
    focus.value = ReadingFocus(series: "S2", instanceNumber: 7, direction: 1)
    #expect((0..<3).compactMap { _ in queue.next()?.instance } == ["S2.7", "S2.8", "S2.6"])
    // Without a reader, the plan's order: series by series.
    focus.value = nil
    #expect(queue.next()?.instance == "S1.1")
  }
}

/// A focus the test moves while the queue reads it.
final class FocusBox: Sendable {
  private let held: Mutex<ReadingFocus?>
  init(_ value: ReadingFocus?) { held = Mutex(value) }
  var value: ReadingFocus? {
    get { held.withLock { $0 } }
    set { held.withLock { $0 = newValue } }
  }
}

import DICOM
import Synchronization

/// One instance a retrieve will fetch: its series and the numbers that put it in reading order.
public struct PlannedInstance: Sendable, Equatable {
  public var series: String
  public var instance: String
  public var seriesNumber: Int
  public var instanceNumber: Int
  public var sopClass: String
  /// Where it lies, when the query answered Image Position and Orientation (Patient).
  public var place: SlicePlace?
  /// Its size in pixels, when the query answered Columns and Rows.
  public var columns: Int?
  public var rows: Int?

  public init(
    series: String, instance: String, seriesNumber: Int, instanceNumber: Int, sopClass: String = "",
    place: SlicePlace? = nil, columns: Int? = nil, rows: Int? = nil
  ) {
    self.columns = columns
    self.rows = rows
    self.series = series
    self.instance = instance
    self.seriesNumber = seriesNumber
    self.instanceNumber = instanceNumber
    self.sopClass = sopClass
    self.place = place
  }
}

/// A slice's plane and its place along the plane's normal, as the archive indexes them: what puts a slice
/// in its stack before it has arrived.
public struct SlicePlace: Sendable, Equatable {
  /// The plane's key, as the archive indexes it.
  public var orientation: String
  /// Image Position (Patient) along the normal.
  public var position: Double

  /// From a query's match, computed as the archive indexes a file (`FrameGeometry`), so a slice's
  /// place before it arrives is the place it has after.
  init?(_ match: Dataset) {
    let geometry = FrameGeometry(match, frame: 0)
    guard let plane = geometry.planeKey, let location = geometry.location else { return nil }
    orientation = plane
    position = location
  }
}

/// Where the reader is: the series on screen and the instance number of the slice shown, with the way
/// they scroll (+1 forward, -1 back).
public struct ReadingFocus: Sendable, Equatable {
  public var series: String
  public var instanceNumber: Int
  public var direction: Int

  public init(series: String, instanceNumber: Int, direction: Int = 1) {
    self.series = series
    self.instanceNumber = instanceNumber
    self.direction = direction
  }
}

/// The instances still to fetch, handed out one at a time in reading order: the slice the reader looks at
/// and its neighbours first (ahead of the reader before behind), then the rest of that series, then the
/// other series in their order. The focus is asked again for each instance, so a jump reorders what is
/// left at once.
public final class ReadingOrderQueue: Sendable {
  private let pending: Mutex<[PlannedInstance]>
  private let focus: @Sendable () -> ReadingFocus?

  public init(_ instances: [PlannedInstance], focus: @escaping @Sendable () -> ReadingFocus?) {
    pending = Mutex(instances)
    self.focus = focus
  }

  public var count: Int { pending.withLock { $0.count } }

  /// The next instance to fetch, taken off the queue; nil when none is left.
  public func next() -> PlannedInstance? {
    let focus = focus()
    return pending.withLock { list in
      guard !list.isEmpty else { return nil }
      let best = list.indices.min { Self.rank(list[$0], focus) < Self.rank(list[$1], focus) }!
      return list.remove(at: best)
    }
  }

  /// Smaller comes first: the focused series before others; in it, the distance to the slice on screen,
  /// ahead of the reader winning a tie; elsewhere, series number then instance number.
  static func rank(_ item: PlannedInstance, _ focus: ReadingFocus?) -> (Int, Int, Int, Int) {
    guard let focus, item.series == focus.series, item.instanceNumber != Int.max else {
      return (1, item.seriesNumber, item.instanceNumber, 0)
    }
    let offset = item.instanceNumber - focus.instanceNumber
    let ahead = offset.signum() == focus.direction.signum() || offset == 0
    return (0, abs(offset), ahead ? 0 : 1, 0)
  }
}

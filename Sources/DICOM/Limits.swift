/// Bounds applied to untrusted input. One value is passed down through reading and decoding.
public struct Limits: Sendable, Equatable {
  /// Largest value held in memory (element value, fragment, inflated dataset part).
  public var maxValueLength: Int
  /// Deepest sequence nesting accepted (PS3.5 sets none; 64 is more than any real IOD needs).
  public var maxSequenceDepth: Int
  /// Cap on the output of inflating a deflated dataset (a deflate bomb reaches about 1000:1).
  public var maxDecompressedSize: Int
  /// Inflated bytes allowed per deflated byte past `inflateFloor`: real datasets deflate by 2 to 20 times,
  /// a bomb by about 1000, so a bomb is refused after at most this ratio of its size, not at 1 GiB.
  public var maxInflateRatio: Int
  /// Output any deflated dataset may reach whatever its ratio (a small, nearly blank image).
  public var inflateFloor: Int
  /// Values at least this long are left on disk and read on demand (pixel data, overlays, waveforms).
  public var bulkDataThreshold: Int

  public init(
    maxValueLength: Int = 1 << 30,
    maxSequenceDepth: Int = 64,
    maxDecompressedSize: Int = 1 << 30,
    bulkDataThreshold: Int = 64 * 1024,
    maxInflateRatio: Int = 100,
    inflateFloor: Int = 64 << 20
  ) {
    self.maxInflateRatio = maxInflateRatio
    self.inflateFloor = inflateFloor
    self.maxValueLength = maxValueLength
    self.maxSequenceDepth = maxSequenceDepth
    self.maxDecompressedSize = maxDecompressedSize
    self.bulkDataThreshold = bulkDataThreshold
  }

  public static let `default` = Limits()

  /// The most a deflated stream of `count` bytes may inflate to.
  public func inflateCap(forDeflated count: Int) -> Int {
    let (byRatio, overflow) = count.multipliedReportingOverflow(by: maxInflateRatio)
    return min(maxDecompressedSize, max(min(inflateFloor, maxDecompressedSize), overflow ? Int.max : byRatio))
  }
}

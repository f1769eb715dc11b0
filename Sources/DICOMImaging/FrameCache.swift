import Foundation

/// Decoded frames kept for reuse, bounded in bytes, least recently used evicted first. Safe to share
/// between threads (the series decoder fills it from several).
public final class FrameCache: @unchecked Sendable {
  public struct Key: Hashable, Sendable {
    public let instance: String
    public let frame: Int
    public init(instance: String, frame: Int) {
      self.instance = instance
      self.frame = frame
    }
  }

  private let lock = NSLock()
  private var entries: [Key: (frame: DecodedFrame, stamp: UInt64)] = [:]
  private var clock: UInt64 = 0
  public private(set) var bytes = 0
  public let capacity: Int

  public init(capacityBytes: Int) { capacity = capacityBytes }

  public func get(_ key: Key) -> DecodedFrame? {
    lock.withLock {
      guard let entry = entries[key] else { return nil }
      clock += 1
      entries[key] = (entry.frame, clock)
      return entry.frame
    }
  }

  public func put(_ key: Key, _ frame: DecodedFrame) {
    let size = Self.size(of: frame)
    guard size <= capacity else { return }
    lock.withLock {
      if let old = entries[key] { bytes -= Self.size(of: old.frame) }
      clock += 1
      entries[key] = (frame, clock)
      bytes += size
      while bytes > capacity, let oldest = entries.min(by: { $0.value.stamp < $1.value.stamp }) {
        bytes -= Self.size(of: oldest.value.frame)
        entries[oldest.key] = nil
      }
    }
  }

  public var count: Int { lock.withLock { entries.count } }

  static func size(of frame: DecodedFrame) -> Int { frame.values.count * MemoryLayout<Int32>.stride }
}

/// Decodes many frames on all cores: a series opened at once, or a prefetch around the scroll position.
public enum ParallelDecoder {
  /// Reads and decodes frame `frame` of each file, in parallel; results keep the order of `paths`.
  public static func decode(
    paths: [String], frame: Int = 0, cache: FrameCache? = nil,
    limits: ImagingLimits = .default
  ) -> [Result<DecodedFrame, ImagingError>] {
    let results = ResultBox<DecodedFrame>(count: paths.count)
    DispatchQueue.concurrentPerform(iterations: paths.count) { i in
      let key = FrameCache.Key(instance: paths[i], frame: frame)
      if let cached = cache?.get(key) {
        results.set(i, .success(cached))
        return
      }
      let result = Result { () throws(ImagingError) -> DecodedFrame in
        try DICOMImage(path: paths[i], limits: limits).decodeFrame(frame)
      }
      if case .success(let decoded) = result { cache?.put(key, decoded) }
      results.set(i, result)
    }
    return results.values
  }
}

/// Results written from several threads into their own slots.
final class ResultBox<T: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Result<T, ImagingError>?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ i: Int, _ r: Result<T, ImagingError>) { lock.withLock { slots[i] = r } }

  var values: [Result<T, ImagingError>] {
    lock.withLock { slots.map { $0 ?? .failure(.noPixelData) } }
  }
}

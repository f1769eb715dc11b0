import Foundation
import Synchronization

/// One frame of a file: frame 0 of a single-frame object, frame n of a multi-frame one. The viewer's
/// stacks and the frame cache both name frames by it.
public struct FrameReference: Hashable, Sendable {
  public let path: String
  public let frame: Int

  public init(path: String, frame: Int) {
    self.path = path
    self.frame = frame
  }
}

/// Decoded frames kept for reuse, bounded in bytes and, where only a few are wanted, in number; least
/// recently used evicted first. Safe to share between threads (the series decoder fills it from several).
/// A frame decoded for a smaller display is kept apart from the whole one, by the factor asked for.
public final class FrameCache: Sendable {
  public struct Key: Hashable, Sendable {
    public let reference: FrameReference
    public let downscale: Int
    public init(reference: FrameReference, downscale: Int = 1) {
      self.reference = reference
      self.downscale = downscale
    }
  }

  struct State {
    var entries: [Key: (frame: DecodedFrame, stamp: UInt64)] = [:]
    var clock: UInt64 = 0
    var bytes = 0
  }

  private let state = Mutex(State())
  public let capacity: Int
  public let maxEntries: Int

  public init(capacityBytes: Int, maxEntries: Int = .max) {
    capacity = capacityBytes
    self.maxEntries = max(1, maxEntries)
  }

  public var bytes: Int { state.withLock { $0.bytes } }

  public func get(_ reference: FrameReference, downscale: Int = 1) -> DecodedFrame? {
    let key = Key(reference: reference, downscale: downscale)
    return state.withLock { s in
      guard let entry = s.entries[key] else { return nil }
      s.clock += 1
      s.entries[key] = (entry.frame, s.clock)
      return entry.frame
    }
  }

  public func put(_ reference: FrameReference, downscale: Int = 1, _ frame: DecodedFrame) {
    let key = Key(reference: reference, downscale: downscale)
    let size = Self.size(of: frame)
    guard size <= capacity else { return }
    state.withLock { s in
      if let old = s.entries[key] { s.bytes -= Self.size(of: old.frame) }
      s.clock += 1
      s.entries[key] = (frame, s.clock)
      s.bytes += size
      while s.bytes > capacity || s.entries.count > maxEntries,
        let oldest = s.entries.min(by: { $0.value.stamp < $1.value.stamp })
      {
        s.bytes -= Self.size(of: oldest.value.frame)
        s.entries[oldest.key] = nil
      }
    }
  }

  public var count: Int { state.withLock { $0.entries.count } }

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
      let key = FrameReference(path: paths[i], frame: frame)
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
final class ResultBox<T: Sendable>: Sendable {
  private let slots: Mutex<[Result<T, ImagingError>?]>

  init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

  func set(_ i: Int, _ r: Result<T, ImagingError>) { slots.withLock { $0[i] = r } }

  var values: [Result<T, ImagingError>] {
    slots.withLock { $0.map { $0 ?? .failure(.noPixelData) } }
  }
}

import DICOM
import SyntheticData
import TestSupport
import Testing

@testable import DICOMImaging

@Suite struct FrameCacheTests {
  static func frame(_ n: Int) -> DecodedFrame {
    DecodedFrame(
      width: n, height: 1, samplesPerPixel: 1, values: [Int32](repeating: 1, count: n), bitsStored: 8,
      isSigned: false, photometric: "MONOCHROME2")
  }

  @Test func the_cache_stays_within_its_byte_budget_evicting_the_least_recently_used() {
    let cache = FrameCache(capacityBytes: 100 * 4 * 3)  // three frames of 100 values
    for i in 0..<3 { cache.put(.init(path: "a", frame: i), Self.frame(100)) }
    _ = cache.get(.init(path: "a", frame: 0))  // frame 0 is now the most recent
    cache.put(.init(path: "a", frame: 3), Self.frame(100))
    #expect(cache.bytes <= cache.capacity)
    #expect(cache.get(.init(path: "a", frame: 1)) == nil)  // least recently used: gone
    #expect(cache.get(.init(path: "a", frame: 0)) != nil)
    cache.put(.init(path: "b", frame: 0), Self.frame(1000))  // larger than the whole budget: not kept
    #expect(cache.get(.init(path: "b", frame: 0)) == nil)
  }

  @Test func a_cache_bounded_in_number_keeps_that_many_most_recent_frames() {
    let cache = FrameCache(capacityBytes: 1 << 20, maxEntries: 2)
    cache.put(.init(path: "a", frame: 0), Self.frame(10))
    cache.put(.init(path: "b", frame: 0), Self.frame(10))
    _ = cache.get(.init(path: "a", frame: 0))
    cache.put(.init(path: "c", frame: 0), Self.frame(10))
    #expect(cache.count == 2)
    #expect(cache.get(.init(path: "b", frame: 0)) == nil, "the least recently used went")
    #expect(cache.get(.init(path: "a", frame: 0)) != nil && cache.get(.init(path: "c", frame: 0)) != nil)
  }

  @Test func a_series_decodes_in_parallel_in_order_with_failures_kept_in_place() throws {
    let dir = try TemporaryDirectory()
    var paths: [String] = []
    for i in 0..<6 {
      let path = dir.file("s\(i).dcm")
      try DICOMFile(
        dataset: try SyntheticData.ctSlice(index: i, of: 6, rows: 16, columns: 16),
        transferSyntax: .explicitVRLittleEndian
      ).write(to: path)
      paths.append(path)
    }
    paths.insert(dir.file("missing.dcm"), at: 2)
    let cache = FrameCache(capacityBytes: 1 << 20)
    let results = ParallelDecoder.decode(paths: paths, cache: cache)
    #expect(results.count == 7)
    if case .success = results[2] { Issue.record("a missing file decoded") }
    for (i, path) in paths.enumerated() where i != 2 {
      let expected = try DICOMImage(path: path).decodeFrame(0)
      #expect(try results[i].get() == expected)
    }
    #expect(cache.count == 6)
  }
}

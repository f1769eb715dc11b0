import DICOM
import Foundation
import Testing

@testable import DICOMImaging

/// Frames whose declared size is impossible or too large are refused before anything is allocated for
/// them: decoding is bounded in memory and time by the documented per-frame cap.
@Suite struct DecodeBombTests {
  /// An RLE frame header with `segments` segments, each `length` bytes of literal runs.
  static func rle(segments: Int, length: Int) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 64)
    func put(_ value: Int, at offset: Int) {
      for k in 0..<4 { header[offset + k] = UInt8(value >> (8 * k) & 0xFF) }
    }
    put(segments, at: 0)
    for s in 0..<segments { put(64 + s * length, at: 4 + 4 * s) }
    // Literal runs of 128 bytes (header byte 127).
    let run = [UInt8(127)] + [UInt8](repeating: 7, count: 128)
    var body: [UInt8] = []
    while body.count < segments * length { body += run }
    return header + body.prefix(segments * length)
  }

  @Test func a_frame_declaring_sixteen_thousand_squared_is_refused_by_the_per_frame_cap() {
    let d = ImagePixelDescription(rows: 16384, columns: 16384, bitsAllocated: 16, bitsStored: 12)
    #expect(throws: ImagingError.self) { try d.validate() }
  }

  @Test func an_rle_segment_too_short_for_its_declared_plane_is_refused_at_once() {
    // 8000 x 8000 (within the cap) from 64 KiB a segment: PackBits cannot make 64 M bytes from that.
    let d = ImagePixelDescription(rows: 8000, columns: 8000, bitsAllocated: 8, bitsStored: 8)
    let start = Date()
    #expect(throws: ImagingError.self) {
      _ = try RLECodec().decode(Self.rle(segments: 1, length: 64 << 10), description: d, limits: .default)
    }
    #expect(Date().timeIntervalSince(start) < 0.1)
  }

  @Test func an_rle_frame_whose_segments_can_hold_the_plane_still_decodes() throws {
    let d = ImagePixelDescription(rows: 16, columns: 16, bitsAllocated: 8, bitsStored: 8)
    let frame = try RLECodec().decode(Self.rle(segments: 1, length: 258), description: d, limits: .default)
    #expect(frame.values.count == 256)
    #expect(frame.values.allSatisfy { $0 == 7 })
  }
}

import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Damaged codestreams for every codec, made from real peer output: truncated, corrupted at the
/// markers and in the entropy data, replaced by noise, and lying about their size. Each gives a typed
/// error or a frame of the promised size: never a crash, a hang or a wrong-sized image.
@Suite struct DamagedCodestreamTests {
  struct Damage {
    let name: String
    let bytes: [UInt8]
  }

  static func damages(of frame: [UInt8]) -> [Damage] {
    var out: [Damage] = []
    for cut in [0, 2, 10, frame.count / 4, frame.count / 2, frame.count - 2] where cut >= 0 && cut < frame.count {
      out.append(Damage(name: "truncated to \(cut) bytes", bytes: Array(frame.prefix(cut))))
    }
    for position in [0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64, 96, 128] where position < frame.count {
      var b = frame
      b[position] ^= 0xFF
      out.append(Damage(name: "byte \(position) flipped", bytes: b))
    }
    var middle = frame
    for i in stride(from: frame.count / 3, to: frame.count, by: 13) { middle[i] = UInt8(truncatingIfNeeded: i * 31) }
    out.append(Damage(name: "entropy data scrambled", bytes: middle))
    var state: UInt32 = 0x1234_5678
    let noise = (0..<frame.count).map { _ -> UInt8 in
      state = state &* 1_664_525 &+ 1_013_904_223
      return UInt8(truncatingIfNeeded: state >> 24)
    }
    out.append(Damage(name: "noise", bytes: noise))
    return out
  }

  @Test(arguments: Transcoding.all.filter { $0.syntax != "1.2.840.10008.1.2.2" })
  func damaged_frames_give_typed_errors_or_whole_frames(transcoding: Transcoding) throws {
    let dir = try TemporaryDirectory()
    let source = try #require(
      try SyntheticData.imagingSources().first { transcoding.accepts($0) && $0.name != "multiframe8" })
    let sourcePath = dir.file("source.dcm")
    let compressed = dir.file("compressed.dcm")
    try DICOMFile(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian).write(to: sourcePath)
    try transcoding.encode(sourcePath, compressed, dir)
    let image = try DICOMImage(path: compressed)
    let frame = try image.dataset.encapsulatedFrame(0)
    let codec = try CodecRegistry.codec(for: image.transferSyntax)
    let clock = ContinuousClock()
    for damage in Self.damages(of: frame) {
      let start = clock.now
      do {
        let decoded = try codec.decode(damage.bytes, description: image.pixel, limits: .default)
        #expect(decoded.width == image.pixel.columns && decoded.height == image.pixel.rows, "\(damage.name)")
        #expect(decoded.values.count == image.pixel.rows * image.pixel.columns * image.pixel.samplesPerPixel)
      } catch {
        #expect(!error.description.isEmpty)
      }
      #expect(clock.now - start < .seconds(2), "\(transcoding.name), \(damage.name)")
    }
    // A header that disagrees with the codestream is refused, whatever the codec.
    for lie in [(1, 0), (0, 1), (-1, -1)] {
      var pixel = image.pixel
      pixel.rows += lie.0
      pixel.columns += lie.1
      #expect(throws: ImagingError.self, "\(transcoding.name) with \(lie)") {
        try codec.decode(frame, description: pixel, limits: .default)
      }
    }
  }
}

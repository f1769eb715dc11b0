import DICOM
import DICOMImaging
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Every common transfer syntax, written by a peer (DCMTK, GDCM, OpenJPH) from the project's synthetic
/// sources, must decode to exactly the source's values when lossless, and to within 1 of the peer's
/// own decode when lossy.
@Suite struct CodecConformanceTests {
  static func decodeAll(_ path: String) throws -> [DecodedFrame] {
    let image = try DICOMImage(file: try DICOMFile.read(path: path))
    return try (0..<image.frameCount).map { try Photometric.toRGB(image.decodeFrame($0)) }
  }

  static func maxDifference(_ a: DecodedFrame, _ b: DecodedFrame) -> Int {
    guard a.values.count == b.values.count else { return Int.max }
    return zip(a.values, b.values).map { abs(Int($0) - Int($1)) }.max() ?? 0
  }

  @Test(arguments: Transcoding.all)
  func peer_transcodings_decode_to_the_source_values(transcoding: Transcoding) throws {
    let dir = try TemporaryDirectory()
    var checked = 0
    for source in try SyntheticData.imagingSources() where transcoding.accepts(source) {
      let sourcePath = dir.file("\(source.name).dcm")
      let compressed = dir.file("\(source.name)-c.dcm")
      try DICOMFile(dataset: source.dataset, transferSyntax: .explicitVRLittleEndian).write(to: sourcePath)
      try transcoding.encode(sourcePath, compressed, dir)
      let file = try DICOMFile.read(path: compressed, options: .headerOnly)
      #expect(file.transferSyntax.uid == transcoding.syntax, "\(source.name): peer wrote \(file.transferSyntax.uid)")
      let decoded = try Self.decodeAll(compressed)
      let expected: [DecodedFrame]
      if let reference = transcoding.referenceDecode {
        let referencePath = dir.file("\(source.name)-ref.dcm")
        try reference(compressed, referencePath)
        expected = try Self.decodeAll(referencePath)
      } else {
        expected = try Self.decodeAll(sourcePath)
      }
      #expect(decoded.count == expected.count, "\(source.name): frame count")
      for (i, (a, b)) in zip(decoded, expected).enumerated() {
        let diff = Self.maxDifference(a, b)
        // Lossy: within 1 of the peer's own decode. Two independent irreversible-wavelet decoders (OpenJPEG,
        // OpenJPH) round differently at 16 bits: there the bound is 1 part in 2^14 of the range (4).
        let tolerance = transcoding.lossless ? 0 : max(1, 1 << max(0, source.bitsStored - 14))
        #expect(
          diff <= tolerance,
          "\(source.name) frame \(i + 1): max difference \(diff) (\(a.values.prefix(4)) vs \(b.values.prefix(4)))")
        #expect(a.width == b.width && a.height == b.height && a.samplesPerPixel == b.samplesPerPixel)
      }
      checked += 1
    }
    #expect(checked > 0, "no source was accepted by \(transcoding.name)")
  }
}

import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Writing a file whose pixel data is still in its source copies it from there (in the kernel where it
/// can): the bytes are those an in-memory encoding gives, and a source that shrank is an error.
@Suite struct StreamedWriteTests {
  static func source(_ dir: TemporaryDirectory) throws -> String {
    let slice = try SyntheticData.ctSlice(index: 3, of: 10, rows: 512, columns: 512)
    let path = dir.file("source.dcm")
    try DICOMFile(dataset: slice, transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
  }

  @Test func a_deferred_pixel_value_is_copied_from_its_file_byte_for_byte() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.source(dir)
    let read = try DICOMFile.read(path: path)
    guard case .deferred = read.dataset[.pixelData]?.value else {
      Issue.record("the pixel data should stay in the file when read")
      return
    }
    #expect(try read.encodedPieces().contains { if case .copy = $0 { true } else { false } })
    try read.write(to: dir.file("copy.dcm"))
    #expect(try DICOMFile.bytes(path: dir.file("copy.dcm")) == read.encoded())
    #expect(try DICOMFile.bytes(path: dir.file("copy.dcm")) == DICOMFile.bytes(path: path))
  }

  @Test func a_source_that_shrank_since_it_was_read_fails_and_leaves_no_file() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.source(dir)
    let read = try DICOMFile.read(path: path)
    let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    #expect(truncate(path, off_t(size - 100)) == 0)
    #expect(throws: DICOMError.self) { try read.write(to: dir.file("copy.dcm")) }
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "source.dcm" }
    #expect(left.isEmpty, "\(left)")
  }
}

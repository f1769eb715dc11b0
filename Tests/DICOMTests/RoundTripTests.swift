import SyntheticData
import Foundation
import TestSupport
import Testing

@testable import DICOM

@Suite struct RoundTripTests {
  static let syntaxes: [TransferSyntax] = [
    .explicitVRLittleEndian, .implicitVRLittleEndian, .explicitVRBigEndian, .deflatedExplicitVRLittleEndian,
  ]

  static func samples() throws -> [Dataset] {
    [
      try SyntheticData.everyVR(), try SyntheticData.multiFrame(),
      try SyntheticData.ctSlice(index: 3, of: 8, rows: 32, columns: 32),
    ]
  }

  @Test(arguments: syntaxes)
  func read_write_read_gives_the_same_values_in_every_syntax(syntax: TransferSyntax) throws {
    for ds in try Self.samples() {
      let bytes = try DICOMFile(dataset: ds, transferSyntax: syntax).encoded()
      let read = try DICOMFile.read(bytes: bytes)
      #expect(read.transferSyntax == syntax)
      // Compare as little endian explicit: values must be identical once byte order is normalised.
      let again = try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(read.dataset.removingGroup(2))
      let original = try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds)
      if syntax.isExplicitVR {
        #expect(again == original)
      } else {
        // Implicit VR loses VRs the dictionary does not know (private ones become UN) and the SS of
        // SS/US attributes: compare values.
        #expect(read.dataset.count == ds.count)
        #expect(read.dataset.string(Tag(0x0010, 0x0010)) == ds.string(Tag(0x0010, 0x0010)))
        #expect(read.dataset[.pixelData]?.bytes == ds[.pixelData]?.bytes)
      }
    }
  }

  @Test(arguments: syntaxes)
  func a_file_already_canonical_writes_back_byte_for_byte(syntax: TransferSyntax) throws {
    for ds in try Self.samples() {
      let bytes = try DICOMFile(dataset: ds, transferSyntax: syntax).encoded()
      let rewritten = try DICOMFile.read(bytes: bytes).encoded()
      #expect(rewritten == bytes)
    }
  }

  @Test func big_endian_values_read_as_numbers_not_swapped_bytes() throws {
    let ds = try SyntheticData.everyVR()
    let read = try DICOMFile.read(bytes: DICOMFile(dataset: ds, transferSyntax: .explicitVRBigEndian).encoded())
    let d = read.dataset
    #expect(d.byteOrder == .big)
    #expect(d.ints(DataDictionary.tag(forKeyword: "SelectorSLValue")!) == [-70000, 70000])
    #expect(d.ints(DataDictionary.tag(forKeyword: "SelectorSVValue")!) == [-9_000_000_000_000, 42])
    #expect(d.doubles(DataDictionary.tag(forKeyword: "SelectorFDValue")!) == [3.141592653589793, -2.5e-10])
    #expect(
      d.attributeTags(DataDictionary.tag(forKeyword: "FrameIncrementPointer")!)
        == [Tag(0x0018, 0x1063), Tag(0x0020, 0x0013)])
  }

  @Test func writing_is_atomic_and_leaves_no_temporary_file() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/out.dcm"
    try DICOMFile(dataset: try SyntheticData.everyVR(), transferSyntax: .explicitVRLittleEndian).write(to: path)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(names == ["out.dcm"])
    #expect(try DICOMFile.read(path: path).dataset.string(Tag(0x0010, 0x0010)) == "DOE^JANE")
  }
}

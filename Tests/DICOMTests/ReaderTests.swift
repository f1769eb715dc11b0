import Foundation
import SyntheticData
import TestSupport
import Testing

@testable import DICOM

@Suite struct ReaderTests {
  func ctFile(_ dir: TemporaryDirectory, syntax: TransferSyntax = .explicitVRLittleEndian) throws -> String {
    let path = dir.file("ct.dcm")
    try DICOMFile(dataset: try SyntheticData.ctSlice(index: 0, of: 1, rows: 256, columns: 256), transferSyntax: syntax)
      .write(to: path)
    return path
  }

  @Test func header_only_reading_stops_before_pixel_data() throws {
    let dir = try TemporaryDirectory()
    let file = try DICOMFile.read(path: try ctFile(dir), options: .headerOnly)
    #expect(file.dataset[.pixelData] == nil)
    #expect(file.dataset.int(Tag(0x0028, 0x0010)) == 256)
  }

  @Test func large_values_stay_in_the_file_until_loaded() throws {
    let dir = try TemporaryDirectory()
    let path = try ctFile(dir)
    let file = try DICOMFile.read(path: path)
    let pixels = try #require(file.dataset[.pixelData])
    guard case .deferred(let reference) = pixels.value else {
      Issue.record("pixel data was read eagerly")
      return
    }
    #expect(reference.length == 256 * 256 * 2)
    let eager = try DICOMFile.read(path: path, options: ReadOptions(loadBulkData: true))
    #expect(try pixels.loadedBytes() == eager.dataset[.pixelData]?.bytes)
  }

  @Test func reads_files_without_preamble_and_bare_datasets_in_each_encoding() throws {
    let ds = try SyntheticData.everyVR()
    for syntax in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian] {
      let bare = try DatasetWriter(transferSyntax: syntax).encode(ds)
      let file = try DICOMFile.read(bytes: bare)
      #expect(file.transferSyntax == syntax)
      #expect(file.meta.isEmpty)
      #expect(file.dataset.string(Tag(0x0010, 0x0010)) == "DOE^JANE")
    }
    // Meta group without the 128-byte preamble and DICM prefix.
    let full = try DICOMFile(dataset: ds, transferSyntax: .implicitVRLittleEndian).encoded()
    let noPreamble = try DICOMFile.read(bytes: Array(full.dropFirst(132)))
    #expect(noPreamble.preamble == nil)
    #expect(noPreamble.transferSyntax == .implicitVRLittleEndian)
    let withPreamble = try DICOMFile.read(bytes: full)
    #expect(noPreamble.dataset.count == withPreamble.dataset.count)
  }

  @Test func un_of_a_known_tag_is_reparsed_with_the_dictionary_vr() throws {
    var ds = Dataset()
    ds.set(Element(tag: Tag(0x0028, 0x0010), vr: .UN, bytes: [0x00, 0x02]))
    // A sequence hidden in UN: one item holding (0008,0100) SH "ABC ", implicit VR LE inside.
    let inner: [UInt8] = [0x08, 0x00, 0x00, 0x01, 4, 0, 0, 0] + Array("ABC ".utf8)
    let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, UInt8(inner.count), 0, 0, 0] + inner
    ds.set(Element(tag: Tag(0x0008, 0x1140), vr: .UN, bytes: item))
    let read = try DICOMFile.read(bytes: DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds))
    #expect(read.dataset[Tag(0x0028, 0x0010)]?.vr == .US)
    #expect(read.dataset.int(Tag(0x0028, 0x0010)) == 512)
    let items = try #require(read.dataset.items(Tag(0x0008, 0x1140)))
    #expect(items.first?.string(Tag(0x0008, 0x0100)) == "ABC")
  }

  @Test func nested_items_inherit_the_character_set() throws {
    let ds = try SyntheticData.everyVR(characterSet: "ISO_IR 100")
    var withName = ds
    var item = Dataset(inheritedCharacterSet: ds.characterSet)
    try item.set(Tag(0x0010, 0x0010), .PN, "Ødegård^Åse")
    withName.set(Tag(0x0008, 0x1120), items: [item])
    let read = try DICOMFile.read(
      bytes: DICOMFile(dataset: withName, transferSyntax: .explicitVRLittleEndian).encoded())
    #expect(read.dataset.items(Tag(0x0008, 0x1120))?.first?.string(Tag(0x0010, 0x0010)) == "Ødegård^Åse")
  }

  @Test func encapsulated_frames_map_to_fragments_by_offset_tables_or_markers() throws {
    let jpegA: [UInt8] = [0xFF, 0xD8, 1, 2]
    let jpegB: [UInt8] = [0xFF, 0xD8, 3, 4]
    let tail: [UInt8] = [5, 6, 0xFF, 0xD9]
    // No offset table: frame starts are found by the JPEG SOI marker.
    let pixels = EncapsulatedPixelData(fragments: [.bytes(jpegA), .bytes(tail), .bytes(jpegB), .bytes(tail)])
    #expect(try pixels.fragmentsPerFrame(numberOfFrames: 2) == [0..<2, 2..<4])
    #expect(try pixels.frame(1, numberOfFrames: 2) == jpegB + tail)
    // Basic Offset Table: frame 2 starts at item offset 24 (two items of 8 + 4 bytes).
    var bot: [UInt8] = []
    DatasetWriter.appendU32(0, to: &bot, order: .little)
    DatasetWriter.appendU32(24, to: &bot, order: .little)
    let withTable = EncapsulatedPixelData(basicOffsetTable: bot, fragments: pixels.fragments)
    #expect(try withTable.fragmentsPerFrame(numberOfFrames: 2) == [0..<2, 2..<4])
    // Extended Offset Table offsets take precedence.
    #expect(try pixels.fragmentsPerFrame(numberOfFrames: 2, extendedOffsets: [0, 24]) == [0..<2, 2..<4])
    // A lying table is an error, not a crash.
    #expect(throws: DICOMError.self) { try pixels.fragmentsPerFrame(numberOfFrames: 2, extendedOffsets: [0, 7]) }
  }

  @Test func encapsulated_pixel_data_round_trips_through_a_file() throws {
    var ds = try SyntheticData.multiFrame(frames: 2)
    let frames = EncapsulatedPixelData(fragments: [
      .bytes([0xFF, 0xD8, 1, 0xFF, 0xD9, 0]), .bytes([0xFF, 0xD8, 2, 0xFF, 0xD9, 0]),
    ])
    ds.set(Element(tag: .pixelData, vr: .OB, value: .fragments(frames), undefinedLength: true))
    let syntax = TransferSyntax.from(uid: "1.2.840.10008.1.2.4.70")
    let dir = try TemporaryDirectory()
    try DICOMFile(dataset: ds, transferSyntax: syntax).write(to: dir.file("e.dcm"))
    let read = try DICOMFile.read(path: dir.file("e.dcm"))
    guard case .fragments(let pixels)? = read.dataset[.pixelData]?.value else {
      Issue.record("no fragments")
      return
    }
    #expect(pixels.fragments.count == 2)
    #expect(try pixels.frame(1, numberOfFrames: 2) == [0xFF, 0xD8, 2, 0xFF, 0xD9, 0])
    #expect(
      try DICOMFile.read(path: dir.file("e.dcm")).encoded() == DICOMFile(dataset: ds, transferSyntax: syntax).encoded())
  }

  @Test func a_deflate_bomb_stops_at_the_decompressed_size_limit() throws {
    // 64 MiB of zeros in one OB element deflates to about 64 KiB.
    var ds = Dataset()
    ds.set(Element(tag: Tag(0x0009, 0x1010), vr: .OB, bytes: [UInt8](repeating: 0, count: 64 << 20)))
    let bytes = try DICOMFile(dataset: ds, transferSyntax: .deflatedExplicitVRLittleEndian).encoded()
    #expect(bytes.count < 1 << 20)
    var limits = Limits()
    limits.maxDecompressedSize = 16 << 20
    #expect(throws: DICOMError.decompressedSizeExceeded(limit: 16 << 20)) {
      try DICOMFile.read(bytes: bytes, options: ReadOptions(limits: limits))
    }
  }

  @Test func implicit_ambiguous_vrs_follow_pixel_representation() throws {
    var ds = Dataset()
    ds.set(.pixelRepresentation, .US, integers: [UInt16(1)])
    ds.set(Tag(0x0028, 0x0106), .SS, integers: [Int16(-5)])
    let read = try DICOMFile.read(bytes: DatasetWriter(transferSyntax: .implicitVRLittleEndian).encode(ds))
    #expect(read.dataset[Tag(0x0028, 0x0106)]?.vr == .SS)
    #expect(read.dataset.int(Tag(0x0028, 0x0106)) == -5)
  }
}

@Suite struct LargeFileTests {
  /// A 1 GiB multi-frame file, sparse on disk: opening it must not read the pixel data.
  @Test func a_one_gigabyte_multi_frame_file_opens_without_reading_its_pixels() throws {
    let dir = try TemporaryDirectory()
    var ds = try SyntheticData.multiFrame(frames: 1, rows: 1, columns: 2)
    try ds.set(.numberOfFrames, .IS, "4096")
    ds.set(Tag(0x0028, 0x0010), .US, integers: [UInt16(512)])
    ds.set(Tag(0x0028, 0x0011), .US, integers: [UInt16(512)])
    ds.remove(.pixelData)
    let pixelLength = 4096 * 512 * 512
    var header = try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).encoded()
    header += [0xE0, 0x7F, 0x10, 0x00] + Array("OB".utf8) + [0, 0]
    DatasetWriter.appendU32(UInt32(pixelLength), to: &header, order: .little)
    let path = dir.file("big.dcm")
    #expect(FileManager.default.createFile(atPath: path, contents: Data(header)))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: UInt64(header.count + pixelLength))
    try handle.close()

    let file = try DICOMFile.read(path: path)
    guard case .deferred(let reference)? = file.dataset[.pixelData]?.value else {
      Issue.record("pixel data was not deferred")
      return
    }
    #expect(reference.length == pixelLength)
    #expect(file.dataset.numberOfFrames == 4096)
    // One frame is read on demand, from its offset.
    let frame = try BulkDataReference(path: path, offset: reference.offset + 512 * 512 * 4000, length: 512 * 512).load()
    #expect(frame.count == 512 * 512)
  }
}

@Suite struct BulkDataTests {
  @Test func long_text_is_read_at_once_even_past_the_bulk_threshold() throws {
    let dir = try TemporaryDirectory()
    var ds = try SyntheticData.everyVR()
    let text = String(repeating: "report line\r\n", count: 10_000)  // 130 KB of UT
    try ds.set(Tag(0x0008, 0x030E), .UT, text)
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("lt.dcm"))
    let read = try DICOMFile.read(path: dir.file("lt.dcm"))
    #expect(read.dataset.string(Tag(0x0008, 0x030E)) == text)
  }
}

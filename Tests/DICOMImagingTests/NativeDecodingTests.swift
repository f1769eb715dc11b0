import DICOM
import SyntheticData
import Testing

@testable import DICOMImaging

@Suite struct NativeDecodingTests {
  func image(_ d: ImagePixelDescription, pixels: [UInt8], vr: VR = .OW, order: ByteOrder = .little) throws -> DICOMImage
  {
    var ds = Dataset(byteOrder: order)
    ds.set(Tag(0x0028, 0x0010), .US, integers: [UInt16(d.rows)])
    ds.set(Tag(0x0028, 0x0011), .US, integers: [UInt16(d.columns)])
    ds.set(Tag(0x0028, 0x0002), .US, integers: [UInt16(d.samplesPerPixel)])
    ds.set(Tag(0x0028, 0x0100), .US, integers: [UInt16(d.bitsAllocated)])
    ds.set(Tag(0x0028, 0x0101), .US, integers: [UInt16(d.bitsStored)])
    ds.set(Tag(0x0028, 0x0102), .US, integers: [UInt16(d.highBit)])
    ds.set(.pixelRepresentation, .US, integers: [UInt16(d.isSigned ? 1 : 0)])
    ds.set(Tag(0x0028, 0x0006), .US, integers: [UInt16(d.planarConfiguration)])
    try ds.set(Tag(0x0028, 0x0004), .CS, d.photometric.term)
    try ds.set(.numberOfFrames, .IS, String(d.numberOfFrames))
    ds.set(Element(tag: .pixelData, vr: vr, bytes: pixels))
    let syntax: TransferSyntax = order == .big ? .explicitVRBigEndian : .explicitVRLittleEndian
    return try DICOMImage(dataset: ds, transferSyntax: syntax)
  }

  @Test func twelve_bits_stored_high_in_sixteen_are_shifted_and_sign_extended() throws {
    // BitsStored 12, HighBit 15: value in the top 12 bits; 0xFFF0 is -1 when signed.
    let d = ImagePixelDescription(rows: 1, columns: 2, bitsAllocated: 16, bitsStored: 12, highBit: 15, isSigned: true)
    let frame = try image(d, pixels: [0xF0, 0xFF, 0x10, 0x00]).decodeFrame(0)
    #expect(frame.values == [-1, 1])
  }

  @Test func stray_bits_above_bits_stored_are_masked() throws {
    let d = ImagePixelDescription(rows: 1, columns: 2, bitsAllocated: 16, bitsStored: 12, isSigned: false)
    let frame = try image(d, pixels: [0xFF, 0xFF, 0x01, 0xF0]).decodeFrame(0)
    #expect(frame.values == [4095, 1])
  }

  @Test func one_bit_frames_need_not_start_on_a_byte() throws {
    // 3x3 frames: 9 bits each; frame 2 starts at bit 9.
    let d = ImagePixelDescription(rows: 3, columns: 3, bitsAllocated: 1, bitsStored: 1, numberOfFrames: 2)
    let bits: [UInt8] = [0b0000_0001, 0b1111_1110, 0b0000_0011]  // frame 1: pixel 0 only; frame 2: all ones
    let img = try image(d, pixels: bits, vr: .OB)
    #expect(try img.decodeFrame(0).values == [1, 0, 0, 0, 0, 0, 0, 0, 0])
    #expect(try img.decodeFrame(1).values == [Int32](repeating: 1, count: 9))
  }

  @Test func planar_rgb_is_interleaved() throws {
    let d = ImagePixelDescription(
      rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8,
      photometric: "RGB", planarConfiguration: 1)
    let frame = try image(d, pixels: [1, 2, 3, 4, 5, 6], vr: .OB).decodeFrame(0)
    #expect(frame.values == [1, 3, 5, 2, 4, 6])
  }

  @Test func ybr_full_422_expands_and_converts_to_rgb() throws {
    let d = ImagePixelDescription(
      rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8,
      photometric: "YBR_FULL_422")
    // Y1 Y2 Cb Cr: gray 100 and 200 (no chroma).
    let frame = try image(d, pixels: [100, 200, 128, 128], vr: .OB).decodeFrame(0)
    #expect(Photometric.toRGB(frame).values == [100, 100, 100, 200, 200, 200])
  }

  @Test func eight_bit_ow_in_big_endian_is_byte_swapped_back() throws {
    let d = ImagePixelDescription(rows: 1, columns: 4, bitsAllocated: 8, bitsStored: 8)
    // OW in big endian holds 16-bit words: bytes 1 2 3 4 are stored 2 1 4 3.
    let frame = try image(d, pixels: [2, 1, 4, 3], vr: .OW, order: .big).decodeFrame(0)
    #expect(frame.values == [1, 2, 3, 4])
  }

  @Test func short_pixel_data_is_a_typed_error() throws {
    let d = ImagePixelDescription(rows: 4, columns: 4, bitsAllocated: 16, bitsStored: 16, numberOfFrames: 2)
    let img = try image(d, pixels: [UInt8](repeating: 0, count: 40))
    #expect(throws: ImagingError.pixelDataTooShort(expected: 64, actual: 40)) { try img.decodeFrame(1) }
    #expect(throws: ImagingError.frameOutOfRange(index: 2, count: 2)) { try img.decodeFrame(2) }
  }

  @Test func sizes_that_overflow_are_refused_before_any_allocation() {
    let d = ImagePixelDescription(
      rows: 65535, columns: 65535, samplesPerPixel: 3, bitsAllocated: 32, bitsStored: 32,
      numberOfFrames: 100_000)
    #expect(throws: ImagingError.self) { try d.validate() }
    let lying = ImagePixelDescription(rows: 0, columns: 10, bitsAllocated: 16, bitsStored: 16)
    #expect(throws: ImagingError.self) { try lying.validate() }
    let badBits = ImagePixelDescription(rows: 1, columns: 1, bitsAllocated: 16, bitsStored: 17)
    #expect(throws: ImagingError.self) { try badBits.validate() }
  }

  @Test func palette_and_segmented_palette_give_the_same_colours() throws {
    let words = [0, 3, 0, 100, 200, 1, 4, 600, 2, 1, 0, 0]  // discrete 0,100,200; linear to 600 over 4; repeat segment 0
    let table = try SegmentedLUT.expand(words, maxEntries: 100)
    #expect(table == [0, 100, 200, 300, 400, 500, 600, 0, 100, 200])
  }
}

@Suite struct SegmentedLUTTests {
  @Test func an_indirect_copy_of_a_linear_segment_ramps_from_the_value_before_the_copy() throws {
    // discrete 0,100; linear to 200 over 2; discrete 50; indirect: the linear segment (at word 4) again.
    let words = [0, 2, 0, 100, 1, 2, 200, 0, 1, 50, 2, 1, 4, 0]
    #expect(try SegmentedLUT.expand(words, maxEntries: 100) == [0, 100, 150, 200, 50, 125, 200])
  }

  @Test func damaged_segmented_tables_give_typed_errors() {
    for words in [
      [1, 3, 10], [0, 5, 1], [2, 1, 0, 0], [0, 1, 5, 2, 1, 9, 0], [7, 1, 1], [0, 1, 5, 2, 1, 0, 0, 2, 1, 3, 0],
    ] {
      #expect(throws: ImagingError.self, "\(words)") { try SegmentedLUT.expand(words, maxEntries: 100) }
    }
  }
}

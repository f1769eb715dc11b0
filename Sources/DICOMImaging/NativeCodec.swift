/// Uncompressed pixel data (native, or Encapsulated Uncompressed where each fragment is a frame).
struct NativeCodec: FrameCodec {
  var isEncapsulated = false
  var name: String { "uncompressed" }

  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  {
    try decode(data, bitOffset: 0, description: d)
  }

  /// `bitOffset` is where the frame starts for BitsAllocated 1, whose frames need not start on a byte.
  func decode(_ data: [UInt8], bitOffset: Int, description d: ImagePixelDescription) throws(ImagingError)
    -> DecodedFrame
  {
    let count = try d.samplesPerFrame
    if d.photometric == .ybrFull422 && d.bitsAllocated == 8 && d.samplesPerPixel == 3 {
      return try decodeYBR422(data, d)
    }
    let needed = d.bitsAllocated == 1 ? (bitOffset + count + 7) / 8 : try d.bytesPerFrame
    guard data.count >= needed else { throw ImagingError.pixelDataTooShort(expected: needed, actual: data.count) }
    var values = SampleUnpacker(d).unpack(data, offset: bitOffset, count: count)
    if d.samplesPerPixel > 1 && d.planarConfiguration == 1 {
      values = SampleUnpacker.interleave(values, samples: d.samplesPerPixel)
    }
    return DecodedFrame(
      width: d.columns, height: d.rows, samplesPerPixel: d.samplesPerPixel, values: values,
      bitsStored: d.bitsStored, isSigned: d.isSigned, photometric: d.photometric)
  }

  /// Interleaved data reduced by `factor` as it is unpacked, a band of rows at a time: a 4000x5000
  /// 16-bit radiograph shown fitted never becomes 80 MB of values. Other layouts decode whole, then reduce.
  func decode(_ data: [UInt8], description d: ImagePixelDescription, downscale factor: Int) throws(ImagingError)
    -> DecodedFrame
  {
    guard factor > 1, d.bitsAllocated >= 8, d.photometric != .ybrFull422,
      d.samplesPerPixel == 1 || d.planarConfiguration == 0
    else {
      return AreaAverage.reduce(try decode(data, bitOffset: 0, description: d), by: factor)
    }
    let needed = try d.bytesPerFrame
    guard data.count >= needed else { throw ImagingError.pixelDataTooShort(expected: needed, actual: data.count) }
    let unpacker = SampleUnpacker(d)
    let rowSamples = d.columns * d.samplesPerPixel
    let rowBytes = rowSamples * d.bitsAllocated / 8
    let shape = DecodedFrame(
      width: d.columns, height: d.rows, samplesPerPixel: d.samplesPerPixel, values: [], bitsStored: d.bitsStored,
      isSigned: d.isSigned, photometric: d.photometric)
    if unpacker.reads16 {
      // 12 to 16 bits in 16 (CT, MR, DX, mammography): words added into the sums as they are read.
      return data.withUnsafeBytes { raw in
        AreaAverage.reduce(like: shape, by: factor) { first, rows, sum in
          for y in first..<(first + rows) {
            let row = raw.baseAddress! + y * rowBytes
            for i in 0..<rowSamples {
              sum[i] += Int64(
                unpacker.value16(UInt16(littleEndian: row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
          }
        }
      }
    }
    return AreaAverage.reduce(like: shape, by: factor) { first, rows, sum in
      let values = unpacker.unpack(data, offset: first * rowBytes, count: rows * rowSamples)
      for y in 0..<rows {
        for i in 0..<rowSamples { sum[i] += Int64(values[y * rowSamples + i]) }
      }
    }
  }

  /// YBR_FULL_422 stores Y1 Y2 Cb Cr for each pair of pixels (PS3.3 C.7.6.3.1.2).
  private func decodeYBR422(_ data: [UInt8], _ d: ImagePixelDescription) throws(ImagingError) -> DecodedFrame {
    let pairsPerRow = (d.columns + 1) / 2
    let needed = d.rows * pairsPerRow * 4
    guard data.count >= needed else { throw ImagingError.pixelDataTooShort(expected: needed, actual: data.count) }
    var values = [Int32](repeating: 0, count: d.rows * d.columns * 3)
    for y in 0..<d.rows {
      for p in 0..<pairsPerRow {
        let i = (y * pairsPerRow + p) * 4
        let cb = Int32(data[i + 2])
        let cr = Int32(data[i + 3])
        for k in 0..<2 where 2 * p + k < d.columns {
          let o = (y * d.columns + 2 * p + k) * 3
          values[o] = Int32(data[i + k])
          values[o + 1] = cb
          values[o + 2] = cr
        }
      }
    }
    return DecodedFrame(
      width: d.columns, height: d.rows, samplesPerPixel: 3, values: values, bitsStored: 8,
      isSigned: false, photometric: .ybrFull)
  }
}

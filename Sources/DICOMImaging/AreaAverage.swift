/// Reduces a frame by an integer factor, each output value the rounded mean of the block of stored
/// values it covers (fewer at the right and bottom edges): how native and other non-scalable data is
/// brought to display resolution (JPEG 2000 and JPEG scale in their codecs). The size rounds up, as
/// JPEG 2000's resolution levels do. Works a band of `factor` rows at a time, so uncompressed data can be
/// unpacked a band at a time too and never whole.
public enum AreaAverage {
  public static func reduce(_ frame: DecodedFrame, by factor: Int) -> DecodedFrame {
    guard factor > 1, frame.width > 0, frame.height > 0 else { return frame }
    let rowLength = frame.width * frame.samplesPerPixel
    return frame.values.withUnsafeBufferPointer { v in
      reduce(like: frame, by: factor) { first, rows, sum in
        for y in first..<(first + rows) {
          let row = y * rowLength
          for i in 0..<rowLength { sum[i] += Int64(v[row + i]) }
        }
      }
    }
  }

  /// A frame shaped like `frame` (its size, samples and kind of values), reduced; `addBand(firstRow,
  /// rowCount, sums)` adds the values of a band of rows, column by column, into `sums` (zero at each band).
  static func reduce(
    like frame: DecodedFrame, by factor: Int,
    addBand: (Int, Int, UnsafeMutableBufferPointer<Int64>) -> Void
  ) -> DecodedFrame {
    let (width, height, s) = (frame.width, frame.height, frame.samplesPerPixel)
    let w = (width + factor - 1) / factor
    let h = (height + factor - 1) / factor
    var values = [Int32](repeating: 0, count: w * h * s)
    // A band's rows summed column by column first (loops that vectorise), then each block's columns.
    var columnSums = [Int64](repeating: 0, count: width * s)
    values.withUnsafeMutableBufferPointer { out in
      columnSums.withUnsafeMutableBufferPointer { sum in
        for by in 0..<h {
          let rows = min(factor, height - by * factor)
          for i in 0..<(width * s) { sum[i] = 0 }
          addBand(by * factor, rows, sum)
          for bx in 0..<w {
            let columns = min(factor, width - bx * factor)
            let count = Int64(rows * columns)
            for c in 0..<s {
              var total: Int64 = 0
              for x in (bx * factor)..<(bx * factor + columns) { total += sum[x * s + c] }
              // Rounded half away from zero, for negative (signed) values too.
              out[(by * w + bx) * s + c] = Int32((total >= 0 ? total + count / 2 : total - count / 2) / count)
            }
          }
        }
      }
    }
    var out = DecodedFrame(
      width: w, height: h, samplesPerPixel: s, values: values, bitsStored: frame.bitsStored,
      isSigned: frame.isSigned, photometric: frame.photometric)
    out.downscale = frame.downscale * factor
    return out
  }
}

import CZlib

/// PNG encoding (8 or 16 bits, gray or RGB): for image export and for terminal protocols that take
/// PNG (kitty, iTerm2).
public enum PNGEncoder {
  /// zlib levels: fast for pictures on a fast terminal; the default (about 5% smaller on a noisy slice,
  /// three times the time) for files and thin links.
  public static let fastLevel: Int32 = 1
  public static let smallLevel: Int32 = 6

  /// An 8-bit raster as PNG.
  public static func encode(_ raster: Raster, level: Int32 = smallLevel) -> [UInt8] {
    encode(
      width: raster.width, height: raster.height, channels: raster.format.channels, bitDepth: 8,
      level: level
    ) { row, out in
      let n = raster.width * raster.format.channels
      out.append(contentsOf: raster.pixels[(row * n)..<((row + 1) * n)])
    }
  }

  /// Samples as PNG; 16-bit samples are given as values 0...65535.
  public static func encode(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [Int]) -> [UInt8] {
    encode(width: width, height: height, channels: channels, bitDepth: bitDepth, level: 6) { row, out in
      let n = width * channels
      for v in samples[(row * n)..<((row + 1) * n)] {
        if bitDepth == 8 {
          out.append(UInt8(clamping: v))
        } else {
          let u = UInt16(clamping: v)
          out.append(UInt8(u >> 8))
          out.append(UInt8(u & 0xFF))
        }
      }
    }
  }

  private static func encode(
    width: Int, height: Int, channels: Int, bitDepth: Int, level: Int32, row: (Int, inout [UInt8]) -> Void
  ) -> [UInt8] {
    var raw: [UInt8] = []
    raw.reserveCapacity(height * (width * channels * bitDepth / 8 + 1))
    for y in 0..<height {
      raw.append(0)  // filter type 0: none (the images are small and zlib does the work)
      row(y, &raw)
    }
    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    var header: [UInt8] = []
    appendBE32(UInt32(width), to: &header)
    appendBE32(UInt32(height), to: &header)
    header += [UInt8(bitDepth), channels == 3 ? 2 : 0, 0, 0, 0]
    appendChunk("IHDR", header, to: &out)
    appendChunk("IDAT", zlibCompress(raw, level: level), to: &out)
    appendChunk("IEND", [], to: &out)
    return out
  }

  static func appendBE32(_ v: UInt32, to out: inout [UInt8]) {
    out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }

  private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
    appendBE32(UInt32(data.count), to: &out)
    let body = Array(type.utf8) + data
    out += body
    let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
    appendBE32(UInt32(crc), to: &out)
  }

  /// zlib (RFC 1950) stream, as PNG's IDAT and kitty's o=z want.
  public static func zlibCompress(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
    var size = compressBound(uLong(data.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = out.withUnsafeMutableBufferPointer { dst in
      data.withUnsafeBufferPointer { src in compress2(dst.baseAddress, &size, src.baseAddress, uLong(src.count), level)
      }
    }
    precondition(status == Z_OK, "zlib compress2 failed with \(status) on a buffer sized by compressBound")
    return Array(out.prefix(Int(size)))
  }
}

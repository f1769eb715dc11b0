import CZlib

/// Encodes images as PNG (8-bit gray or RGB, or 16-bit gray/RGB), PGM/PPM, or raw little-endian samples,
/// so pixels can be compared with other tools.
public enum ImageFileWriter {
  /// PNG of `channels` (1 or 3) samples of `bitDepth` (8 or 16) bits; 16-bit samples come as values 0...65535.
  public static func png(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [Int]) -> [UInt8] {
    let bytesPerSample = bitDepth / 8
    let rowBytes = width * channels * bytesPerSample
    var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
    for y in 0..<height {
      let row = y * (rowBytes + 1)
      raw[row] = 0  // filter: none
      for i in 0..<(width * channels) {
        let v = samples[y * width * channels + i]
        if bytesPerSample == 1 {
          raw[row + 1 + i] = UInt8(clamping: v)
        } else {
          let u = UInt16(clamping: v)
          raw[row + 1 + 2 * i] = UInt8(u >> 8)
          raw[row + 2 + 2 * i] = UInt8(u & 0xFF)
        }
      }
    }
    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    var header: [UInt8] = []
    appendBE32(UInt32(width), to: &header)
    appendBE32(UInt32(height), to: &header)
    header += [UInt8(bitDepth), channels == 3 ? 2 : 0, 0, 0, 0]
    appendChunk("IHDR", header, to: &out)
    appendChunk("IDAT", zlibCompress(raw), to: &out)
    appendChunk("IEND", [], to: &out)
    return out
  }

  /// Binary PGM (1 channel) or PPM (3 channels); maxval 255 or 65535 (big-endian samples).
  public static func pnm(width: Int, height: Int, channels: Int, maxValue: Int, samples: [Int]) -> [UInt8] {
    var out = Array("\(channels == 3 ? "P6" : "P5")\n\(width) \(height)\n\(maxValue)\n".utf8)
    out.reserveCapacity(out.count + samples.count * (maxValue > 255 ? 2 : 1))
    for v in samples {
      if maxValue > 255 {
        let u = UInt16(clamping: v)
        out += [UInt8(u >> 8), UInt8(u & 0xFF)]
      } else {
        out.append(UInt8(clamping: v))
      }
    }
    return out
  }

  /// Raw samples, little-endian, `bytesPerSample` wide, two's complement for negative values.
  public static func raw(samples: [Int32], bytesPerSample: Int) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(samples.count * bytesPerSample)
    for v in samples {
      let u = UInt32(bitPattern: v)
      for k in 0..<bytesPerSample { out.append(UInt8((u >> UInt32(8 * k)) & 0xFF)) }
    }
    return out
  }

  private static func appendBE32(_ v: UInt32, to out: inout [UInt8]) {
    out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }

  private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
    appendBE32(UInt32(data.count), to: &out)
    let body = Array(type.utf8) + data
    out += body
    let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
    appendBE32(UInt32(crc), to: &out)
  }

  private static func zlibCompress(_ data: [UInt8]) -> [UInt8] {
    var size = compressBound(uLong(data.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = out.withUnsafeMutableBufferPointer { dst in
      data.withUnsafeBufferPointer { src in compress2(dst.baseAddress, &size, src.baseAddress, uLong(src.count), 6) }
    }
    precondition(status == Z_OK, "zlib compress2 failed with \(status) on a buffer sized by compressBound")
    return Array(out.prefix(Int(size)))
  }
}

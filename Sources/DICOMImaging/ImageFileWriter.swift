import RasterCore

/// Encodes images as PNG (8-bit gray or RGB, or 16-bit gray/RGB), PGM/PPM, or raw little-endian samples,
/// so pixels can be compared with other tools.
public enum ImageFileWriter {
  /// PNG of `channels` (1 or 3) samples of `bitDepth` (8 or 16) bits; 16-bit samples come as values 0...65535.
  public static func png(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [Int]) -> [UInt8] {
    PNGEncoder.encode(width: width, height: height, channels: channels, bitDepth: bitDepth, samples: samples)
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
}

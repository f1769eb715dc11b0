import Foundation
public import RasterCore

/// The kitty graphics protocol: a PNG (`f=100`: gray images stay one byte a pixel), base64 in chunks of
/// 4096 bytes, an image id the caller reuses so a new frame replaces the old one, and a delete command
/// for exit. The terminal scales the picture into the cells it is given, so it is sent at its own size.
public enum KittyEncoder {
  public static let chunkSize = 4096

  /// Transmits and shows `raster` scaled into `columns` x `rows` cells at the cursor, as image `id`;
  /// `level` is zlib's (1 is fast, 6 a few percent smaller: for thin links).
  public static func encode(
    _ raster: Raster, id: UInt32, columns: Int? = nil, rows: Int? = nil, level: Int32 = PNGEncoder.fastLevel
  ) -> [UInt8] {
    let payload = Base64.encode(PNGEncoder.encode(raster, level: level))
    var control = "a=T,f=100,s=\(raster.width),v=\(raster.height),i=\(id),q=2,C=1"
    if let columns { control += ",c=\(columns)" }
    if let rows { control += ",r=\(rows)" }
    var out: [UInt8] = []
    out.reserveCapacity(payload.count + payload.count / chunkSize * 16 + 64)
    var start = 0
    repeat {
      let end = min(start + chunkSize, payload.count)
      let more = end < payload.count ? 1 : 0
      out += [0x1B, 0x5F, 0x47]  // APC G
      // q=2 on every chunk: some kitty versions answer the last chunk unless it says so itself.
      out += Array((start == 0 ? control + ",m=\(more)" : "q=2,m=\(more)").utf8)
      out.append(0x3B)  // ;
      out += payload[start..<end]
      out += [0x1B, 0x5C]
      start = end
    } while start < payload.count
    return out
  }

  /// Deletes image `id` and frees its data (on exit, so no image is left in the terminal's memory).
  public static func delete(id: UInt32) -> [UInt8] {
    Array("\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\".utf8)
  }

  /// Deletes every image and frees its data (`d=A`; lowercase `a` would keep the data in the terminal).
  public static let deleteAll: [UInt8] = Array("\u{1B}_Ga=d,d=A,q=2\u{1B}\\".utf8)

  /// The query that tells whether the terminal speaks the protocol (answered `OK` by those that do).
  public static let query: [UInt8] = Array("\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\".utf8)
}

/// iTerm2 inline images (OSC 1337), also understood by WezTerm and others: a PNG, base64-encoded.
public enum ITermEncoder {
  public static func encode(
    _ raster: Raster, columns: Int? = nil, rows: Int? = nil, level: Int32 = PNGEncoder.fastLevel
  ) -> [UInt8] {
    let png = PNGEncoder.encode(raster, level: level)
    var args = "inline=1;size=\(png.count);preserveAspectRatio=1"
    if let columns { args += ";width=\(columns)" }
    if let rows { args += ";height=\(rows)" }
    return Array("\u{1B}]1337;File=\(args):".utf8) + Base64.encode(png) + [0x07]
  }
}

/// Standard base64 (RFC 4648) without line breaks.
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ data: [UInt8]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity((data.count + 2) / 3 * 4)
    var i = 0
    while i + 2 < data.count {
      let n = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
      out += [
        alphabet[Int(n >> 18)], alphabet[Int((n >> 12) & 63)], alphabet[Int((n >> 6) & 63)], alphabet[Int(n & 63)],
      ]
      i += 3
    }
    let rest = data.count - i
    if rest > 0 {
      let n = UInt32(data[i]) << 16 | (rest > 1 ? UInt32(data[i + 1]) << 8 : 0)
      out += [alphabet[Int(n >> 18)], alphabet[Int((n >> 12) & 63)]]
      out += rest > 1 ? [alphabet[Int((n >> 6) & 63)], 0x3D] : [0x3D, 0x3D]
    }
    return out
  }
}

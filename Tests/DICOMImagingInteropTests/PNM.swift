import Foundation

/// A binary PGM (P5) or PPM (P6) as peers write them (dcmj2pnm, opj_decompress, djpeg): 8-bit samples, or
/// 16-bit big endian when the maximum is over 255.
struct PNM {
  let width: Int
  let height: Int
  let channels: Int
  let values: [Int]

  init(path: String) throws {
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
    var fields: [String] = []
    var i = 0
    while fields.count < 4 && i < data.count {
      while i < data.count && isSpace(data[i]) { i += 1 }
      if i < data.count && data[i] == 0x23 {
        while i < data.count && data[i] != 0x0A { i += 1 }
        continue
      }
      var token = ""
      while i < data.count && !isSpace(data[i]) {
        token.append(Character(UnicodeScalar(data[i])))
        i += 1
      }
      fields.append(token)
    }
    guard fields.count == 4, fields[0] == "P5" || fields[0] == "P6", let w = Int(fields[1]), let h = Int(fields[2]),
      let maximum = Int(fields[3])
    else { throw PeerFailure("\(path): not a binary PGM or PPM (\(fields))") }
    width = w
    height = h
    channels = fields[0] == "P5" ? 1 : 3
    let body = Array(data[(i + 1)...])
    let count = w * h * channels
    if maximum > 255 {
      guard body.count >= 2 * count else { throw PeerFailure("\(path): short") }
      values = (0..<count).map { Int(body[2 * $0]) << 8 | Int(body[2 * $0 + 1]) }
    } else {
      guard body.count >= count else { throw PeerFailure("\(path): short") }
      values = body.prefix(count).map(Int.init)
    }
  }
}

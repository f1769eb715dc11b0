/// The marker segments of a JPEG stream (ITU T.81 annex B) that the decoders of the project's own need:
/// frame header, Huffman and quantisation tables, restart interval, scan headers.
struct JPEGStream {
  struct Component {
    let id: Int
    let h: Int
    let v: Int
    let tq: Int
  }

  struct Scan {
    struct Selector { let componentIndex: Int; let dc: Int; let ac: Int }
    let selectors: [Selector]
    let ss: Int, se: Int, ah: Int, al: Int
    /// Offset of the entropy-coded data.
    let dataStart: Int
    let dcTables: [Int: HuffmanTable]
    let acTables: [Int: HuffmanTable]
    let restartInterval: Int
  }

  var frameType: UInt8 = 0
  var precision = 0
  var width = 0
  var height = 0
  var components: [Component] = []
  var quantTables: [Int: [Int32]] = [:]
  var scans: [Scan] = []

  static let codec = "JPEG"

  init(_ data: [UInt8]) throws(ImagingError) {
    guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else {
      throw ImagingError.codec(Self.codec, reason: "no SOI marker")
    }
    var dc: [Int: HuffmanTable] = [:]
    var ac: [Int: HuffmanTable] = [:]
    var restart = 0
    var p = 2
    while p + 4 <= data.count {
      guard data[p] == 0xFF else { p += 1; continue }  // tolerate padding between segments
      let marker = data[p + 1]
      if marker == 0xFF { p += 1; continue }
      if marker == 0xD9 { break }
      if (0xD0...0xD7).contains(marker) || marker == 0x01 { p += 2; continue }
      let length = Int(data[p + 2]) << 8 | Int(data[p + 3])
      let start = p + 4
      let end = p + 2 + length
      guard length >= 2, end <= data.count else {
        throw ImagingError.codec(Self.codec, reason: "marker FF\(String(marker, radix: 16)) runs past the end")
      }
      let seg = Array(data[start..<end])
      switch marker {
      case 0xC0, 0xC1, 0xC3:
        try readFrame(seg, type: marker)
      case 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
        throw ImagingError.codec(
          Self.codec, reason: "SOF\(marker - 0xC0) (progressive, hierarchical or arithmetic) is not supported")
      case 0xC4:
        try readHuffman(seg, dc: &dc, ac: &ac)
      case 0xDB:
        try readQuant(seg)
      case 0xDD:
        guard seg.count >= 2 else { throw ImagingError.codec(Self.codec, reason: "short DRI") }
        restart = Int(seg[0]) << 8 | Int(seg[1])
      case 0xDA:
        let scan = try readScan(seg, dataStart: end, dc: dc, ac: ac, restart: restart)
        scans.append(scan)
        p = Self.skipEntropyData(data, from: end)
        continue
      default:
        break  // APPn, COM, DNL...: skipped
      }
      p = end
    }
    guard !components.isEmpty, !scans.isEmpty else { throw ImagingError.codec(Self.codec, reason: "no frame or scan") }
  }

  private mutating func readFrame(_ s: [UInt8], type: UInt8) throws(ImagingError) {
    guard s.count >= 6 else { throw ImagingError.codec(Self.codec, reason: "short SOF") }
    frameType = type
    precision = Int(s[0])
    height = Int(s[1]) << 8 | Int(s[2])
    width = Int(s[3]) << 8 | Int(s[4])
    let n = Int(s[5])
    guard n >= 1, n <= 4, s.count >= 6 + 3 * n, (2...16).contains(precision), width > 0, height > 0 else {
      throw ImagingError.codec(Self.codec, reason: "bad frame header")
    }
    components = (0..<n).map { i in
      Component(id: Int(s[6 + 3 * i]), h: Int(s[7 + 3 * i] >> 4), v: Int(s[7 + 3 * i] & 15), tq: Int(s[8 + 3 * i]))
    }
    guard components.allSatisfy({ (1...4).contains($0.h) && (1...4).contains($0.v) }) else {
      throw ImagingError.codec(Self.codec, reason: "bad sampling factors")
    }
  }

  private func readHuffman(_ s: [UInt8], dc: inout [Int: HuffmanTable], ac: inout [Int: HuffmanTable])
    throws(ImagingError)
  {
    var i = 0
    while i + 17 <= s.count {
      let tc = Int(s[i] >> 4)
      let th = Int(s[i] & 15)
      let counts = Array(s[(i + 1)..<(i + 17)])
      let total = counts.reduce(0) { $0 + Int($1) }
      guard i + 17 + total <= s.count else { throw ImagingError.codec(Self.codec, reason: "short DHT") }
      let table = try HuffmanTable(counts: counts, values: Array(s[(i + 17)..<(i + 17 + total)]))
      if tc == 0 { dc[th] = table } else { ac[th] = table }
      i += 17 + total
    }
  }

  private mutating func readQuant(_ s: [UInt8]) throws(ImagingError) {
    var i = 0
    while i < s.count {
      let pq = Int(s[i] >> 4)
      let tq = Int(s[i] & 15)
      let size = pq == 0 ? 64 : 128
      guard i + 1 + size <= s.count else { throw ImagingError.codec(Self.codec, reason: "short DQT") }
      var table = [Int32](repeating: 0, count: 64)
      for k in 0..<64 {
        let v = pq == 0 ? Int32(s[i + 1 + k]) : Int32(s[i + 1 + 2 * k]) << 8 | Int32(s[i + 2 + 2 * k])
        table[JPEGStream.zigzag[k]] = v
      }
      quantTables[tq] = table
      i += 1 + size
    }
  }

  private func readScan(_ s: [UInt8], dataStart: Int, dc: [Int: HuffmanTable], ac: [Int: HuffmanTable], restart: Int)
    throws(ImagingError) -> Scan
  {
    guard s.count >= 1 else { throw ImagingError.codec(Self.codec, reason: "short SOS") }
    let n = Int(s[0])
    guard n >= 1, n <= 4, s.count >= 1 + 2 * n + 3 else { throw ImagingError.codec(Self.codec, reason: "bad SOS") }
    var selectors: [Scan.Selector] = []
    for i in 0..<n {
      let id = Int(s[1 + 2 * i])
      guard let index = components.firstIndex(where: { $0.id == id }) else {
        throw ImagingError.codec(Self.codec, reason: "scan names unknown component \(id)")
      }
      selectors.append(Scan.Selector(componentIndex: index, dc: Int(s[2 + 2 * i] >> 4), ac: Int(s[2 + 2 * i] & 15)))
    }
    let k = 1 + 2 * n
    return Scan(
      selectors: selectors, ss: Int(s[k]), se: Int(s[k + 1]), ah: Int(s[k + 2] >> 4), al: Int(s[k + 2] & 15),
      dataStart: dataStart, dcTables: dc, acTables: ac, restartInterval: restart)
  }

  /// Offset of the first marker after entropy-coded data (other than stuffing and RSTn).
  static func skipEntropyData(_ d: [UInt8], from start: Int) -> Int {
    var p = start
    while p + 1 < d.count {
      if d[p] == 0xFF {
        let m = d[p + 1]
        if m != 0x00 && m != 0xFF && !(0xD0...0xD7).contains(m) { return p }
      }
      p += 1
    }
    return d.count
  }

  static let zigzag: [Int] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63,
  ]
}

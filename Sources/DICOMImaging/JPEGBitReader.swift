/// Reads the entropy-coded segment of a JPEG scan bit by bit: removes stuffed zero bytes after 0xFF
/// and stops at a marker, after which it supplies zero bits (ITU T.81 F.2.2.5), so a truncated or
/// damaged stream decodes to garbage but never runs past the buffer.
struct JPEGBitReader {
  let data: [UInt8]
  var position: Int
  private var buffer: UInt64 = 0
  private var count = 0
  /// The marker that ended the entropy-coded data, when one was met.
  private(set) var marker: UInt8? = nil

  init(data: [UInt8], position: Int) {
    self.data = data
    self.position = position
  }

  private mutating func fill() {
    while count <= 56 {
      var byte: UInt8 = 0
      if marker == nil && position < data.count {
        byte = data[position]
        if byte == 0xFF {
          let next = position + 1 < data.count ? data[position + 1] : 0xD9
          if next == 0x00 {
            position += 2
          } else if next == 0xFF {
            position += 1  // fill byte before a marker
            continue
          } else {
            marker = next
            byte = 0
          }
        } else {
          position += 1
        }
      }
      buffer |= UInt64(byte) << UInt64(56 - count)
      count += 8
    }
  }

  @inline(__always) mutating func bit() -> Int {
    if count == 0 { fill() }
    let b = Int(buffer >> 63)
    buffer <<= 1
    count -= 1
    return b
  }

  @inline(__always) mutating func bits(_ n: Int) -> Int {
    guard n > 0 else { return 0 }
    if count < n { fill() }
    let v = Int(buffer >> UInt64(64 - n))
    buffer <<= UInt64(n)
    count -= n
    return v
  }

  /// Peeks 16 bits without consuming them.
  @inline(__always) mutating func peek16() -> Int {
    if count < 16 { fill() }
    return Int(buffer >> 48)
  }

  @inline(__always) mutating func skip(_ n: Int) {
    buffer <<= UInt64(n)
    count -= n
  }

  /// Receives `s` bits and extends them to a signed difference (T.81 F.2.2.1 EXTEND).
  @inline(__always) mutating func receiveExtend(_ s: Int) -> Int {
    if s == 0 { return 0 }
    if s >= 16 { return 32768 }
    let v = bits(s)
    return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v
  }

  /// At a restart interval's end: drops remaining bits and consumes the RSTn marker.
  mutating func restart() {
    buffer = 0
    count = 0
    if let m = marker, (0xD0...0xD7).contains(m) {
      position += 2
      marker = nil
      return
    }
    // Marker not yet met: scan forward to the next RST marker.
    while position + 1 < data.count {
      if data[position] == 0xFF, (0xD0...0xD7).contains(data[position + 1]) {
        position += 2
        break
      }
      position += 1
    }
    marker = nil
  }
}

/// A Huffman table (T.81 annex C) with a 9-bit lookup for short codes and canonical search for the rest.
struct HuffmanTable {
  private var lookup = [Int16](repeating: -1, count: 512)  // symbol << 4 | length, for codes of <= 9 bits
  private var maxCode = [Int](repeating: -1, count: 18)
  private var valPtr = [Int](repeating: 0, count: 17)
  private var minCode = [Int](repeating: 0, count: 17)
  private var values: [UInt8] = []

  init(counts: [UInt8], values: [UInt8]) throws(ImagingError) {
    guard counts.count == 16, counts.reduce(0, { $0 + Int($1) }) == values.count, values.count <= 256 else {
      throw ImagingError.codec("JPEG", reason: "bad Huffman table")
    }
    self.values = values
    var code = 0
    var k = 0
    for length in 1...16 {
      let n = Int(counts[length - 1])
      valPtr[length] = k
      minCode[length] = code
      for _ in 0..<n {
        if length <= 9 {
          let shift = 9 - length
          for fill in 0..<(1 << shift) {
            let index = (code << shift) | fill
            if index < 512 { lookup[index] = Int16(Int(values[k]) << 4 | length) }
          }
        }
        code += 1
        k += 1
      }
      maxCode[length] = n > 0 ? code - 1 : -1
      code <<= 1
    }
    maxCode[17] = Int.max
  }

  /// Decodes one symbol; nil for a code not in the table.
  @inline(__always) func decode(_ r: inout JPEGBitReader) -> Int? {
    let peek = r.peek16()
    let fast = Int(lookup[peek >> 7])
    if fast >= 0 {
      r.skip(fast & 15)
      return fast >> 4
    }
    var code = 0
    for length in 1...16 {
      code = (code << 1) | r.bit()
      if maxCode[length] >= 0 && code <= maxCode[length] && code >= minCode[length] {
        return Int(values[valPtr[length] + code - minCode[length]])
      }
    }
    return nil
  }
}

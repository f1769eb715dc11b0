public import DICOM

/// A LUT of PS3.3 C.11.1.1: descriptor (entries, first mapped value, bits per entry) and data.
/// Inputs below the first mapped value use the first entry, inputs past the end the last one.
public struct LookupTable: Sendable, Equatable {
  public let firstMapped: Int
  public let bits: Int
  public let entries: [Int32]

  public init(firstMapped: Int, bits: Int, entries: [Int32]) {
    self.firstMapped = firstMapped
    self.bits = bits
    self.entries = entries
  }

  /// Reads a LUT from an item or dataset holding LUTDescriptor (0028,3002) and LUTData (0028,3006),
  /// or from given descriptor and data tags (palettes).
  public init(
    dataset ds: Dataset, descriptor: Tag = Tag(0x0028, 0x3002), data: Tag = Tag(0x0028, 0x3006), name: String = "LUT"
  ) throws(ImagingError) {
    guard let d = ds.ints(descriptor), d.count == 3 else { throw ImagingError.missingAttribute("\(name) descriptor") }
    // 0 entries means 65536 (C.11.1.1); the first mapped value is US or SS: a value over 32767 given as
    // US with a signed image is read as its signed pattern.
    let count = d[0] == 0 ? 65536 : d[0]
    var first = d[1]
    if first > 32767 && (ds.int(.pixelRepresentation) ?? 0) == 1 { first -= 65536 }
    guard (1...16).contains(d[2]) || d[2] == 0 else {
      throw ImagingError.invalidAttribute("\(name) bits", reason: "\(d[2])")
    }
    let bits = d[2] == 0 ? 16 : d[2]
    guard let element = ds[data] else { throw ImagingError.missingAttribute("\(name) data") }
    let bytes: [UInt8]
    do { bytes = try element.loadedBytes() } catch { throw ImagingError.dataset(error) }
    var values: [Int32]
    if bytes.count >= count * 2 {
      values = (0..<count).map { i in
        let lo = UInt16(bytes[2 * i])
        let hi = UInt16(bytes[2 * i + 1])
        return Int32(ds.byteOrder == .little ? lo | hi << 8 : lo << 8 | hi)
      }
    } else if bits <= 8 && bytes.count >= count {
      values = bytes.prefix(count).map(Int32.init)  // 8-bit entries packed one per byte (seen in the wild)
    } else {
      throw ImagingError.invalidAttribute("\(name) data", reason: "\(bytes.count) bytes for \(count) entries")
    }
    self.init(firstMapped: first, bits: bits, entries: values)
  }

  @inline(__always) public func lookup(_ x: Int) -> Int32 {
    let i = x - firstMapped
    if i <= 0 { return entries[0] }
    if i >= entries.count { return entries[entries.count - 1] }
    return entries[i]
  }

  public var maxOutput: Int32 { Int32((1 << bits) - 1) }
}

/// Segmented palette LUT data (PS3.3 C.7.9.2): discrete, linear and indirect segments expanded to a table.
enum SegmentedLUT {
  static func expand(_ words: [Int], maxEntries: Int) throws(ImagingError) -> [Int32] {
    var out: [Int32] = []
    var i = 0
    var steps = 0
    while i < words.count {
      steps += 1
      guard steps < 1_000_000, out.count <= maxEntries else {
        throw ImagingError.invalidAttribute("segmented LUT", reason: "too long")
      }
      let opcode = words[i]
      guard i + 1 < words.count else { break }
      let length = words[i + 1]
      switch opcode {
      case 0:  // discrete
        guard i + 2 + length <= words.count else {
          throw ImagingError.invalidAttribute("segmented LUT", reason: "short discrete segment")
        }
        out += words[(i + 2)..<(i + 2 + length)].map { Int32($0) }
        i += 2 + length
      case 1:  // linear ramp from the last value to y1 over `length` entries
        guard i + 2 < words.count, let y0 = out.last else {
          throw ImagingError.invalidAttribute("segmented LUT", reason: "linear segment without a start")
        }
        let y1 = Double(words[i + 2])
        for k in 1...max(1, length) {
          out.append(Int32((Double(y0) + (y1 - Double(y0)) * Double(k) / Double(max(1, length))).rounded()))
        }
        i += 3
      case 2:  // indirect: copy `length` segments starting at an offset
        guard i + 3 < words.count else {
          throw ImagingError.invalidAttribute("segmented LUT", reason: "short indirect segment")
        }
        let offset = words[i + 2] | words[i + 3] << 16
        guard offset < i, length < 1000 else {
          throw ImagingError.invalidAttribute("segmented LUT", reason: "bad indirect offset")
        }
        var j = offset
        for _ in 0..<length {
          guard j + 1 < i else { break }
          let op = words[j]
          let n = words[j + 1]
          let segmentEnd = op == 0 ? j + 2 + n : j + (op == 1 ? 3 : 4)
          guard segmentEnd <= i else { break }
          out += try expand(Array(words[j..<segmentEnd]), maxEntries: maxEntries - out.count).dropFirst(op == 1 ? 0 : 0)
          j = segmentEnd
        }
        i += 4
      default:
        throw ImagingError.invalidAttribute("segmented LUT", reason: "opcode \(opcode)")
      }
    }
    return Array(out.prefix(maxEntries))
  }
}

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
    dataset ds: Dataset, descriptor: Tag = Tag.lutDescriptor, data: Tag = Tag.lutData, name: String = "LUT"
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
    while i < words.count {
      guard out.count <= maxEntries else { throw failure("longer than its descriptor") }
      guard words[i] == 2 else {
        i = try appendSegment(words, at: i, limit: words.count, into: &out)
        continue
      }
      // Indirect: `count` segments copied from an earlier offset, each expanded anew (a linear one
      // continues from the value before it, wherever it is copied to).
      guard i + 3 < words.count else { throw failure("short indirect segment") }
      let count = words[i + 1]
      let offset = words[i + 2] | words[i + 3] << 16
      guard offset < i, count < 1000 else { throw failure("bad indirect offset") }
      var j = offset
      for _ in 0..<count {
        guard j < i, words[j] != 2 else { throw failure("indirect segment copies past itself or another indirect") }
        j = try appendSegment(words, at: j, limit: i, into: &out)
      }
      i += 4
    }
    return Array(out.prefix(maxEntries))
  }

  /// Appends one discrete (0) or linear (1) segment starting at `j`, which must end by `limit`; returns
  /// where the next segment starts.
  private static func appendSegment(_ words: [Int], at j: Int, limit: Int, into out: inout [Int32])
    throws(ImagingError) -> Int
  {
    guard j + 1 < limit else { throw failure("segment cut short") }
    let length = words[j + 1]
    switch words[j] {
    case 0:
      guard j + 2 + length <= limit else { throw failure("short discrete segment") }
      out += words[(j + 2)..<(j + 2 + length)].map { Int32($0) }
      return j + 2 + length
    case 1:  // a ramp from the last value to y1 over `length` entries
      guard j + 2 < limit, let y0 = out.last else { throw failure("linear segment without a start") }
      let y1 = Double(words[j + 2])
      let n = Double(max(1, length))
      for k in 1...max(1, length) { out.append(Int32((Double(y0) + (y1 - Double(y0)) * Double(k) / n).rounded())) }
      return j + 3
    default:
      throw failure("opcode \(words[j])")
    }
  }

  private static func failure(_ reason: String) -> ImagingError {
    ImagingError.invalidAttribute("segmented LUT", reason: reason)
  }
}

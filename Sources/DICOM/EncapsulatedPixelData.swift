/// One fragment of encapsulated pixel data: in memory, or still in the file.
public enum Fragment: Sendable, Equatable {
  case bytes([UInt8])
  case deferred(BulkDataReference)

  public var length: Int {
    switch self {
    case .bytes(let b): b.count
    case .deferred(let r): r.length
    }
  }

  public func load() throws(DICOMError) -> [UInt8] {
    switch self {
    case .bytes(let b): b
    case .deferred(let r): try r.load()
    }
  }
}

/// Encapsulated pixel data (PS3.5 A.4): a Basic Offset Table item, then fragments.
public struct EncapsulatedPixelData: Sendable, Equatable {
  /// The Basic Offset Table item's bytes (empty when the table is empty), little endian.
  public var basicOffsetTable: [UInt8]
  public var fragments: [Fragment]

  public init(basicOffsetTable: [UInt8] = [], fragments: [Fragment]) {
    self.basicOffsetTable = basicOffsetTable
    self.fragments = fragments
  }

  /// The Basic Offset Table's entries: offsets of each frame's first fragment item, from the first fragment item.
  public var basicOffsets: [UInt64] {
    stride(from: 0, to: basicOffsetTable.count - 3, by: 4).map { UInt64(readLE32(basicOffsetTable, $0)) }
  }

  /// Which fragments make up each frame, from the Extended Offset Table when there is one, else the
  /// Basic Offset Table, else one frame a fragment, else all fragments in one frame, else frame starts
  /// found by codestream markers (JPEG SOI, JPEG 2000 SOC).
  public func fragmentsPerFrame(numberOfFrames frames: Int, extendedOffsets: [UInt64]? = nil) throws(DICOMError)
    -> [Range<Int>]
  {
    guard frames >= 1 else { throw DICOMError.malformed(tag: .pixelData, offset: 0, reason: "no frames") }
    if let offsets = extendedOffsets, !offsets.isEmpty {
      return try Self.groups(byItemOffsets: offsets, fragments: fragments, frames: frames)
    }
    let bot = basicOffsets
    if !bot.isEmpty {
      return try Self.groups(byItemOffsets: bot, fragments: fragments, frames: frames)
    }
    if fragments.count == frames { return (0..<frames).map { $0..<($0 + 1) } }
    if frames == 1 { return [0..<fragments.count] }
    return try groupsByMarkers(frames: frames)
  }

  private static func groups(byItemOffsets offsets: [UInt64], fragments: [Fragment], frames: Int) throws(DICOMError)
    -> [Range<Int>]
  {
    guard offsets.count == frames else {
      throw DICOMError.malformed(
        tag: .pixelData, offset: 0, reason: "offset table has \(offsets.count) entries for \(frames) frames")
    }
    // Item start offset of every fragment, relative to the first fragment's item tag.
    var starts: [UInt64: Int] = [:]
    var position: UInt64 = 0
    for (i, f) in fragments.enumerated() {
      starts[position] = i
      position += 8 + UInt64(f.length)
    }
    var firsts: [Int] = []
    for o in offsets {
      guard let index = starts[o], firsts.last.map({ index > $0 }) ?? true else {
        throw DICOMError.malformed(tag: .pixelData, offset: 0, reason: "offset \(o) is not a fragment boundary")
      }
      firsts.append(index)
    }
    return firsts.enumerated().map { i, first in first..<(i + 1 < firsts.count ? firsts[i + 1] : fragments.count) }
  }

  private func groupsByMarkers(frames: Int) throws(DICOMError) -> [Range<Int>] {
    var firsts: [Int] = []
    for (i, f) in fragments.enumerated() {
      let head = try f.loadPrefix(4)
      let isStart =
        head.count >= 2 && head[0] == 0xFF && (head[1] == 0xD8 || head[1] == 0x4F)
        || head.count >= 4 && head[0...3] == [0, 0, 0, 0x0C]
      if isStart || i == 0 { firsts.append(i) }
    }
    guard firsts.count == frames else {
      throw DICOMError.malformed(
        tag: .pixelData, offset: 0,
        reason: "\(fragments.count) fragments, no offset table, cannot map them to \(frames) frames")
    }
    return firsts.enumerated().map { i, first in first..<(i + 1 < firsts.count ? firsts[i + 1] : fragments.count) }
  }

  /// The bytes of one frame (0-based), its fragments concatenated.
  public func frame(_ index: Int, numberOfFrames: Int, extendedOffsets: [UInt64]? = nil) throws(DICOMError)
    -> [UInt8]
  {
    let groups = try fragmentsPerFrame(numberOfFrames: numberOfFrames, extendedOffsets: extendedOffsets)
    guard groups.indices.contains(index) else {
      throw DICOMError.malformed(tag: .pixelData, offset: 0, reason: "frame \(index + 1) of \(numberOfFrames)")
    }
    var out: [UInt8] = []
    for i in groups[index] { out += try fragments[i].load() }
    return out
  }
}

extension Fragment {
  func loadPrefix(_ n: Int) throws(DICOMError) -> [UInt8] {
    switch self {
    case .bytes(let b): Array(b.prefix(n))
    case .deferred(let r): try BulkDataReference(path: r.path, offset: r.offset, length: min(n, r.length)).load()
    }
  }
}

@inline(__always)
func readLE32(_ b: [UInt8], _ i: Int) -> UInt32 {
  UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}

public import DICOM

/// Colour conversions of PS3.3 C.7.6.3.1.2: YBR_FULL to RGB, and palette indices to RGB.
public enum Photometric {
  /// YBR_FULL (after any 4:2:2 expansion) to RGB, as pydicom and DCMTK convert by default; other
  /// photometric interpretations are returned unchanged.
  public static func toRGB(_ frame: DecodedFrame) -> DecodedFrame {
    guard frame.samplesPerPixel == 3, frame.photometric == .ybrFull || frame.photometric == .ybrFull422 else {
      return frame
    }
    let maxValue = Double((1 << frame.bitsStored) - 1)
    let half = Double(1 << (frame.bitsStored - 1))
    var out = frame
    var v = frame.values
    for i in stride(from: 0, to: v.count, by: 3) {
      let y = Double(v[i])
      let cb = Double(v[i + 1]) - half
      let cr = Double(v[i + 2]) - half
      v[i] = Int32(min(maxValue, max(0, (y + 1.402 * cr).rounded())))
      v[i + 1] = Int32(min(maxValue, max(0, (y - 0.344136 * cb - 0.714136 * cr).rounded())))
      v[i + 2] = Int32(min(maxValue, max(0, (y + 1.772 * cb).rounded())))
    }
    out.values = v
    out.photometric = .rgb
    return out
  }
}

/// The red, green and blue tables of a PALETTE COLOR image (C.7.6.3.1.5), plain or segmented.
public struct Palette: Sendable, Equatable {
  public let red: LookupTable
  public let green: LookupTable
  public let blue: LookupTable

  public init(dataset ds: Dataset) throws(ImagingError) {
    red = try Self.table(ds, descriptor: 0x1101, data: 0x1201, segmented: 0x1221, name: "Red palette")
    green = try Self.table(ds, descriptor: 0x1102, data: 0x1202, segmented: 0x1222, name: "Green palette")
    blue = try Self.table(ds, descriptor: 0x1103, data: 0x1203, segmented: 0x1223, name: "Blue palette")
  }

  private static func table(_ ds: Dataset, descriptor: UInt16, data: UInt16, segmented: UInt16, name: String)
    throws(ImagingError) -> LookupTable
  {
    let descriptorTag = Tag(0x0028, descriptor)
    if ds[Tag(0x0028, data)] != nil {
      return try LookupTable(dataset: ds, descriptor: descriptorTag, data: Tag(0x0028, data), name: name)
    }
    guard let d = ds.ints(descriptorTag), d.count == 3,
      let words = ds.ints(Tag(0x0028, segmented))
        ?? wordsOf(ds[Tag(0x0028, segmented)], order: ds.byteOrder)
    else {
      throw ImagingError.missingAttribute("\(name) data")
    }
    let count = d[0] == 0 ? 65536 : d[0]
    let entries = try SegmentedLUT.expand(words, maxEntries: count)
    guard !entries.isEmpty else { throw ImagingError.invalidAttribute("\(name) data", reason: "empty") }
    return LookupTable(firstMapped: d[1], bits: d[2] == 0 ? 16 : d[2], entries: entries)
  }

  private static func wordsOf(_ element: Element?, order: ByteOrder) -> [Int]? {
    guard let b = element?.bytes else { return nil }
    return stride(from: 0, to: b.count - 1, by: 2).map { i in
      order == .little ? Int(b[i]) | Int(b[i + 1]) << 8 : Int(b[i]) << 8 | Int(b[i + 1])
    }
  }

  /// 8-bit RGB for a palette index.
  @inline(__always) func rgb8(_ index: Int32) -> (UInt8, UInt8, UInt8) {
    (
      Self.to8(red.lookup(Int(index)), red.bits), Self.to8(green.lookup(Int(index)), green.bits),
      Self.to8(blue.lookup(Int(index)), blue.bits)
    )
  }

  @inline(__always) static func to8(_ v: Int32, _ bits: Int) -> UInt8 {
    bits > 8 ? UInt8(clamping: v >> Int32(bits - 8)) : UInt8(clamping: v)
  }
}

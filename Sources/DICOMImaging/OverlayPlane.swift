public import DICOM

/// An Overlay Plane (PS3.3 C.9.2): a 1-bit graphic or region of interest over the image, in groups 6000
/// to 601E, its bits in Overlay Data (60xx,3000) packed from the least significant bit, one plane a frame
/// of the overlay.
public struct OverlayPlane: Sendable, Equatable {
  public let group: UInt16
  public let rows: Int
  public let columns: Int
  /// Where the overlay's first pixel falls on the image, 1-based (row, column); may lie outside it.
  public let originRow: Int
  public let originColumn: Int
  /// "G" graphics or "R" region of interest.
  public let type: String
  /// Frames of the overlay, and the image frame its first one covers (1-based).
  public let frames: Int
  public let imageFrameOrigin: Int
  /// Whether the object says how many frames the overlay has (else a single overlay covers every frame).
  let framesGiven: Bool
  let bits: [UInt8]
  /// For an overlay kept in an unused high bit of each pixel (retired, still met in older files): that
  /// bit; its `bits` are taken from the frame's pixel data when it is drawn.
  let embeddedBit: Int?

  /// The planes of a dataset with their data, in group order; planes without data or with sizes out of
  /// bounds are left out (nothing to draw is better than a wrong drawing). With the image's `pixel`
  /// description, planes in the high bits of its pixel data too (Overlay Bits Allocated equal to the
  /// pixels', Bit Position above their High Bit).
  public static func planes(in dataset: Dataset, pixel: ImagePixelDescription? = nil) -> [OverlayPlane] {
    var out: [OverlayPlane] = []
    for group in stride(from: UInt16(0x6000), through: 0x601E, by: 2) {
      func tag(_ element: UInt16) -> Tag { Tag(group, element) }
      if dataset[tag(0x3000)] == nil, let pixel, let rows = dataset.int(tag(0x0010)),
        let columns = dataset.int(tag(0x0011)), (1...65535).contains(rows), (1...65535).contains(columns),
        dataset.int(tag(0x0100)) == pixel.bitsAllocated, pixel.bitsAllocated == 16, pixel.samplesPerPixel == 1,
        let bit = dataset.int(tag(0x0102)), bit > pixel.highBit, bit < 16
      {
        let origin = dataset.ints(tag(0x0050)) ?? [1, 1]
        out.append(
          OverlayPlane(
            group: group, rows: rows, columns: columns, originRow: origin.first ?? 1,
            originColumn: origin.count > 1 ? origin[1] : 1, type: (dataset.string(tag(0x0040)) ?? "G").uppercased(),
            frames: 1, imageFrameOrigin: 1, framesGiven: false, bits: [], embeddedBit: bit))
        continue
      }
      guard let dataElement = dataset[tag(0x3000)], let rows = dataset.int(tag(0x0010)),
        let columns = dataset.int(tag(0x0011)), (1...65535).contains(rows), (1...65535).contains(columns),
        var bits = try? dataElement.loadedBytes()
      else { continue }
      let origin = dataset.ints(tag(0x0050)) ?? [1, 1]
      let given = dataset.int(tag(0x0015))
      let frames = max(1, min(given ?? 1, 100_000))
      guard bits.count * 8 >= rows * columns * frames else { continue }
      // OW in big endian holds the bit stream in 16-bit words.
      if dataset.byteOrder == .big && dataElement.vr == .OW { DatasetWriter.swapComponents(&bits, size: 2) }
      out.append(
        OverlayPlane(
          group: group, rows: rows, columns: columns, originRow: origin.first ?? 1,
          originColumn: origin.count > 1 ? origin[1] : 1,
          type: (dataset.string(tag(0x0040)) ?? "G").uppercased(), frames: frames,
          imageFrameOrigin: max(1, dataset.int(tag(0x0051)) ?? 1), framesGiven: given != nil, bits: bits,
          embeddedBit: nil))
    }
    return out
  }

  /// An embedded plane with its bits read from a frame's stored words (little endian, 16 bits each).
  func filled(fromPixelWords words: [UInt8], imageColumns: Int, imageRows: Int) -> OverlayPlane {
    guard let bit = embeddedBit else { return self }
    var packed = [UInt8](repeating: 0, count: (rows * columns + 7) / 8)
    // Only the plane's part over the image is read: a hostile 65535 x 65535 plane costs the image's size.
    let firstRow = max(0, 1 - originRow)
    let firstColumn = max(0, 1 - originColumn)
    let rowRange = firstRow..<max(firstRow, min(rows, imageRows - originRow + 1))
    let columnRange = firstColumn..<max(firstColumn, min(columns, imageColumns - originColumn + 1))
    for r in rowRange where !columnRange.isEmpty {
      let y = originRow - 1 + r
      for c in columnRange {
        let i = 2 * (y * imageColumns + originColumn - 1 + c)
        guard i + 1 < words.count else { continue }
        let word = UInt16(words[i]) | UInt16(words[i + 1]) << 8
        if word >> UInt16(bit) & 1 == 1 {
          let n = r * columns + c
          packed[n >> 3] |= 1 << UInt8(n & 7)
        }
      }
    }
    return OverlayPlane(
      group: group, rows: rows, columns: columns, originRow: originRow, originColumn: originColumn, type: type,
      frames: 1, imageFrameOrigin: 1, framesGiven: false, bits: packed, embeddedBit: nil)
  }

  /// The overlay frame drawn over image frame `imageFrame` (0-based), if any.
  func overlayFrame(for imageFrame: Int) -> Int? {
    if !framesGiven && frames == 1 { return 0 }
    let f = imageFrame - (imageFrameOrigin - 1)
    return (0..<frames).contains(f) ? f : nil
  }

  /// Whether the overlay's bit is set at image pixel (x, y) in its frame `f`.
  @inline(__always) func isSet(x: Int, y: Int, overlayFrame f: Int) -> Bool {
    let r = y - (originRow - 1)
    let c = x - (originColumn - 1)
    guard r >= 0, r < rows, c >= 0, c < columns else { return false }
    let n = f * rows * columns + r * columns + c
    return bits[n >> 3] & (1 << UInt8(n & 7)) != 0
  }

  /// The raster with every set bit drawn at full brightness, as DCMTK's dcmj2pnm draws graphic overlays
  /// by default ("Replace" with foreground density 1). Over a frame decoded at 1/`downscale` a side, a
  /// pixel is drawn when any bit of the block it stands for is set (a one-pixel line stays visible).
  public static func draw(
    _ planes: [OverlayPlane], over pixels: inout [UInt8], width: Int, height: Int,
    channels: Int, imageFrame: Int, downscale: Int = 1
  ) {
    let f = max(1, downscale)
    for plane in planes {
      guard let frame = plane.overlayFrame(for: imageFrame) else { continue }
      let x0 = max(0, plane.originColumn - 1)
      let y0 = max(0, plane.originRow - 1)
      let x1 = min(width * f, plane.originColumn - 1 + plane.columns)
      let y1 = min(height * f, plane.originRow - 1 + plane.rows)
      guard x0 < x1, y0 < y1 else { continue }
      for y in y0..<y1 {
        for x in x0..<x1 where plane.isSet(x: x, y: y, overlayFrame: frame) {
          let i = (y / f * width + x / f) * channels
          for c in 0..<channels { pixels[i + c] = 255 }
        }
      }
    }
  }
}

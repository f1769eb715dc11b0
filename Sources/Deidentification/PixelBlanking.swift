import DICOM

/// The Clean Pixel Data option for native pixel data: regions set to zero in every frame and every
/// sample, where burned-in text is.
enum PixelBlanking {
  static func blank(
    _ regions: [PixelRegion], in dataset: Dataset, transferSyntax: TransferSyntax
  ) throws(DeidentificationError) -> Dataset {
    guard let element = dataset[.pixelData] else { throw .cannotBlank(reason: "the object has no pixel data") }
    if case .fragments = element.value {
      throw .cannotBlank(
        reason: "the pixel data is compressed (\(transferSyntax.name)); decompress it first (dcmdjpeg, gdcmconv --raw)")
    }
    guard let rows = dataset.int(.rows), let columns = dataset.int(.columns), rows > 0, columns > 0,
      let bitsAllocated = dataset.int(.bitsAllocated), [8, 16, 32].contains(bitsAllocated)
    else { throw .cannotBlank(reason: "rows, columns or bits allocated missing or not 8, 16 or 32") }
    let samples = dataset.int(.samplesPerPixel) ?? 1
    let planar = dataset.int(.planarConfiguration) == 1
    let frames = dataset.int(.numberOfFrames) ?? 1
    // Sizes a file states are checked before they are multiplied or anything is read: a header that
    // lies about them is an error, not an overflow.
    guard [1, 3, 4].contains(samples), (1...100_000).contains(frames), rows <= 65535, columns <= 65535 else {
      throw .cannotBlank(reason: "samples per pixel or number of frames out of range")
    }
    let frameBytes = rows * columns * samples * (bitsAllocated / 8)
    let (total, overflow) = frameBytes.multipliedReportingOverflow(by: frames)
    guard !overflow, total <= (element.valueLength ?? 0) else {
      throw .cannotBlank(reason: "the pixel data is shorter than its rows, columns and frames say")
    }
    var bytes: [UInt8]
    switch element.value {
    case .bytes(let b): bytes = b
    case .deferred(let reference):
      do { bytes = try reference.load() } catch { throw .cannotBlank(reason: "\(error)") }
    default: throw .cannotBlank(reason: "the pixel data is not a value")
    }
    let bytesPerSample = bitsAllocated / 8
    guard bytes.count >= total else {
      throw .cannotBlank(reason: "the pixel data is shorter than its rows, columns and frames say")
    }
    for region in regions {
      guard region.x >= 0, region.y >= 0, region.width > 0, region.height > 0,
        region.x + region.width <= columns, region.y + region.height <= rows
      else {
        throw .cannotBlank(
          reason: "region \(region.x),\(region.y),\(region.width),\(region.height) is not inside the "
            + "\(columns)x\(rows) image")
      }
      for frame in 0..<frames {
        for sample in 0..<samples {
          for y in region.y..<(region.y + region.height) {
            for x in region.x..<(region.x + region.width) {
              let index =
                planar
                ? (sample * rows * columns + y * columns + x)
                : ((y * columns + x) * samples + sample)
              let start = frame * frameBytes + index * bytesPerSample
              for b in 0..<bytesPerSample { bytes[start + b] = 0 }
            }
          }
        }
      }
    }
    var out = dataset
    var pixels = element
    pixels.value = .bytes(bytes)
    out.set(pixels)
    return out
  }
}

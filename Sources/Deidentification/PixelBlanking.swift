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
    let samples = max(1, dataset.int(.samplesPerPixel) ?? 1)
    let planar = dataset.int(.planarConfiguration) == 1
    let frames = max(1, dataset.int(.numberOfFrames) ?? 1)
    var bytes: [UInt8]
    switch element.value {
    case .bytes(let b): bytes = b
    case .deferred(let reference):
      do { bytes = try reference.load() } catch { throw .cannotBlank(reason: "\(error)") }
    default: throw .cannotBlank(reason: "the pixel data is not a value")
    }
    let bytesPerSample = bitsAllocated / 8
    let frameBytes = rows * columns * samples * bytesPerSample
    guard bytes.count >= frameBytes * frames else {
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

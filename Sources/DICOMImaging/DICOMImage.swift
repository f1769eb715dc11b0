public import DICOM

/// An image object ready to decode: its dataset, transfer syntax and validated pixel description.
public struct DICOMImage: Sendable {
  public let dataset: Dataset
  public let transferSyntax: TransferSyntax
  public let pixel: ImagePixelDescription
  public let limits: ImagingLimits
  /// Its Overlay Planes, read once with the header (their bits are small), drawn at every render.
  public let overlayPlanes: [OverlayPlane]
  /// Its own Display Shutter (PS3.3 C.7.6.11), drawn unless a presentation state gives another.
  public let shutter: DisplayShutter?
  /// Which fragments hold each frame of encapsulated multi-frame data, found once (from the offset
  /// tables, or the codestreams' markers) rather than at every frame; nil when not found (decoding a
  /// frame then says why).
  let frameFragments: [Range<Int>]?

  public init(file: DICOMFile, limits: ImagingLimits = .default) throws(ImagingError) {
    try self.init(dataset: file.dataset, transferSyntax: file.transferSyntax, limits: limits)
  }

  /// Opens a file for its image: the header is parsed, pixel data stays on disk until a frame is decoded.
  public init(path: String, limits: ImagingLimits = .default) throws(ImagingError) {
    let file: DICOMFile
    do { file = try DICOMFile.read(path: path) } catch { throw ImagingError.dataset(error) }
    try self.init(file: file, limits: limits)
  }

  public init(dataset: Dataset, transferSyntax: TransferSyntax, limits: ImagingLimits = .default) throws(ImagingError) {
    self.dataset = dataset
    self.transferSyntax = transferSyntax
    self.limits = limits
    pixel = try ImagePixelDescription(dataset: dataset, limits: limits)
    overlayPlanes = OverlayPlane.planes(in: dataset, pixel: pixel)
    shutter = DisplayShutter(dataset, overlays: overlayPlanes)
    if case .fragments(let pixels)? = dataset[.pixelData]?.value, pixel.numberOfFrames > 1 {
      frameFragments = try? pixels.fragmentsPerFrame(
        numberOfFrames: pixel.numberOfFrames, extendedOffsets: try dataset.extendedOffsetTable())
    } else {
      frameFragments = nil
    }
  }

  public var frameCount: Int { pixel.numberOfFrames }

  /// The image was (or will be) decoded from a lossy syntax, or says it was lossy compressed once.
  public var isLossy: Bool {
    CodecRegistry.isLossy(transferSyntax) || dataset.string(Tag.lossyImageCompression) == "01"
  }

  /// The factor to decode at for a display of `shown` pixels: the largest power of two (up to 64) by which
  /// the image, its size rounded up, still has at least those pixels.
  public func downscale(toShow shown: (width: Int, height: Int)) -> Int {
    let (columns, rows) = (pixel.columns, pixel.rows)
    var factor = 1
    while factor < 64, (columns + 2 * factor - 1) / (2 * factor) >= shown.width,
      (rows + 2 * factor - 1) / (2 * factor) >= shown.height
    {
      factor *= 2
    }
    return factor
  }

  /// Decodes one frame (0-based) to exact stored values; with `downscale` (a power of two) at about that
  /// fraction of its size a side, for a display smaller than the image (`DecodedFrame.downscale` says
  /// what it got: palette indices and unsigned 32-bit patterns are never averaged, so stay whole).
  public func decodeFrame(_ index: Int, downscale: Int = 1) throws(ImagingError) -> DecodedFrame {
    guard (0..<frameCount).contains(index) else { throw ImagingError.frameOutOfRange(index: index, count: frameCount) }
    guard let element = dataset[.pixelData] else { throw ImagingError.noPixelData }
    var factor = 1
    if !pixel.isPalette && !(pixel.bitsAllocated == 32 && !pixel.isSigned) {
      while factor * 2 <= downscale { factor *= 2 }
    }
    if case .fragments(let pixels) = element.value {
      var bytes: [UInt8] = []
      do {
        if let groups = frameFragments, groups.indices.contains(index) {
          for i in groups[index] { bytes += try pixels.fragments[i].load() }
        } else {
          bytes = try dataset.encapsulatedFrame(index)
        }
      } catch {
        throw ImagingError.dataset(error)
      }
      return try CodecRegistry.codec(for: transferSyntax).decode(
        bytes, description: pixel, limits: limits, downscale: factor)
    }
    guard !transferSyntax.isEncapsulated || transferSyntax.uid == "1.2.840.10008.1.2.1.98" else {
      throw ImagingError.codec(transferSyntax.name, reason: "pixel data is not encapsulated")
    }
    let (bytes, bitOffset) = try nativeFrameBytes(index, element: element)
    if factor > 1 && bitOffset == 0 { return try NativeCodec().decode(bytes, description: pixel, downscale: factor) }
    return AreaAverage.reduce(try NativeCodec().decode(bytes, bitOffset: bitOffset, description: pixel), by: factor)
  }

  /// The overlay planes to draw over a frame: those in the high bits of its pixel data read from it now.
  func overlays(frame: Int) -> [OverlayPlane] {
    guard overlayPlanes.contains(where: { $0.embeddedBit != nil }) else { return overlayPlanes }
    var words: [UInt8]? = nil
    if let element = dataset[.pixelData], !transferSyntax.isEncapsulated {
      words = try? nativeFrameBytes(frame, element: element).0
    }
    return overlayPlanes.compactMap { plane in
      guard plane.embeddedBit != nil else { return plane }
      return words.map { plane.filled(fromPixelWords: $0, imageColumns: pixel.columns, imageRows: pixel.rows) }
    }
  }

  /// The bytes of a native frame, read from the file alone when the value is still on disk, in
  /// little-endian sample order.
  private func nativeFrameBytes(_ index: Int, element: Element) throws(ImagingError) -> ([UInt8], Int) {
    let frameBytes: Int
    var bitOffset = 0
    var start: Int
    if pixel.bitsAllocated == 1 {
      let bits = try pixel.samplesPerFrame
      start = index * bits / 8
      bitOffset = index * bits % 8
      frameBytes = (bitOffset + bits + 7) / 8
    } else if pixel.photometric == .ybrFull422 && pixel.bitsAllocated == 8 && pixel.samplesPerPixel == 3 {
      frameBytes = pixel.rows * ((pixel.columns + 1) / 2) * 4
      start = index * frameBytes
    } else {
      frameBytes = try pixel.bytesPerFrame
      start = index * frameBytes
    }
    // Big endian OW (OL, OF) is swapped in whole words: a frame that starts or ends inside one (8-bit
    // samples, an odd count) is read with the rest of its words, swapped, then cut out.
    let word = dataset.byteOrder == .big && element.vr != .OB ? (pixel.bitsAllocated == 32 ? 4 : 2) : 1
    let first = start / word * word
    let total: Int
    switch element.value {
    case .bytes(let all): total = all.count
    case .deferred(let r): total = r.length
    default: throw ImagingError.noPixelData
    }
    guard start + frameBytes <= total else {
      throw ImagingError.pixelDataTooShort(expected: start + frameBytes, actual: total)
    }
    let end = min(total, (start + frameBytes + word - 1) / word * word)
    var bytes: [UInt8]
    do {
      switch element.value {
      case .bytes(let all): bytes = Array(all[first..<end])
      case .deferred(let r):
        bytes = try BulkDataReference(path: r.path, offset: r.offset + first, length: end - first).load()
      default: throw ImagingError.noPixelData
      }
    } catch let error as ImagingError {
      throw error
    } catch let error as DICOMError {
      throw ImagingError.dataset(error)
    } catch {
      throw ImagingError.noPixelData
    }
    if word > 1 {
      DatasetWriter.swapComponents(&bytes, size: word)
      bytes = Array(bytes[(start - first)..<(start - first + frameBytes)])
    }
    return (bytes, bitOffset)
  }
}

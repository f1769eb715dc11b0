public import DICOM

/// An image object ready to decode: its dataset, transfer syntax and validated pixel description.
public struct DICOMImage: Sendable {
  public let dataset: Dataset
  public let transferSyntax: TransferSyntax
  public let pixel: ImagePixelDescription
  public let limits: ImagingLimits
  /// Its Overlay Planes, read once with the header (their bits are small), drawn at every render.
  public let overlayPlanes: [OverlayPlane]

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
    overlayPlanes = OverlayPlane.planes(in: dataset)
  }

  public var frameCount: Int { pixel.numberOfFrames }

  /// The image was (or will be) decoded from a lossy syntax, or says it was lossy compressed once.
  public var isLossy: Bool {
    CodecRegistry.isLossy(transferSyntax) || dataset.string(Tag.lossyImageCompression) == "01"
  }

  /// Decodes one frame (0-based) to exact stored values.
  public func decodeFrame(_ index: Int) throws(ImagingError) -> DecodedFrame {
    guard (0..<frameCount).contains(index) else { throw ImagingError.frameOutOfRange(index: index, count: frameCount) }
    guard let element = dataset[.pixelData] else { throw ImagingError.noPixelData }
    if case .fragments = element.value {
      let bytes: [UInt8]
      do { bytes = try dataset.encapsulatedFrame(index) } catch { throw ImagingError.dataset(error) }
      return try CodecRegistry.codec(for: transferSyntax).decode(bytes, description: pixel, limits: limits)
    }
    guard !transferSyntax.isEncapsulated || transferSyntax.uid == "1.2.840.10008.1.2.1.98" else {
      throw ImagingError.codec(transferSyntax.name, reason: "pixel data is not encapsulated")
    }
    let (bytes, bitOffset) = try nativeFrameBytes(index, element: element)
    return try NativeCodec().decode(bytes, bitOffset: bitOffset, description: pixel)
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

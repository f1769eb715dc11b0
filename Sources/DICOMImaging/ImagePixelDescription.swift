public import DICOM

/// The Image Pixel module (PS3.3 C.7.6.3) of one image: what the stored pixel data means.
public struct ImagePixelDescription: Sendable, Equatable {
  public var rows: Int
  public var columns: Int
  public var samplesPerPixel: Int
  public var bitsAllocated: Int
  public var bitsStored: Int
  public var highBit: Int
  public var isSigned: Bool
  public var photometric: PhotometricInterpretation
  /// 0: samples interleaved (R1 G1 B1 R2 ...); 1: planes (R1 R2 ... G1 G2 ... B1 B2 ...).
  public var planarConfiguration: Int
  public var numberOfFrames: Int

  public init(
    rows: Int, columns: Int, samplesPerPixel: Int = 1, bitsAllocated: Int, bitsStored: Int, highBit: Int? = nil,
    isSigned: Bool = false, photometric: PhotometricInterpretation = .monochrome2, planarConfiguration: Int = 0,
    numberOfFrames: Int = 1
  ) {
    self.rows = rows
    self.columns = columns
    self.samplesPerPixel = samplesPerPixel
    self.bitsAllocated = bitsAllocated
    self.bitsStored = bitsStored
    self.highBit = highBit ?? bitsStored - 1
    self.isSigned = isSigned
    self.photometric = photometric
    self.planarConfiguration = planarConfiguration
    self.numberOfFrames = numberOfFrames
  }

  /// Reads and validates the module; every size is checked for overflow against `limits`.
  public init(dataset ds: Dataset, limits: ImagingLimits = .default) throws(ImagingError) {
    func required(_ keyword: String, _ tag: Tag) throws(ImagingError) -> Int {
      guard let v = ds.int(tag) else { throw ImagingError.missingAttribute(keyword) }
      return v
    }
    rows = try required("Rows", Tag.rows)
    columns = try required("Columns", Tag.columns)
    bitsAllocated = try required("BitsAllocated", Tag.bitsAllocated)
    samplesPerPixel = ds.int(Tag.samplesPerPixel) ?? 1
    bitsStored = ds.int(Tag.bitsStored) ?? bitsAllocated
    highBit = ds.int(Tag.highBit) ?? (bitsStored - 1)
    isSigned = (ds.int(.pixelRepresentation) ?? 0) == 1
    photometric =
      ds.string(Tag.photometricInterpretation).map(PhotometricInterpretation.init(term:))
      ?? (samplesPerPixel == 3 ? .rgb : .monochrome2)
    planarConfiguration = ds.int(Tag.planarConfiguration) ?? 0
    numberOfFrames = ds.numberOfFrames
    try validate(limits: limits)
  }

  public func validate(limits: ImagingLimits = .default) throws(ImagingError) {
    guard rows > 0, columns > 0, rows <= limits.maxDimension, columns <= limits.maxDimension else {
      throw ImagingError.invalidAttribute("Rows/Columns", reason: "\(rows) x \(columns)")
    }
    guard [1, 8, 16, 32].contains(bitsAllocated) else {
      throw ImagingError.invalidAttribute("BitsAllocated", reason: "\(bitsAllocated)")
    }
    guard bitsStored >= 1, bitsStored <= bitsAllocated else {
      throw ImagingError.invalidAttribute("BitsStored", reason: "\(bitsStored) with BitsAllocated \(bitsAllocated)")
    }
    guard highBit >= bitsStored - 1, highBit < bitsAllocated else {
      throw ImagingError.invalidAttribute("HighBit", reason: "\(highBit) with BitsStored \(bitsStored)")
    }
    guard samplesPerPixel == 1 || samplesPerPixel == 3 else {
      throw ImagingError.invalidAttribute("SamplesPerPixel", reason: "\(samplesPerPixel)")
    }
    guard numberOfFrames >= 1, numberOfFrames <= limits.maxFrames else {
      throw ImagingError.invalidAttribute("NumberOfFrames", reason: "\(numberOfFrames)")
    }
    _ = try samplesPerFrame
    _ = try bytesPerFrame
    guard try samplesPerFrame <= limits.maxSamplesPerFrame else {
      throw ImagingError.sizeOverflow("\(rows) x \(columns) x \(samplesPerPixel) is over the per-frame limit")
    }
  }

  public var pixelsPerFrame: Int { rows * columns }

  /// rows x columns x samples, overflow-checked.
  public var samplesPerFrame: Int {
    get throws(ImagingError) {
      let (a, o1) = rows.multipliedReportingOverflow(by: columns)
      let (b, o2) = a.multipliedReportingOverflow(by: samplesPerPixel)
      guard !o1, !o2 else { throw ImagingError.sizeOverflow("\(rows) x \(columns) x \(samplesPerPixel)") }
      return b
    }
  }

  /// Bytes of one native frame (bit-packed for BitsAllocated 1), overflow-checked.
  public var bytesPerFrame: Int {
    get throws(ImagingError) {
      let samples = try samplesPerFrame
      if bitsAllocated == 1 { return (samples + 7) / 8 }
      let (b, o) = samples.multipliedReportingOverflow(by: bitsAllocated / 8)
      guard !o else { throw ImagingError.sizeOverflow("\(samples) samples x \(bitsAllocated / 8) bytes") }
      return b
    }
  }

  public var isColor: Bool { samplesPerPixel == 3 }
  public var isMonochrome1: Bool { photometric == .monochrome1 }
  public var isPalette: Bool { photometric == .paletteColor }
}

/// Bounds on images from untrusted files.
public struct ImagingLimits: Sendable, Equatable {
  public var maxDimension = 65_535
  /// 64 Mi samples a frame (8192 x 8192 gray, 4729 x 4729 colour): four times a mammogram. It bounds every
  /// decoder's memory and, as their work grows with the pixels, their time (OpenJPEG's included, which
  /// cannot be stopped once it has started).
  public var maxSamplesPerFrame = 1 << 26
  public var maxFrames = 100_000
  /// Decoders of the project's own check the clock and give up past this.
  public var maxDecodeMilliseconds = 10_000

  public init() {}
  public static let `default` = ImagingLimits()
}

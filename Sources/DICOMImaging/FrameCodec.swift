public import DICOM

/// A decoder of one frame's bytes into sample values. Every codec checks that what it decoded has the
/// size the header promises.
public protocol FrameCodec: Sendable {
  var name: String { get }
  func decode(_ data: [UInt8], description: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  /// The frame at about 1/`downscale` of its size a side (rounded up): codecs that can skip detail
  /// (JPEG 2000 resolution levels, JPEG DCT scaling) do; the others decode whole and average areas.
  func decode(_ data: [UInt8], description: ImagePixelDescription, limits: ImagingLimits, downscale: Int)
    throws(ImagingError) -> DecodedFrame
}

extension FrameCodec {
  public func decode(_ data: [UInt8], description: ImagePixelDescription, limits: ImagingLimits, downscale: Int)
    throws(ImagingError) -> DecodedFrame
  {
    AreaAverage.reduce(try decode(data, description: description, limits: limits), by: downscale)
  }
}

extension FrameCodec {
  func checkSize(width: Int, height: Int, samples: Int, _ d: ImagePixelDescription) throws(ImagingError) {
    guard width == d.columns, height == d.rows, samples == d.samplesPerPixel else {
      throw ImagingError.dimensionMismatch(
        expected: "\(d.columns)x\(d.rows)x\(d.samplesPerPixel)", decoded: "\(width)x\(height)x\(samples)")
    }
  }
}

/// Which codec decodes which transfer syntax.
public enum CodecRegistry {
  /// The codec for an encapsulated transfer syntax, or a typed error naming the syntax when there is none.
  public static func codec(for syntax: TransferSyntax) throws(ImagingError) -> any FrameCodec {
    switch syntax.uid {
    case "1.2.840.10008.1.2.1.98": return NativeCodec(isEncapsulated: true)
    case "1.2.840.10008.1.2.5": return RLECodec()
    case "1.2.840.10008.1.2.4.50": return TurboJPEGCodec()
    case "1.2.840.10008.1.2.4.51": return JPEGExtendedCodec()
    case "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70": return JPEGLosslessCodec()
    case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81": return CharLSCodec()
    case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93",
      "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203":
      return OpenJPEGCodec()
    default:
      throw ImagingError.unsupportedTransferSyntax(uid: syntax.uid, name: syntax.name)
    }
  }

  /// Every transfer syntax the pipeline decodes, lossless first: what the Storage SCP accepts as stored.
  public static let decodableTransferSyntaxUIDs: [String] = [
    "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.93", "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.1.98",
  ]

  /// The lossless compressed syntaxes a node is asked to send in when it should compress for the wire
  /// (a node's `compress = true`), best first: JPEG-LS, which peers that transcode (Orthanc, with DCMTK's
  /// codecs) encode fast and about as small as any; JPEG 2000 and HTJ2K for those that encode only
  /// them. Never a lossy one: a peer that picks among what is proposed must not be able to lose pixels.
  public static let losslessWireSyntaxUIDs: [String] = [
    "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.201",
  ]

  /// Lossy syntaxes: the viewer marks images decoded from them.
  public static func isLossy(_ syntax: TransferSyntax) -> Bool {
    [
      "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91",
      "1.2.840.10008.1.2.4.93", "1.2.840.10008.1.2.4.203",
    ].contains(syntax.uid)
  }
}

import CTurboJPEG

/// JPEG Baseline (process 1, 8 bits) through libjpeg-turbo, with its accurate integer DCT as DCMTK uses.
/// Colour comes out as RGB, as pydicom and DCMTK give it by default; a file that says its components are
/// RGB is decoded without libjpeg's guess of YCbCr (`JPEGColourSpace`).
struct TurboJPEGCodec: FrameCodec {
  var name: String { "JPEG Baseline (libjpeg-turbo)" }

  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  {
    try decode(data, description: d, limits: limits, downscale: 1)
  }

  /// Scales in the inverse DCT for a smaller display (1/2, 1/4 or 1/8 a side: fewer coefficients and
  /// pixels to compute), and averages areas for what is left of the factor.
  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits, downscale: Int)
    throws(ImagingError) -> DecodedFrame
  {
    guard let handle = tjInitDecompress() else { throw ImagingError.codec(name, reason: "cannot initialise") }
    defer { tjDestroy(handle) }
    var source = JPEGColourSpace.stream(data, photometric: d.photometric)
    let header = try Self.header(handle, &source, codec: name)
    var (width, height) = (header.width, header.height)
    let gray = header.gray
    let samples = gray ? 1 : 3
    // Check the header before letting the library allocate anything for the pixels.
    try checkSize(width: Int(width), height: Int(height), samples: samples, d)
    let scale = downscale >= 8 ? 8 : downscale >= 4 ? 4 : downscale >= 2 ? 2 : 1
    // libjpeg-turbo's scaled size (TJSCALED): rounded up.
    width = (width + Int32(scale) - 1) / Int32(scale)
    height = (height + Int32(scale) - 1) / Int32(scale)
    var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * samples)
    let format = gray ? TJPF_GRAY : TJPF_RGB
    let status = source.withUnsafeMutableBufferPointer { src in
      pixels.withUnsafeMutableBufferPointer { dst in
        tjDecompress2(
          handle, src.baseAddress, UInt(src.count), dst.baseAddress, width, 0, height,
          Int32(format.rawValue), TJFLAG_ACCURATEDCT)
      }
    }
    guard status == 0 else { throw ImagingError.codec(name, reason: message(handle)) }
    var frame = DecodedFrame(
      width: Int(width), height: Int(height), samplesPerPixel: samples, values: pixels.map(Int32.init),
      bitsStored: 8, isSigned: false, photometric: gray ? d.photometric : .rgb)
    frame.downscale = scale
    return AreaAverage.reduce(frame, by: downscale / scale)
  }

  private func message(_ handle: tjhandle) -> String { Self.message(handle) }

  static func message(_ handle: tjhandle) -> String { String(cString: tjGetErrorStr2(handle)) }

  /// A JPEG stream's size and whether it is gray, read before anything is allocated for its pixels.
  static func header(_ handle: tjhandle, _ source: inout [UInt8], codec: String) throws(ImagingError)
    -> (width: Int32, height: Int32, gray: Bool)
  {
    var width: Int32 = 0
    var height: Int32 = 0
    var subsampling: Int32 = 0
    var colorspace: Int32 = 0
    let status = source.withUnsafeMutableBufferPointer { b in
      tjDecompressHeader3(handle, b.baseAddress, UInt(b.count), &width, &height, &subsampling, &colorspace)
    }
    guard status == 0 else { throw ImagingError.codec(codec, reason: message(handle)) }
    return (width, height, colorspace == Int32(TJCS_GRAY.rawValue))
  }
}

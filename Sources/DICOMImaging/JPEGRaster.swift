import CTurboJPEG
public import RasterCore

/// A JPEG as a raster: a server-rendered preview (WADO-RS `/rendered`), already windowed by the server.
/// Untrusted bytes: the header's size is checked before anything is allocated for the pixels.
public enum JPEGRaster {
  public static func decode(_ data: [UInt8], maxPixels: Int = 16 << 20) throws(ImagingError) -> Raster {
    let name = "JPEG preview"
    guard let handle = tjInitDecompress() else { throw ImagingError.codec(name, reason: "cannot initialise") }
    defer { tjDestroy(handle) }
    var source = data
    let (width, height, gray) = try TurboJPEGCodec.header(handle, &source, codec: name)
    guard width > 0, height > 0, Int(width) * Int(height) <= maxPixels else {
      throw ImagingError.sizeOverflow("a \(width)x\(height) preview")
    }
    var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * (gray ? 1 : 3))
    let status = source.withUnsafeMutableBufferPointer { src in
      pixels.withUnsafeMutableBufferPointer { dst in
        tjDecompress2(
          handle, src.baseAddress, UInt(src.count), dst.baseAddress, width, 0, height,
          Int32((gray ? TJPF_GRAY : TJPF_RGB).rawValue), TJFLAG_ACCURATEDCT)
      }
    }
    guard status == 0 else { throw ImagingError.codec(name, reason: TurboJPEGCodec.message(handle)) }
    return Raster(width: Int(width), height: Int(height), format: gray ? .gray8 : .rgb8, pixels: pixels)
  }
}

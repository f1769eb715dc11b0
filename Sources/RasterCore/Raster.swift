/// An 8-bit image ready for display: gray (one byte a pixel) or RGB (three, interleaved).
/// Shared by the pixel pipeline, which makes it, and terminal graphics, which draws it; it knows
/// nothing of DICOM.
public struct Raster: Sendable, Equatable {
  public enum Format: Sendable, Equatable {
    case gray8, rgb8

    public var channels: Int { self == .gray8 ? 1 : 3 }
  }

  public let width: Int
  public let height: Int
  public let format: Format
  public var pixels: [UInt8]

  public init(width: Int, height: Int, format: Format, pixels: [UInt8]) {
    precondition(pixels.count == width * height * format.channels, "raster size mismatch")
    self.width = width
    self.height = height
    self.format = format
    self.pixels = pixels
  }

  public init(width: Int, height: Int, format: Format, fill: UInt8 = 0) {
    self.init(
      width: width, height: height, format: format,
      pixels: [UInt8](repeating: fill, count: width * height * format.channels))
  }

  /// Number of distinct gray levels (for gray rasters) or distinct colours.
  public var distinctValues: Int {
    if format == .gray8 { return Set(pixels).count }
    var seen = Set<UInt32>()
    for i in stride(from: 0, to: pixels.count, by: 3) {
      seen.insert(UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2]))
    }
    return seen.count
  }
}

/// One frame's sample values after decompression and before any LUT: exact stored values,
/// sign-extended, samples interleaved (R G B R G B ... for colour).
public struct DecodedFrame: Sendable, Equatable {
  public let width: Int
  public let height: Int
  public let samplesPerPixel: Int
  public var values: [Int32]
  /// Bits of each value that carry data (BitsStored, or the codec's precision).
  public let bitsStored: Int
  public let isSigned: Bool
  /// The photometric interpretation of `values`: codecs that convert colour (JPEG YBR to RGB) say so.
  public var photometric: PhotometricInterpretation
  /// How many stored pixels a side each value stands for: 1 at full resolution, 2 or more when the frame
  /// was decoded for a smaller display (a JPEG 2000 resolution level, JPEG DCT scaling, area averages).
  public var downscale = 1

  public init(
    width: Int, height: Int, samplesPerPixel: Int, values: [Int32], bitsStored: Int, isSigned: Bool,
    photometric: PhotometricInterpretation
  ) {
    self.width = width
    self.height = height
    self.samplesPerPixel = samplesPerPixel
    self.values = values
    self.bitsStored = bitsStored
    self.isSigned = isSigned
    self.photometric = photometric
  }

  /// Unsigned 32-bit samples do not fit an Int32: `values` holds their bit patterns, and `numeric`
  /// gives what they stand for.
  public var holdsUnsigned32: Bool { !isSigned && bitsStored >= 32 }

  /// The number a stored value stands for (an unsigned 32-bit sample read from its bit pattern).
  @inline(__always) public func numeric(_ stored: Int32) -> Int64 {
    holdsUnsigned32 ? Int64(UInt32(bitPattern: stored)) : Int64(stored)
  }

  /// The value of sample `s` at (x, y).
  public func value(x: Int, y: Int, sample s: Int = 0) -> Int32 {
    values[(y * width + x) * samplesPerPixel + s]
  }

  /// Smallest and largest representable stored values.
  public var storedRange: ClosedRange<Int32> {
    let bits = Int64(min(bitsStored, 32))
    let low = isSigned ? -(Int64(1) << (bits - 1)) : 0
    let high = isSigned ? (Int64(1) << (bits - 1)) - 1 : (Int64(1) << bits) - 1
    return Int32(clamping: low)...Int32(clamping: high)
  }
}

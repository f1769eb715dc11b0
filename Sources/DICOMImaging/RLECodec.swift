/// RLE Lossless (PS3.5 annex G): a 64-byte header of segment offsets, then PackBits segments, one per
/// byte of each sample, most significant byte first.
struct RLECodec: FrameCodec {
  var name: String { "RLE" }

  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  {
    guard d.bitsAllocated % 8 == 0 else {
      throw ImagingError.codec(name, reason: "BitsAllocated \(d.bitsAllocated) cannot be RLE encoded")
    }
    guard data.count >= 64 else { throw ImagingError.codec(name, reason: "header of \(data.count) bytes") }
    let bytesPerSample = d.bitsAllocated / 8
    let expectedSegments = d.samplesPerPixel * bytesPerSample
    let segments = Int(readUInt32(data, 0))
    guard segments == expectedSegments, segments <= 15 else {
      throw ImagingError.codec(name, reason: "\(segments) segments, \(expectedSegments) expected")
    }
    var offsets: [Int] = (0..<segments).map { Int(readUInt32(data, 4 + 4 * $0)) }
    offsets.append(data.count)
    for i in 0..<segments where !(offsets[i] >= 64 && offsets[i] <= offsets[i + 1]) {
      throw ImagingError.codec(name, reason: "segment \(i + 1) offset \(offsets[i]) is out of order or past the end")
    }
    let pixels = d.pixelsPerFrame
    // PackBits makes at most 128 bytes from 2: a segment shorter than that allows cannot hold a plane of
    // the declared size, and nothing is allocated for it.
    for s in 0..<segments where (offsets[s + 1] - offsets[s]) * 64 < pixels {
      throw ImagingError.codec(
        name, reason: "segment \(s + 1) of \(offsets[s + 1] - offsets[s]) bytes cannot hold \(pixels) samples")
    }
    // Reassemble little-endian samples, planar by sample, then unpack as native data.
    var native = [UInt8](repeating: 0, count: pixels * expectedSegments)
    let deadline = Deadline(milliseconds: limits.maxDecodeMilliseconds)
    for s in 0..<segments {
      let sample = s / bytesPerSample
      let byteIndex = bytesPerSample - 1 - s % bytesPerSample  // MSB segment first
      let plane = try unpackBits(data, from: offsets[s], to: offsets[s + 1], count: pixels, deadline: deadline)
      let base = sample * pixels * bytesPerSample + byteIndex
      for i in 0..<pixels { native[base + i * bytesPerSample] = plane[i] }
    }
    var planar = d
    planar.planarConfiguration = 1
    return try NativeCodec().decode(native, bitOffset: 0, description: planar)
  }

  /// PackBits: a header byte n; 0...127 copies n+1 bytes, -127...-1 repeats the next byte 1-n times.
  func unpackBits(_ data: [UInt8], from start: Int, to end: Int, count: Int, deadline: Deadline) throws(ImagingError)
    -> [UInt8]
  {
    var out = [UInt8](repeating: 0, count: count)
    var o = 0
    var i = start
    while o < count && i < end {
      let n = Int(Int8(bitPattern: data[i]))
      i += 1
      if n >= 0 {
        let run = min(n + 1, count - o, end - i)
        guard run > 0 else { break }
        for k in 0..<run { out[o + k] = data[i + k] }
        o += run
        i += n + 1
      } else if n != -128 {
        guard i < end else { break }
        let run = min(1 - n, count - o)
        let v = data[i]
        for k in 0..<run { out[o + k] = v }
        o += run
        i += 1
      }
      if o & 0xFFFF == 0, deadline.passed { throw ImagingError.decodeTimeExceeded(milliseconds: deadline.milliseconds) }
    }
    guard o == count else {
      throw ImagingError.codec(name, reason: "segment decodes to \(o) bytes, \(count) expected")
    }
    // Encoders pad a segment to even length: more left over means the header's size is wrong.
    guard end - i <= 1 else {
      throw ImagingError.codec(name, reason: "segment holds \(end - i) bytes past rows x columns")
    }
    return out
  }
}

func readUInt32(_ b: [UInt8], _ i: Int) -> UInt32 {
  UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}

/// A time limit for decoders of the project's own, checked every so often in their loops.
struct Deadline {
  let milliseconds: Int
  private let end: ContinuousClock.Instant

  init(milliseconds: Int) {
    self.milliseconds = milliseconds
    end = ContinuousClock.now + .milliseconds(milliseconds)
  }

  var passed: Bool { ContinuousClock.now > end }
}

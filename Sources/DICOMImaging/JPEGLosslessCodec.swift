/// JPEG Lossless, processes 14 and 14 SV1 (ITU T.81 annex H), decoded by the project's own code:
/// Debian's libjpeg-turbo cannot. Predictors 1 to 7, point transform, restart intervals, interleaved
/// and non-interleaved scans.
struct JPEGLosslessCodec: FrameCodec {
  var name: String { "JPEG Lossless" }

  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  {
    let stream = try JPEGStream(data)
    guard stream.frameType == 0xC3 else {
      throw ImagingError.codec(name, reason: "frame is not lossless (SOF\(stream.frameType - 0xC0))")
    }
    try checkSize(width: stream.width, height: stream.height, samples: stream.components.count, d)
    guard stream.components.allSatisfy({ $0.h == 1 && $0.v == 1 }) else {
      throw ImagingError.codec(name, reason: "subsampled lossless JPEG is not supported")
    }
    let w = stream.width
    let h = stream.height
    let nc = stream.components.count
    var planes = [[Int32]](repeating: [Int32](repeating: 0, count: w * h), count: nc)
    let deadline = Deadline(milliseconds: limits.maxDecodeMilliseconds)
    for scan in stream.scans {
      try decodeScan(scan, stream: stream, data: data, planes: &planes, deadline: deadline)
    }
    var values = [Int32](repeating: 0, count: w * h * nc)
    for c in 0..<nc {
      let plane = planes[c]
      for i in 0..<(w * h) { values[i * nc + c] = plane[i] }
    }
    // Signed images are stored as their two's complement bit patterns (PS3.5 8.2.1).
    if d.isSigned { signExtend(&values, bits: d.bitsStored) }
    return DecodedFrame(
      width: w, height: h, samplesPerPixel: nc, values: values, bitsStored: d.bitsStored,
      isSigned: d.isSigned, photometric: d.photometric)
  }

  private func decodeScan(
    _ scan: JPEGStream.Scan, stream: JPEGStream, data: [UInt8], planes: inout [[Int32]], deadline: Deadline
  ) throws(ImagingError) {
    let w = stream.width
    let h = stream.height
    let predictor = scan.ss
    let pt = scan.al
    guard (0...7).contains(predictor), pt < stream.precision else {
      throw ImagingError.codec(name, reason: "predictor \(predictor), point transform \(pt)")
    }
    var tables: [HuffmanTable] = []
    for s in scan.selectors {
      guard let t = scan.dcTables[s.dc] else { throw ImagingError.codec(name, reason: "missing Huffman table \(s.dc)") }
      tables.append(t)
    }
    let mask = (1 << (stream.precision - pt)) - 1
    let initial = 1 << (stream.precision - pt - 1)
    var reader = JPEGBitReader(data: data, position: scan.dataStart)
    let restart = scan.restartInterval
    var sinceRestart = 0
    var intervalStartRow = 0
    for y in 0..<h {
      for x in 0..<w {
        if restart > 0 && sinceRestart == restart {
          reader.restart()
          sinceRestart = 0
        }
        if sinceRestart == 0 { intervalStartRow = y }
        let i = y * w + x
        for (k, sel) in scan.selectors.enumerated() {
          guard let ssss = tables[k].decode(&reader), ssss <= 16 else {
            throw ImagingError.codec(name, reason: "bad Huffman code at row \(y)")
          }
          let diff = reader.receiveExtend(ssss)
          let prediction: Int
          if sinceRestart == 0 {
            prediction = initial  // first sample of the scan and of each restart interval
          } else if y == intervalStartRow {
            prediction = Int(planes[sel.componentIndex][i - 1]) >> pt  // first line: left neighbour
          } else if x == 0 {
            prediction = Int(planes[sel.componentIndex][i - w]) >> pt  // line start: the sample above
          } else {
            prediction = Self.predict(predictor, plane: planes[sel.componentIndex], i: i, w: w, pt: pt)
          }
          planes[sel.componentIndex][i] = Int32(((prediction + diff) & mask) << pt)
        }
        sinceRestart += 1
      }
      if y & 63 == 0, deadline.passed { throw ImagingError.decodeTimeExceeded(milliseconds: deadline.milliseconds) }
    }
  }

  /// Predictors of T.81 table H.1 from the left (a), upper (b) and upper-left (c) neighbours.
  @inline(__always)
  static func predict(_ selection: Int, plane: [Int32], i: Int, w: Int, pt: Int) -> Int {
    let ra = Int(plane[i - 1]) >> pt
    let rb = Int(plane[i - w]) >> pt
    let rc = Int(plane[i - w - 1]) >> pt
    switch selection {
    case 1: return ra
    case 2: return rb
    case 3: return rc
    case 4: return ra + rb - rc
    case 5: return ra + ((rb - rc) >> 1)
    case 6: return rb + ((ra - rc) >> 1)
    case 7: return (ra + rb) >> 1
    default: return ra
    }
  }
}

/// Sign-extends `bits`-bit two's complement patterns held in the low bits of each value.
func signExtend(_ values: inout [Int32], bits: Int) {
  guard bits < 32 else { return }
  let shift = Int32(32 - bits)
  for i in values.indices { values[i] = (values[i] << shift) >> shift }
}

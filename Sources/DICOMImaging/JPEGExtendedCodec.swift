import Foundation

/// JPEG Extended (process 2 and 4: DCT, Huffman, 8 or 12 bits), decoded by the project's own code
/// because Debian's libjpeg-turbo rejects 12-bit data. Sequential scans only, interleaved or not,
/// any sampling factors (chroma upsampled by replication).
struct JPEGExtendedCodec: FrameCodec {
  var name: String { "JPEG Extended" }

  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  {
    let stream = try JPEGStream(data)
    guard stream.frameType == 0xC0 || stream.frameType == 0xC1 else {
      throw ImagingError.codec(name, reason: "frame is not sequential DCT (SOF\(stream.frameType - 0xC0))")
    }
    try checkSize(width: stream.width, height: stream.height, samples: stream.components.count, d)
    // 8-bit streams go to libjpeg-turbo, whose upsampling and colour conversion are libjpeg's own, as the
    // peers' decoders (dcmdjpeg) use; the codestream's precision decides, not the header's claim.
    if stream.precision == 8 { return try TurboJPEGCodec().decode(data, description: d, limits: limits) }
    let hMax = stream.components.map(\.h).max() ?? 1
    let vMax = stream.components.map(\.v).max() ?? 1
    let mcuColumns = (stream.width + 8 * hMax - 1) / (8 * hMax)
    let mcuRows = (stream.height + 8 * vMax - 1) / (8 * vMax)
    // Coefficient blocks per component, over the padded MCU grid.
    var blocksWide: [Int] = []
    var blocksHigh: [Int] = []
    var coefficients: [[Int32]] = []
    for c in stream.components {
      blocksWide.append(mcuColumns * c.h)
      blocksHigh.append(mcuRows * c.v)
      coefficients.append([Int32](repeating: 0, count: mcuColumns * c.h * mcuRows * c.v * 64))
    }
    let deadline = Deadline(milliseconds: limits.maxDecodeMilliseconds)
    for scan in stream.scans {
      guard scan.ss == 0, scan.se == 63, scan.ah == 0, scan.al == 0 else {
        throw ImagingError.codec(name, reason: "progressive scan is not supported")
      }
      try decodeScan(
        scan, stream, data, mcuColumns: mcuColumns, mcuRows: mcuRows, blocksWide: blocksWide,
        blocksHigh: blocksHigh, coefficients: &coefficients, deadline: deadline)
    }
    // Dequantise, inverse DCT, level shift, and upsample each component to the full image.
    let w = stream.width
    let h = stream.height
    let nc = stream.components.count
    let maxValue = Int32((1 << stream.precision) - 1)
    let shift = Int32(1 << (stream.precision - 1))
    var values = [Int32](repeating: 0, count: w * h * nc)
    var block = [Double](repeating: 0, count: 64)
    var pixels = [Int32](repeating: 0, count: 64)
    for (ci, comp) in stream.components.enumerated() {
      guard let q = stream.quantTables[comp.tq] else {
        throw ImagingError.codec(name, reason: "missing quantisation table")
      }
      let bw = blocksWide[ci]
      let bh = blocksHigh[ci]
      let sx = hMax / comp.h
      let sy = vMax / comp.v
      for by in 0..<bh {
        for bx in 0..<bw {
          let base = (by * bw + bx) * 64
          for k in 0..<64 { block[k] = Double(coefficients[ci][base + k]) * Double(q[k]) }
          InverseDCT.transform(&block)
          for k in 0..<64 { pixels[k] = Int32(max(0, min(Double(maxValue), block[k].rounded() + Double(shift)))) }
          for yy in 0..<8 {
            for xx in 0..<8 {
              let v = pixels[yy * 8 + xx]
              for dy in 0..<sy {
                let y = (by * 8 + yy) * sy + dy
                guard y < h else { continue }
                for dx in 0..<sx {
                  let x = (bx * 8 + xx) * sx + dx
                  if x < w { values[(y * w + x) * nc + ci] = v }
                }
              }
            }
          }
        }
      }
    }
    if d.isSigned { signExtend(&values, bits: d.bitsStored) }
    let photometric: PhotometricInterpretation = nc == 3 && d.photometric.isYBR ? .ybrFull : d.photometric
    return DecodedFrame(
      width: w, height: h, samplesPerPixel: nc, values: values, bitsStored: d.bitsStored,
      isSigned: d.isSigned, photometric: photometric)
  }

  private func decodeScan(
    _ scan: JPEGStream.Scan, _ stream: JPEGStream, _ data: [UInt8], mcuColumns: Int, mcuRows: Int, blocksWide: [Int],
    blocksHigh: [Int], coefficients: inout [[Int32]], deadline: Deadline
  ) throws(ImagingError) {
    var dcTables: [HuffmanTable] = []
    var acTables: [HuffmanTable] = []
    for s in scan.selectors {
      guard let dc = scan.dcTables[s.dc], let ac = scan.acTables[s.ac] else {
        throw ImagingError.codec(name, reason: "missing Huffman table")
      }
      dcTables.append(dc)
      acTables.append(ac)
    }
    var reader = JPEGBitReader(data: data, position: scan.dataStart)
    var predictors = [Int](repeating: 0, count: scan.selectors.count)
    var mcusSinceRestart = 0

    func decodeBlock(_ k: Int, into base: Int, component: Int) throws(ImagingError) {
      guard let t = dcTables[k].decode(&reader), t <= 16 else { throw ImagingError.codec(name, reason: "bad DC code") }
      predictors[k] += reader.receiveExtend(t)
      coefficients[component][base] = Int32(truncatingIfNeeded: predictors[k])
      var i = 1
      while i < 64 {
        guard let rs = acTables[k].decode(&reader) else { throw ImagingError.codec(name, reason: "bad AC code") }
        let r = rs >> 4
        let s = rs & 15
        if s == 0 {
          if r != 15 { break }
          i += 16
          continue
        }
        i += r
        guard i < 64 else { throw ImagingError.codec(name, reason: "AC run past the block") }
        coefficients[component][base + JPEGStream.zigzag[i]] = Int32(reader.receiveExtend(s))
        i += 1
      }
    }

    func restartIfDue() {
      if scan.restartInterval > 0 && mcusSinceRestart == scan.restartInterval {
        reader.restart()
        predictors = [Int](repeating: 0, count: predictors.count)
        mcusSinceRestart = 0
      }
    }

    if scan.selectors.count == 1 {
      // Non-interleaved: blocks of one component in raster order over its own (unpadded) block grid.
      let ci = scan.selectors[0].componentIndex
      let comp = stream.components[ci]
      let hMax = stream.components.map(\.h).max() ?? 1
      let vMax = stream.components.map(\.v).max() ?? 1
      let compWidth = (stream.width * comp.h + hMax - 1) / hMax
      let compHeight = (stream.height * comp.v + vMax - 1) / vMax
      let wide = (compWidth + 7) / 8
      let high = (compHeight + 7) / 8
      for by in 0..<high {
        for bx in 0..<wide {
          restartIfDue()
          try decodeBlock(0, into: (by * blocksWide[ci] + bx) * 64, component: ci)
          mcusSinceRestart += 1
        }
        if by & 15 == 0, deadline.passed { throw ImagingError.decodeTimeExceeded(milliseconds: deadline.milliseconds) }
      }
      return
    }
    for my in 0..<mcuRows {
      for mx in 0..<mcuColumns {
        restartIfDue()
        for (k, sel) in scan.selectors.enumerated() {
          let comp = stream.components[sel.componentIndex]
          for v in 0..<comp.v {
            for h in 0..<comp.h {
              let bx = mx * comp.h + h
              let by = my * comp.v + v
              try decodeBlock(k, into: (by * blocksWide[sel.componentIndex] + bx) * 64, component: sel.componentIndex)
            }
          }
        }
        mcusSinceRestart += 1
      }
      if deadline.passed { throw ImagingError.decodeTimeExceeded(milliseconds: deadline.milliseconds) }
    }
  }
}

/// The 8x8 inverse DCT of T.81 A.3.3, separable, in double precision.
enum InverseDCT {
  static let cosines: [Double] = {
    var t = [Double](repeating: 0, count: 64)
    for x in 0..<8 {
      for u in 0..<8 {
        let cu = u == 0 ? 1 / 2.0.squareRoot() : 1
        t[x * 8 + u] = cu * cos(Double(2 * x + 1) * Double(u) * Double.pi / 16) / 2
      }
    }
    return t
  }()

  static func transform(_ block: inout [Double]) {
    var tmp = [Double](repeating: 0, count: 64)
    let c = cosines
    for y in 0..<8 {  // rows: frequency v -> spatial y, per column u
      for u in 0..<8 {
        var sum = 0.0
        for v in 0..<8 { sum += c[y * 8 + v] * block[v * 8 + u] }
        tmp[y * 8 + u] = sum
      }
    }
    for y in 0..<8 {
      for x in 0..<8 {
        var sum = 0.0
        for u in 0..<8 { sum += c[x * 8 + u] * tmp[y * 8 + u] }
        block[y * 8 + x] = sum
      }
    }
  }
}

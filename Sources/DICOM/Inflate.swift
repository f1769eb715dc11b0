import CZlib

/// Raw deflate (RFC 1951, no zlib header) as Deflated Explicit VR Little Endian uses (PS3.5 A.5).
enum Inflate {
  /// Inflates `input`, refusing to produce more than `Limits.inflateCap(forDeflated:)` bytes: the cap is
  /// checked as each chunk comes out, so a bomb is refused before it has grown past it.
  /// `offset` is where the stream starts in the file, for error messages.
  static func raw(_ input: [UInt8], offset: Int, limits: Limits) throws(DICOMError) -> [UInt8] {
    let stream = try InflateStream(input, offset: offset, cap: limits.inflateCap(forDeflated: input.count))
    var output: [UInt8] = []
    while try stream.inflate(into: &output, upTo: Int.max) {}
    return output
  }

  /// Inflates only as far as parsing needs: enough to reach where the parse stops (the top-level pixel
  /// data, or a stop tag) or the end when `stopBeforePixelData`, so a deflated image's pixels are never inflated to index or dump its header.
  /// The output grows by doubling and the parse is tried again, so the work stays linear.
  static func parse(
    _ input: [UInt8], offset: Int, limits: Limits, stopBeforePixelData: Bool,
    _ parse: (FileInput) throws(DICOMError) -> (Dataset, consumed: Int)
  ) throws(DICOMError) -> Dataset {
    guard stopBeforePixelData else {
      let all = FileInput(bytes: try raw(input, offset: offset, limits: limits))
      return try parse(all).0
    }
    let stream = try InflateStream(input, offset: offset, cap: limits.inflateCap(forDeflated: input.count))
    var output: [UInt8] = []
    var want = 64 * 1024
    while true {
      let more = try stream.inflate(into: &output, upTo: want)
      do {
        let (dataset, consumed) = try parse(FileInput(bytes: output))
        // Stopped before the end of what is inflated: it met the pixel data, and the rest is not needed.
        if !more || consumed < output.count { return dataset }
      } catch {
        // Cut inside an element: inflate more, unless there is no more.
        if !more { throw error }
      }
      want = output.count * 2
    }
  }

  /// Compresses with raw deflate, for writing deflated datasets.
  static func deflateRaw(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    guard biloba_deflateInit2(&stream, level, -15) == Z_OK else { return [] }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(input.count))) + 16
    var output = [UInt8](repeating: 0, count: bound)
    var source = input
    source.withUnsafeMutableBufferPointer { src in
      output.withUnsafeMutableBufferPointer { out in
        stream.next_in = src.baseAddress
        stream.avail_in = uInt(src.count)
        stream.next_out = out.baseAddress
        stream.avail_out = uInt(out.count)
        _ = CZlib.deflate(&stream, Z_FINISH)
      }
    }
    output.removeLast(Int(stream.avail_out))
    return output
  }
}

/// One raw-deflate stream, inflated chunk by chunk with a cap on the total output.
final class InflateStream {
  private var stream = z_stream()
  private let input: [UInt8]
  private let offset: Int
  private let cap: Int
  private var produced = 0
  private var finished = false

  init(_ input: [UInt8], offset: Int, cap: Int) throws(DICOMError) {
    self.input = input
    self.offset = offset
    self.cap = cap
    guard biloba_inflateInit2(&stream, -15) == Z_OK else {
      throw DICOMError.inflateFailed(offset: offset, reason: "zlib initialisation failed")
    }
  }

  deinit { inflateEnd(&stream) }

  /// Appends inflated bytes to `output` until it holds `limit` bytes or the stream ends. Returns whether
  /// more may follow.
  func inflate(into output: inout [UInt8], upTo limit: Int) throws(DICOMError) -> Bool {
    guard !finished else { return false }
    var failure: DICOMError? = nil
    var chunk = [UInt8](repeating: 0, count: 256 * 1024)
    input.withUnsafeBufferPointer { src in
      // zlib reads from next_in without writing to it.
      stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress.map { $0 + (src.count - remainingInput) })
      stream.avail_in = uInt(remainingInput)
      chunk.withUnsafeMutableBufferPointer { out in
        while output.count < limit {
          stream.next_out = out.baseAddress
          stream.avail_out = uInt(out.count)
          let status = CZlib.inflate(&stream, Z_NO_FLUSH)
          let made = out.count - Int(stream.avail_out)
          produced += made
          if produced > cap {
            failure = .decompressedSizeExceeded(limit: cap)
            return
          }
          output.append(contentsOf: out[0..<made])
          if status == Z_STREAM_END {
            finished = true
            return
          }
          if status == Z_BUF_ERROR && stream.avail_in == 0 {
            // Input exhausted without an end marker: DCMTK accepts such streams; the parser will
            // notice if the dataset itself is cut short.
            finished = true
            return
          }
          if status != Z_OK {
            let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
            failure = .inflateFailed(offset: offset + src.count - Int(stream.avail_in), reason: message)
            return
          }
        }
      }
      remainingInput = Int(stream.avail_in)
    }
    if let failure { throw failure }
    return !finished
  }

  private lazy var remainingInput = input.count
}

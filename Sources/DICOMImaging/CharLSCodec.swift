import CCharLS

/// JPEG-LS lossless and near-lossless through CharLS.
struct CharLSCodec: FrameCodec {
  var name: String { "JPEG-LS (CharLS)" }

  func decode(_ data: [UInt8], description d: ImagePixelDescription, limits: ImagingLimits) throws(ImagingError)
    -> DecodedFrame
  {
    // CharLS 2.4 spends seconds on a stream cut short; a whole stream ends with EOI (padding aside).
    guard let last = data.lastIndex(where: { $0 != 0 }), last >= 1, data[last - 1] == 0xFF, data[last] == 0xD9 else {
      throw ImagingError.codec(name, reason: "codestream is truncated (no EOI marker)")
    }
    guard let decoder = charls_jpegls_decoder_create() else {
      throw ImagingError.codec(name, reason: "cannot initialise")
    }
    defer { charls_jpegls_decoder_destroy(decoder) }
    let result = data.withUnsafeBytes { src in Result { () throws(ImagingError) in try decode(src, decoder, d) } }
    return try result.get()
  }

  private func decode(_ src: UnsafeRawBufferPointer, _ decoder: OpaquePointer, _ d: ImagePixelDescription)
    throws(ImagingError) -> DecodedFrame
  {
    guard let base = src.baseAddress else { throw ImagingError.codec(name, reason: "empty codestream") }
    try check(charls_jpegls_decoder_set_source_buffer(decoder, base, src.count))
    try check(charls_jpegls_decoder_read_header(decoder))
    var info = charls_frame_info()
    try check(charls_jpegls_decoder_get_frame_info(decoder, &info))
    try checkSize(width: Int(info.width), height: Int(info.height), samples: Int(info.component_count), d)
    var mode = CHARLS_INTERLEAVE_MODE_NONE
    try check(charls_jpegls_decoder_get_interleave_mode(decoder, &mode))
    var size = 0
    try check(charls_jpegls_decoder_get_destination_size(decoder, 0, &size))
    let bytesPerSample = info.bits_per_sample > 8 ? 2 : 1
    let count = Int(info.width) * Int(info.height) * Int(info.component_count)
    guard size == count * bytesPerSample else {
      throw ImagingError.codec(name, reason: "destination of \(size) bytes for \(count) samples")
    }
    var out = [UInt8](repeating: 0, count: size)
    let status = out.withUnsafeMutableBytes { dst in
      charls_jpegls_decoder_decode_to_buffer(decoder, dst.baseAddress!, dst.count, 0)
    }
    try check(status)
    var values = [Int32](repeating: 0, count: count)
    if bytesPerSample == 2 {
      for i in 0..<count { values[i] = Int32(UInt16(out[2 * i]) | UInt16(out[2 * i + 1]) << 8) }
    } else {
      for i in 0..<count { values[i] = Int32(out[i]) }
    }
    // Without interleaving CharLS writes one plane per component.
    if info.component_count > 1 && mode == CHARLS_INTERLEAVE_MODE_NONE {
      values = SampleUnpacker.interleave(values, samples: Int(info.component_count))
    }
    if d.isSigned { signExtend(&values, bits: d.bitsStored) }
    return DecodedFrame(
      width: Int(info.width), height: Int(info.height), samplesPerPixel: Int(info.component_count),
      values: values, bitsStored: d.bitsStored, isSigned: d.isSigned, photometric: d.photometric)
  }

  private func check(_ status: charls_jpegls_errc) throws(ImagingError) {
    guard status == CHARLS_JPEGLS_ERRC_SUCCESS else {
      throw ImagingError.codec(name, reason: String(cString: charls_get_error_message(status)))
    }
  }
}

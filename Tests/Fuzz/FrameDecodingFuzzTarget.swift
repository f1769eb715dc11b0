// libFuzzer entry point for frame decoding: byte 0 picks the codec, byte 1 the image the header
// describes, the rest is the codestream. Any input must give a frame of the described size or a typed
// ImagingError: never a crash, a hang or an unbounded allocation. Built by run-frame-fuzz.sh.

let fuzzDescriptions: [ImagePixelDescription] = [
  ImagePixelDescription(rows: 64, columns: 64, bitsAllocated: 16, bitsStored: 16, isSigned: true),
  ImagePixelDescription(rows: 64, columns: 64, bitsAllocated: 8, bitsStored: 8),
  ImagePixelDescription(rows: 64, columns: 64, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometric: "RGB"),
  ImagePixelDescription(rows: 64, columns: 64, bitsAllocated: 16, bitsStored: 12),
]

let fuzzCodecs: [any FrameCodec] = [
  RLECodec(), TurboJPEGCodec(), JPEGLosslessCodec(), JPEGExtendedCodec(), CharLSCodec(), OpenJPEGCodec(),
  NativeCodec(),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func frameFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 2 else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let codec = fuzzCodecs[Int(bytes[0]) % fuzzCodecs.count]
  let description = fuzzDescriptions[Int(bytes[1]) % fuzzDescriptions.count]
  var limits = ImagingLimits()
  limits.maxDecodeMilliseconds = 2000
  if let frame = try? codec.decode(Array(bytes[2...]), description: description, limits: limits) {
    precondition(frame.width == description.columns && frame.height == description.rows, "decoded size differs")
    precondition(frame.values.count == description.rows * description.columns * description.samplesPerPixel)
  }
  return 0
}

// libFuzzer entry point for the DICOM reader: any input must give a dataset or a typed error,
// never a crash, a hang or an unbounded allocation. Built by Tests/Fuzz/run-reader-fuzz.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func readerFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var limits = Limits()
  limits.maxDecompressedSize = 16 << 20
  limits.maxValueLength = 16 << 20
  if let file = try? DICOMFile.read(bytes: bytes, options: ReadOptions(limits: limits)) {
    // Whatever was read must also write, and what is written must read back.
    if let encoded = try? file.encoded() {
      _ = try? DICOMFile.read(bytes: encoded, options: ReadOptions(limits: limits))
    }
    _ = DumpFormatter(showAll: true).format(file)
    _ = try? DICOMJSON.encode(file.dataset)
  }
  return 0
}

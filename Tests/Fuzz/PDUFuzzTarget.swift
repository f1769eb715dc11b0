// libFuzzer entry point for the PDU codec: decode, and for anything decoded, encode -> decode gives the
// same PDU. Built by Tests/Fuzz/run-pdu-fuzz.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func pduFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let (pdu, _) = try? PDUDecoder(maximumLength: 1 << 20).decode(bytes[...]) else { return 0 }
  let again = try? PDUDecoder(maximumLength: 1 << 21).decode(pdu.encoded()[...])
  precondition(again?.0 == pdu, "decode -> encode -> decode changed the PDU")
  return 0
}

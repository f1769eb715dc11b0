/// A PDU that breaks PS3.8: what was wrong and where (byte offset from the start of the PDU).
public enum PDUError: Error, Sendable, Equatable, CustomStringConvertible {
  case unknownPDUType(UInt8)
  /// The PDU declares more bytes than the negotiated (or configured) maximum.
  case tooLong(type: UInt8, length: Int, maximum: Int)
  /// A field or item runs past the end of its PDU or of its enclosing item.
  case truncated(type: UInt8, offset: Int, field: String)
  case invalidItem(type: UInt8, offset: Int, reason: String)
  case emptyPDataTF

  public var description: String {
    switch self {
    case .unknownPDUType(let t): "unknown PDU type 0x\(String(t, radix: 16))"
    case .tooLong(let t, let length, let maximum): "PDU type \(t) of \(length) bytes exceeds the maximum of \(maximum)"
    case .truncated(let t, let offset, let field): "PDU type \(t) truncated at offset \(offset) in \(field)"
    case .invalidItem(let t, let offset, let reason): "PDU type \(t), offset \(offset): \(reason)"
    case .emptyPDataTF: "P-DATA-TF without presentation data values"
    }
  }
}

/// Byte order of binary values in a dataset.
public enum ByteOrder: Sendable, Equatable {
  case little, big
}

/// How a transfer syntax encodes the dataset (PS3.5 section 10 and annex A).
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
  public let uid: String
  public let isExplicitVR: Bool
  public let byteOrder: ByteOrder
  /// Pixel data is a sequence of fragments (compressed or encapsulated uncompressed).
  public let isEncapsulated: Bool
  /// The dataset after the meta group is a raw deflate stream (PS3.5 A.5).
  public let isDeflated: Bool

  public init(uid: String, isExplicitVR: Bool, byteOrder: ByteOrder, isEncapsulated: Bool, isDeflated: Bool = false) {
    self.uid = uid
    self.isExplicitVR = isExplicitVR
    self.byteOrder = byteOrder
    self.isEncapsulated = isEncapsulated
    self.isDeflated = isDeflated
  }

  public var name: String { UIDRegistry.name(of: uid) }
  public var description: String { name }

  public static let implicitVRLittleEndian = TransferSyntax(
    uid: "1.2.840.10008.1.2", isExplicitVR: false, byteOrder: .little, isEncapsulated: false)
  public static let explicitVRLittleEndian = TransferSyntax(
    uid: "1.2.840.10008.1.2.1", isExplicitVR: true, byteOrder: .little, isEncapsulated: false)
  public static let explicitVRBigEndian = TransferSyntax(
    uid: "1.2.840.10008.1.2.2", isExplicitVR: true, byteOrder: .big, isEncapsulated: false)
  public static let deflatedExplicitVRLittleEndian = TransferSyntax(
    uid: "1.2.840.10008.1.2.1.99", isExplicitVR: true, byteOrder: .little, isEncapsulated: false, isDeflated: true)

  /// The transfer syntax for a UID. Every registered transfer syntax other than the native ones is
  /// explicit VR little endian with encapsulated pixel data (PS3.5 A.4), so unknown UIDs of that family
  /// still parse; only their pixel data may be undecodable.
  public static func from(uid rawUID: String) -> TransferSyntax {
    let uid = rawUID.trimmingTrailing(where: { $0 == 0 || $0 == 0x20 })
    switch uid {
    case implicitVRLittleEndian.uid: return .implicitVRLittleEndian
    case explicitVRLittleEndian.uid: return .explicitVRLittleEndian
    case explicitVRBigEndian.uid: return .explicitVRBigEndian
    case deflatedExplicitVRLittleEndian.uid, "1.2.840.10008.1.2.8.1": return deflatedSyntax(uid)
    default:
      return TransferSyntax(uid: uid, isExplicitVR: true, byteOrder: .little, isEncapsulated: true)
    }
  }

  private static func deflatedSyntax(_ uid: String) -> TransferSyntax {
    // 1.2.840.10008.1.2.8.1 is Deflated Image Frame Compression: the dataset itself is not deflated.
    uid == deflatedExplicitVRLittleEndian.uid
      ? .deflatedExplicitVRLittleEndian
      : TransferSyntax(uid: uid, isExplicitVR: true, byteOrder: .little, isEncapsulated: true)
  }

  /// Known by the standard's registry as a transfer syntax.
  public var isRegistered: Bool { UIDRegistry.lookup(uid)?.type == "Transfer Syntax" }
}

extension String {
  /// Drops trailing bytes (NUL or space padding) as seen in the UTF-8 view.
  func trimmingTrailing(where drop: (UInt8) -> Bool) -> String {
    var u = Array(utf8)
    while let last = u.last, drop(last) { u.removeLast() }
    return String(decoding: u, as: UTF8.self)
  }
}

extension String {
  func trimmingLeadingSpaces() -> String {
    let u = utf8.drop(while: { $0 == 0x20 })
    return String(decoding: u, as: UTF8.self)
  }
}

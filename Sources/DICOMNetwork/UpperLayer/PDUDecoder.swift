/// Decodes PDUs from bytes as they arrive: a sans-IO codec that any transport feeds. Every length is
/// checked against the bytes that contain it; nothing is allocated beyond what the data justifies.
public struct PDUDecoder: Sendable {
  /// The largest PDU accepted (header included is not counted: PS3.8 counts the length after the header).
  public var maximumLength: Int

  public init(maximumLength: Int = 1 << 20) {
    self.maximumLength = maximumLength
  }

  /// The first PDU in `buffer` and the bytes it used, or nil when the buffer does not yet hold a whole PDU.
  public func decode(_ buffer: ArraySlice<UInt8>) throws(PDUError) -> (PDU, Int)? {
    guard buffer.count >= 6 else { return nil }
    let base = buffer.startIndex
    let type = buffer[base]
    guard (0x01...0x07).contains(type) else { throw PDUError.unknownPDUType(type) }
    let length = Int(Reader.be32(buffer, base + 2))
    // A-ASSOCIATE PDUs may exceed the data maximum only modestly; bound them all by the same limit.
    guard length <= maximumLength else { throw PDUError.tooLong(type: type, length: length, maximum: maximumLength) }
    guard buffer.count >= 6 + length else { return nil }
    // The body is read in place: P-DATA fragments are copied once, into their PDVs.
    return (try decodeBody(type: type, buffer[(base + 6)..<(base + 6 + length)]), 6 + length)
  }

  func decodeBody(type: UInt8, _ b: ArraySlice<UInt8>) throws(PDUError) -> PDU {
    var r = Reader(bytes: b, type: type)
    switch type {
    case 0x01, 0x02:
      // PS3.8 9.3.2: protocol version (bytes 7-8), reserved (9-10), called AE (11-26), calling AE (27-42),
      // reserved (43-74), variable items (75-).
      let version = try r.u16("protocol version")
      try r.skip(2, "reserved")
      let called = try r.text(16, "called AE title")
      let calling = try r.text(16, "calling AE title")
      try r.skip(32, "reserved")
      var applicationContext = ""
      var proposed: [ProposedContext] = []
      var accepted: [AcceptedContext] = []
      var user = UserInformation()
      while !r.atEnd {
        let (itemType, item, offset) = try r.item16("variable item")
        switch itemType {
        case 0x10: applicationContext = Reader.ascii(item)
        case 0x20 where type == 0x01: proposed.append(try Self.proposedContext(item, offset: offset))
        case 0x21 where type == 0x02: accepted.append(try Self.acceptedContext(item, offset: offset))
        case 0x50: user = try Self.userInformation(item, pduType: type, offset: offset)
        default:
          throw PDUError.invalidItem(
            type: type, offset: offset, reason: "unexpected item 0x\(String(itemType, radix: 16))")
        }
      }
      if type == 0x01 {
        var rq = AssociateRequest(calledAE: called, callingAE: calling, contexts: proposed, user: user)
        rq.protocolVersion = version
        rq.applicationContext = applicationContext
        return .associateRQ(rq)
      }
      var ac = AssociateAccept(calledAE: called, callingAE: calling, contexts: accepted, user: user)
      ac.protocolVersion = version
      ac.applicationContext = applicationContext
      return .associateAC(ac)
    case 0x03:
      try r.skip(1, "reserved")
      return .associateRJ(
        AssociateReject(
          result: try r.u8("result"), source: try r.u8("source"),
          reason: try r.u8("reason")))
    case 0x04:
      var values: [PresentationDataValue] = []
      while !r.atEnd {
        // PS3.8 9.3.5.1: item length (4), context ID (1), message control header (1), fragment.
        let length = Int(try r.u32("PDV item length"))
        guard length >= 2 else {
          throw PDUError.invalidItem(type: type, offset: r.offset - 4, reason: "PDV item length \(length)")
        }
        let contextID = try r.u8("presentation context ID")
        let header = try r.u8("message control header")
        let data = try r.bytes(length - 2, "PDV data")
        values.append(
          PresentationDataValue(
            contextID: contextID, isCommand: header & 1 == 1, isLast: header & 2 == 2,
            data: data))
      }
      guard !values.isEmpty else { throw PDUError.emptyPDataTF }
      return .dataTF(values)
    case 0x05: return .releaseRQ
    case 0x06: return .releaseRP
    default:
      try r.skip(2, "reserved")
      return .abort(AssociateAbort(source: try r.u8("source"), reason: try r.u8("reason")))
    }
  }

  static func proposedContext(_ item: [UInt8], offset: Int) throws(PDUError) -> ProposedContext {
    var r = Reader(bytes: item[...], type: 0x01, base: offset)
    let id = try r.u8("context ID")
    try r.skip(3, "reserved")
    var abstract = ""
    var transfers: [String] = []
    while !r.atEnd {
      let (t, v, o) = try r.item16("presentation context sub-item")
      switch t {
      case 0x30: abstract = Reader.ascii(v)
      case 0x40: transfers.append(Reader.ascii(v))
      default: throw PDUError.invalidItem(type: 0x01, offset: o, reason: "sub-item 0x\(String(t, radix: 16))")
      }
    }
    guard !abstract.isEmpty, !transfers.isEmpty else {
      throw PDUError.invalidItem(type: 0x01, offset: offset, reason: "presentation context without syntaxes")
    }
    return ProposedContext(id: id, abstractSyntax: abstract, transferSyntaxes: transfers)
  }

  static func acceptedContext(_ item: [UInt8], offset: Int) throws(PDUError) -> AcceptedContext {
    var r = Reader(bytes: item[...], type: 0x02, base: offset)
    let id = try r.u8("context ID")
    try r.skip(1, "reserved")
    let resultByte = try r.u8("result")
    try r.skip(1, "reserved")
    var transfer = ""
    while !r.atEnd {
      let (t, v, o) = try r.item16("presentation context sub-item")
      guard t == 0x40 else {
        throw PDUError.invalidItem(type: 0x02, offset: o, reason: "sub-item 0x\(String(t, radix: 16))")
      }
      transfer = Reader.ascii(v)
    }
    guard let result = AcceptedContext.Result(rawValue: resultByte) else {
      throw PDUError.invalidItem(type: 0x02, offset: offset, reason: "result \(resultByte)")
    }
    return AcceptedContext(id: id, result: result, transferSyntax: transfer)
  }

  static func userInformation(_ item: [UInt8], pduType: UInt8, offset: Int) throws(PDUError) -> UserInformation {
    var r = Reader(bytes: item[...], type: pduType, base: offset)
    var user = UserInformation()
    while !r.atEnd {
      let (t, v, o) = try r.item16("user information sub-item")
      var s = Reader(bytes: v[...], type: pduType, base: o)
      switch t {
      case 0x51: user.maxPDULength = try s.u32("maximum length")
      case 0x52: user.implementationClassUID = Reader.ascii(v)
      case 0x55: user.implementationVersionName = Reader.ascii(v)
      case 0x53: user.asynchronousOperations = (try s.u16("invoked"), try s.u16("performed"))
      case 0x54:
        let n = Int(try s.u16("UID length"))
        let uid = Reader.ascii(try s.bytes(n, "SOP class UID"))
        user.roles.append(RoleSelection(sopClass: uid, scu: try s.u8("SCU role") == 1, scp: try s.u8("SCP role") == 1))
      case 0x56:
        let n = Int(try s.u16("UID length"))
        let uid = Reader.ascii(try s.bytes(n, "SOP class UID"))
        user.extendedNegotiation.append((uid, try s.bytes(s.remaining, "application information")))
      case 0x58:
        let kind = try s.u8("identity type")
        let positive = try s.u8("positive response requested") == 1
        let primary = try s.bytes(Int(try s.u16("primary field length")), "primary field")
        let secondary = try s.bytes(Int(try s.u16("secondary field length")), "secondary field")
        user.userIdentity = UserIdentity(
          type: kind, positiveResponseRequested: positive, primary: primary,
          secondary: secondary)
      case 0x59:
        user.userIdentityResponse = try s.bytes(Int(try s.u16("server response length")), "server response")
      default:
        user.otherItems.append((t, v))
      }
    }
    return user
  }
}

/// Bounds-checked big-endian reading of one PDU or item.
struct Reader {
  let bytes: ArraySlice<UInt8>
  let type: UInt8
  /// Offset of `bytes`' first byte within the PDU body, for error messages.
  let base: Int
  private(set) var position = 0

  init(bytes: ArraySlice<UInt8>, type: UInt8, base: Int = 0) {
    self.bytes = bytes
    self.type = type
    self.base = base
  }

  var atEnd: Bool { position >= bytes.count }
  var remaining: Int { bytes.count - position }
  var offset: Int { base + position }

  mutating func need(_ n: Int, _ field: String) throws(PDUError) {
    guard n >= 0, position + n <= bytes.count else {
      throw PDUError.truncated(type: type, offset: 6 + base + position, field: field)
    }
  }

  mutating func u8(_ field: String) throws(PDUError) -> UInt8 {
    try need(1, field)
    defer { position += 1 }
    return bytes[bytes.startIndex + position]
  }

  mutating func u16(_ field: String) throws(PDUError) -> UInt16 {
    try need(2, field)
    defer { position += 2 }
    let i = bytes.startIndex + position
    return UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
  }

  mutating func u32(_ field: String) throws(PDUError) -> UInt32 {
    try need(4, field)
    defer { position += 4 }
    return Self.be32(bytes, bytes.startIndex + position)
  }

  mutating func bytes(_ n: Int, _ field: String) throws(PDUError) -> [UInt8] {
    try need(n, field)
    defer { position += n }
    let start = bytes.startIndex + position
    return Array(bytes[start..<(start + n)])
  }

  mutating func skip(_ n: Int, _ field: String) throws(PDUError) {
    try need(n, field)
    position += n
  }

  mutating func text(_ n: Int, _ field: String) throws(PDUError) -> String {
    Self.ascii(try bytes(n, field))
  }

  /// An item with a 1-byte type, 1 reserved byte and a 2-byte length (PS3.8 9.3.2.x).
  mutating func item16(_ field: String) throws(PDUError) -> (UInt8, [UInt8], Int) {
    let t = try u8(field)
    try skip(1, field)
    let n = Int(try u16(field))
    let start = offset
    return (t, try bytes(n, field), start)
  }

  static func be32<C: Collection<UInt8>>(_ b: C, _ i: C.Index) -> UInt32 where C.Index == Int {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
  }

  /// AE titles and UIDs: ASCII, padding spaces and NULs trimmed, control characters dropped.
  static func ascii(_ b: [UInt8]) -> String {
    var s = b.filter { $0 >= 0x20 && $0 < 0x7F }
    while let last = s.last, last == 0x20 { s.removeLast() }
    while let first = s.first, first == 0x20 { s.removeFirst() }
    return String(decoding: s, as: UTF8.self)
  }
}

/// Encodes PDUs to bytes (PS3.8 9.3), the inverse of `PDUDecoder`.
extension PDU {
  public func encoded() -> [UInt8] {
    // P-DATA carries the bulk of the bytes: one allocation, each fragment copied once.
    if case .dataTF(let values) = self {
      let length = values.reduce(0) { $0 + 6 + $1.data.count }
      var out: [UInt8] = [type, 0]
      out.reserveCapacity(6 + length)
      Self.be32(UInt32(length), into: &out)
      for pdv in values {
        Self.be32(UInt32(pdv.data.count + 2), into: &out)
        out.append(pdv.contextID)
        out.append((pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0))
        out += pdv.data
      }
      return out
    }
    var body: [UInt8] = []
    switch self {
    case .associateRQ(let rq):
      Self.associateHeader(version: rq.protocolVersion, called: rq.calledAE, calling: rq.callingAE, into: &body)
      Self.item(0x10, Array(rq.applicationContext.utf8), into: &body)
      for c in rq.contexts {
        var v: [UInt8] = [c.id, 0, 0, 0]
        Self.item(0x30, Array(c.abstractSyntax.utf8), into: &v)
        for t in c.transferSyntaxes { Self.item(0x40, Array(t.utf8), into: &v) }
        Self.item(0x20, v, into: &body)
      }
      Self.item(0x50, Self.userInformation(rq.user), into: &body)
    case .associateAC(let ac):
      Self.associateHeader(version: ac.protocolVersion, called: ac.calledAE, calling: ac.callingAE, into: &body)
      Self.item(0x10, Array(ac.applicationContext.utf8), into: &body)
      for c in ac.contexts {
        var v: [UInt8] = [c.id, 0, c.result.rawValue, 0]
        Self.item(0x40, Array(c.transferSyntax.utf8), into: &v)
        Self.item(0x21, v, into: &body)
      }
      Self.item(0x50, Self.userInformation(ac.user), into: &body)
    case .associateRJ(let rj):
      body = [0, rj.result, rj.source, rj.reason]
    case .dataTF:
      break  // encoded above
    case .releaseRQ, .releaseRP:
      body = [0, 0, 0, 0]
    case .abort(let a):
      body = [0, 0, a.source, a.reason]
    }
    var out: [UInt8] = [type, 0]
    Self.be32(UInt32(body.count), into: &out)
    return out + body
  }

  static func associateHeader(version: UInt16, called: String, calling: String, into out: inout [UInt8]) {
    out += [UInt8(version >> 8), UInt8(version & 0xFF), 0, 0]
    out += aeTitle(called)
    out += aeTitle(calling)
    out += [UInt8](repeating: 0, count: 32)
  }

  /// AE titles: 16 bytes, space padded.
  static func aeTitle(_ title: String) -> [UInt8] {
    let b = Array(title.utf8.prefix(16))
    return b + [UInt8](repeating: 0x20, count: 16 - b.count)
  }

  static func item(_ type: UInt8, _ value: [UInt8], into out: inout [UInt8]) {
    out += [type, 0, UInt8((value.count >> 8) & 0xFF), UInt8(value.count & 0xFF)]
    out += value
  }

  static func be32(_ v: UInt32, into out: inout [UInt8]) {
    out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }

  static func userInformation(_ u: UserInformation) -> [UInt8] {
    var v: [UInt8] = []
    if let m = u.maxPDULength {
      var b: [UInt8] = []
      be32(m, into: &b)
      item(0x51, b, into: &v)
    }
    if let c = u.implementationClassUID { item(0x52, Array(c.utf8), into: &v) }
    if let a = u.asynchronousOperations {
      item(
        0x53, [UInt8(a.invoked >> 8), UInt8(a.invoked & 0xFF), UInt8(a.performed >> 8), UInt8(a.performed & 0xFF)],
        into: &v)
    }
    for r in u.roles {
      let uid = Array(r.sopClass.utf8)
      item(0x54, [UInt8(uid.count >> 8), UInt8(uid.count & 0xFF)] + uid + [r.scu ? 1 : 0, r.scp ? 1 : 0], into: &v)
    }
    if let n = u.implementationVersionName { item(0x55, Array(n.utf8), into: &v) }
    for e in u.extendedNegotiation {
      let uid = Array(e.sopClass.utf8)
      item(0x56, [UInt8(uid.count >> 8), UInt8(uid.count & 0xFF)] + uid + e.info, into: &v)
    }
    if let id = u.userIdentity {
      var b: [UInt8] = [id.type, id.positiveResponseRequested ? 1 : 0]
      b += [UInt8(id.primary.count >> 8), UInt8(id.primary.count & 0xFF)] + id.primary
      b += [UInt8(id.secondary.count >> 8), UInt8(id.secondary.count & 0xFF)] + id.secondary
      item(0x58, b, into: &v)
    }
    if let response = u.userIdentityResponse {
      item(0x59, [UInt8(response.count >> 8), UInt8(response.count & 0xFF)] + response, into: &v)
    }
    for o in u.otherItems { item(o.type, o.value, into: &v) }
    return v
  }
}

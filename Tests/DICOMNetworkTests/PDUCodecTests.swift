import Testing

@testable import DICOMNetwork

@Suite struct PDUCodecTests {
  static let request: PDU = {
    var user = UserInformation(
      maxPDULength: 16384, implementationClassUID: "2.25.1", implementationVersionName: "BILOBA_010")
    user.asynchronousOperations = (1, 1)
    user.roles = [RoleSelection(sopClass: "1.2.840.10008.5.1.4.1.1.2", scu: false, scp: true)]
    user.extendedNegotiation = [("1.2.840.10008.5.1.4.1.2.2.2", [1])]
    user.userIdentity = UserIdentity(
      type: 2, positiveResponseRequested: true, primary: Array("reader".utf8),
      secondary: Array("secret".utf8))
    user.otherItems = [(0x57, [0, 1, 0x41])]
    return .associateRQ(
      AssociateRequest(
        calledAE: "ORTHANC", callingAE: "BILOBA",
        contexts: [
          ProposedContext(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"]),
          ProposedContext(
            id: 3, abstractSyntax: "1.2.840.10008.5.1.4.1.2.2.2",
            transferSyntaxes: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]),
        ], user: user))
  }()

  static let all: [PDU] = [
    request,
    .associateAC(
      AssociateAccept(
        calledAE: "ORTHANC", callingAE: "BILOBA",
        contexts: [
          AcceptedContext(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2"),
          AcceptedContext(id: 3, result: .abstractSyntaxNotSupported, transferSyntax: ""),
        ],
        user: {
          var u = UserInformation(maxPDULength: 65536, implementationClassUID: "1.2.3")
          u.userIdentityResponse = [1, 2, 3]
          return u
        }())),
    .associateRJ(.calledAENotRecognized),
    .dataTF([
      PresentationDataValue(contextID: 1, isCommand: true, isLast: true, data: [1, 2, 3, 4]),
      PresentationDataValue(contextID: 3, isCommand: false, isLast: false, data: []),
    ]),
    .releaseRQ, .releaseRP, .abort(.unexpectedPDU),
  ]

  @Test func every_pdu_type_encodes_and_decodes_back() throws {
    for pdu in Self.all {
      let bytes = pdu.encoded()
      let (decoded, used) = try #require(try PDUDecoder().decode(bytes[...]))
      #expect(used == bytes.count)
      #expect(decoded == pdu, "\(pdu.type)")
      #expect(decoded.encoded() == bytes)
    }
  }

  @Test func an_associate_request_has_the_byte_layout_of_ps3_8_9_3_2() {
    let b = Self.request.encoded()
    #expect(b[0] == 0x01 && b[1] == 0)
    #expect(Array(b[6..<8]) == [0, 1])  // protocol version
    #expect(String(decoding: b[10..<26], as: UTF8.self) == "ORTHANC         ")  // called AE, bytes 11-26
    #expect(String(decoding: b[26..<42], as: UTF8.self) == "BILOBA          ")  // calling AE, bytes 27-42
    #expect(b[74] == 0x10)  // first variable item: application context, byte 75
  }

  @Test func partial_input_waits_for_more_and_coalesced_input_decodes_one_pdu_at_a_time() throws {
    let a = PDU.releaseRQ.encoded()
    let b = PDU.abort(.unrecognizedPDU).encoded()
    let both = a + b
    for cut in 0..<a.count { #expect(try PDUDecoder().decode(both[0..<cut]) == nil) }
    let (first, used) = try #require(try PDUDecoder().decode(both[...]))
    #expect(first == .releaseRQ)
    let (second, _) = try #require(try PDUDecoder().decode(both[used...]))
    #expect(second == .abort(.unrecognizedPDU))
  }

  @Test func malformed_pdus_give_typed_errors() {
    let decoder = PDUDecoder(maximumLength: 1000)
    #expect(throws: PDUError.unknownPDUType(0x09)) { try decoder.decode([0x09, 0, 0, 0, 0, 0][...]) }
    #expect(throws: PDUError.tooLong(type: 4, length: 0x7FFF_FFFF, maximum: 1000)) {
      try decoder.decode([0x04, 0, 0x7F, 0xFF, 0xFF, 0xFF][...])
    }
    #expect(throws: PDUError.emptyPDataTF) { try decoder.decode([0x04, 0, 0, 0, 0, 0][...]) }
    // A PDV whose item length runs past its PDU.
    #expect(throws: PDUError.self) { try decoder.decode([0x04, 0, 0, 0, 0, 6, 0, 0, 0, 50, 1, 3][...]) }
    // A PDV item length below 2 (no room for context ID and header).
    #expect(throws: PDUError.self) { try decoder.decode([0x04, 0, 0, 0, 0, 6, 0, 0, 0, 1, 1, 3][...]) }
    // An associate request cut inside its fixed header, and one with an item longer than the PDU.
    var rq = Self.request.encoded()
    #expect(throws: PDUError.self) { try decoder.decode((Array(rq[0..<6]) + [0, 1, 0])[...].withLength()) }
    rq[77] = 0xFF
    #expect(throws: PDUError.self) { try decoder.decode(rq[...]) }
  }

  @Test func every_truncation_of_every_pdu_is_refused_or_read_whole_never_a_crash() {
    for pdu in Self.all {
      let bytes = pdu.encoded()
      var refused = 0
      for cut in 6..<bytes.count {
        var damaged = Array(bytes[0..<cut])
        let length = UInt32(cut - 6)
        damaged[2] = UInt8(length >> 24)
        damaged[3] = UInt8((length >> 16) & 0xFF)
        damaged[4] = UInt8((length >> 8) & 0xFF)
        damaged[5] = UInt8(length & 0xFF)
        // The header announces exactly the bytes given: a typed error, or a shorter valid PDU that
        // uses them all (never a wait for more, never a read past them).
        do {
          let decoded = try PDUDecoder().decode(damaged[...])
          #expect(decoded?.1 == cut, "\(pdu) cut at \(cut): used \(String(describing: decoded?.1))")
        } catch {
          refused += 1
        }
      }
      // A-RELEASE's body is four reserved bytes, read leniently; every other PDU's body says something.
      let reservedOnly: Bool
      switch pdu {
      case .releaseRQ, .releaseRP: reservedOnly = true
      default: reservedOnly = false
      }
      #expect(reservedOnly || refused > 0, "no truncation of \(pdu) was refused")
    }
  }
}

extension ArraySlice where Element == UInt8 {
  /// The bytes with the PDU length field set to what follows the header.
  func withLength() -> ArraySlice<UInt8> {
    var b = Array(self)
    let n = UInt32(b.count - 6)
    b[2] = UInt8(n >> 24)
    b[3] = UInt8((n >> 16) & 0xFF)
    b[4] = UInt8((n >> 8) & 0xFF)
    b[5] = UInt8(n & 0xFF)
    return b[...]
  }
}

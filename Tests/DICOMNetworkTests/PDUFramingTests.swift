import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import DICOMNetwork

/// The NIO framing around the PDU codec: every PDU comes out whole however the bytes are cut up.
@Suite struct PDUFramingTests {
  static let pdus: [PDU] = [
    .associateRQ(
      AssociateRequest(
        calledAE: "BILOBA", callingAE: "PACS",
        contexts: [
          ProposedContext(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"])
        ],
        user: UserInformation(maxPDULength: 16384, implementationClassUID: "1.2.3"))),
    .dataTF([PresentationDataValue(contextID: 1, isCommand: true, isLast: true, data: Array(0..<200))]),
    .releaseRQ, .releaseRP, .abort(AssociateAbort(source: 0, reason: 0)),
  ]

  @Test func pdus_decode_the_same_when_drip_fed_byte_by_byte_or_coalesced() throws {
    let pairs = Self.pdus.map { pdu -> (ByteBuffer, [PDU]) in (ByteBuffer(bytes: pdu.encoded()), [pdu]) }
    try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
      PDUFrameDecoder(maximumLength: 65536)
    }
  }

  @Test func a_declared_length_over_the_limit_is_refused_from_the_header_alone() throws {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(PDUFrameDecoder(maximumLength: 1000)))
    #expect(throws: PDUError.tooLong(type: 4, length: 1001, maximum: 1000)) {
      try channel.writeInbound(ByteBuffer(bytes: [0x04, 0x00, 0x00, 0x00, 0x03, 0xE9]))
    }
  }

  @Test func an_unknown_pdu_type_is_refused_from_its_first_byte() throws {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(PDUFrameDecoder(maximumLength: 1000)))
    #expect(throws: PDUError.unknownPDUType(0x08)) {
      try channel.writeInbound(ByteBuffer(bytes: [0x08, 0x00, 0x00, 0x00, 0x00, 0x00]))
    }
  }
}

@Suite struct PDUFrameEncoderTests {
  @Test func p_data_laid_out_in_the_channel_buffer_is_byte_for_byte_the_codecs_encoding() throws {
    let pdus: [PDU] = [
      .dataTF([PresentationDataValue(contextID: 1, isCommand: true, isLast: true, data: [1, 2, 3])]),
      .dataTF([
        PresentationDataValue(contextID: 3, isCommand: false, isLast: false, data: Array(repeating: 7, count: 70_000)),
        PresentationDataValue(contextID: 3, isCommand: false, isLast: true, data: []),
      ]),
      .releaseRQ,
      .abort(AssociateAbort(source: 2, reason: 1)),
    ]
    let channel = EmbeddedChannel(handler: MessageToByteHandler(PDUFrameEncoder()))
    for pdu in pdus {
      try channel.writeOutbound(pdu)
      let buffer = try #require(try channel.readOutbound(as: ByteBuffer.self))
      #expect(Array(buffer.readableBytesView) == pdu.encoded())
    }
    _ = try channel.finish()
  }
}

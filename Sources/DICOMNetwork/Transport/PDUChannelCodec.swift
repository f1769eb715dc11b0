import NIOCore

/// The NIO side of the PDU codec: frames bytes into whole PDUs and hands them to `PDUDecoder`; no
/// protocol logic of its own. A PDU declaring more than the limit is refused from its 6-byte header,
/// before its body is buffered.
struct PDUFrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = PDU
  let decoder: PDUDecoder

  init(maximumLength: Int) { decoder = PDUDecoder(maximumLength: maximumLength) }

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
    guard let type: UInt8 = buffer.getInteger(at: buffer.readerIndex),
      let length: UInt32 = buffer.getInteger(at: buffer.readerIndex + 2)
    else { return .needMoreData }
    guard (0x01...0x07).contains(type) else { throw PDUError.unknownPDUType(type) }
    guard Int(length) <= decoder.maximumLength else {
      throw PDUError.tooLong(type: type, length: Int(length), maximum: decoder.maximumLength)
    }
    guard buffer.readableBytes >= 6 + Int(length), let bytes = buffer.readBytes(length: 6 + Int(length)) else {
      return .needMoreData
    }
    guard let (pdu, _) = try decoder.decode(bytes[...]) else { return .needMoreData }
    context.fireChannelRead(wrapInboundOut(pdu))
    return .continue
  }

  mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
    -> DecodingState
  {
    while try decode(context: context, buffer: &buffer) == .continue {}
    // Bytes left over at the end are a PDU cut short: the state machine sees the close, nothing else.
    buffer.moveReaderIndex(to: buffer.writerIndex)
    return .needMoreData
  }
}

/// Writes PDUs with `PDU.encoded()`.
struct PDUFrameEncoder: MessageToByteEncoder {
  typealias OutboundIn = PDU

  func encode(data: PDU, out: inout ByteBuffer) throws {
    // P-DATA, the bulk of the bytes, is laid out straight into the channel's buffer, the same bytes
    // `PDU.encoded()` makes (the codec tests hold the two equal) without the intermediate array.
    guard case .dataTF(let values) = data else {
      out.writeBytes(data.encoded())
      return
    }
    let length = values.reduce(0) { $0 + 6 + $1.data.count }
    out.reserveCapacity(minimumWritableBytes: 6 + length)
    out.writeInteger(UInt8(0x04))
    out.writeInteger(UInt8(0))
    out.writeInteger(UInt32(length))
    for pdv in values {
      out.writeInteger(UInt32(pdv.data.count + 2))
      out.writeInteger(pdv.contextID)
      out.writeInteger(UInt8((pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0)))
      out.writeBytes(pdv.data)
    }
  }
}

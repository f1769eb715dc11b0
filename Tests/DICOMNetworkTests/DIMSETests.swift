import DICOM
import Testing

@testable import DICOMNetwork

@Suite struct DIMSETests {
  @Test func a_c_store_request_encodes_in_implicit_little_endian_with_its_group_length() throws {
    let rq = try DIMSECommand.storeRequest(messageID: 7, sopClass: "1.2.840.10008.5.1.4.1.1.2", sopInstance: "2.25.1.2")
    let bytes = try rq.encoded()
    // (0000,0000) UL, implicit: tag, 4-byte length 4, value = bytes after this element.
    #expect(Array(bytes[0..<8]) == [0, 0, 0, 0, 4, 0, 0, 0])
    let groupLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    #expect(groupLength == bytes.count - 12)
    let back = try DIMSECommand.decode(bytes)
    #expect(back.field == .cStoreRQ && back.messageID == 7 && back.hasDataset)
    #expect(back.affectedSOPInstanceUID == "2.25.1.2")
  }

  @Test func responses_answer_their_request() throws {
    let echo = try DIMSECommand.echoRequest(messageID: 3)
    #expect(!echo.hasDataset)
    let rsp = try DIMSECommand.response(to: echo, status: .success)
    #expect(rsp.field == .cEchoRSP && rsp.messageIDBeingRespondedTo == 3 && rsp.status == .success)
    var decoded = try DIMSECommand.decode(try rsp.encoded()).dataset
    decoded.remove(Tag(0x0000, 0x0000))
    #expect(decoded == rsp.dataset)  // everything but the group length comes back as it was
    #expect(throws: DICOMError.self) { try DIMSECommand.response(to: rsp, status: .success) }
  }

  @Test func a_command_set_followed_by_dcmtk_status_detail_is_read_as_its_command() throws {
    // Orthanc's failed C-GET response (DCMTK): the command, then (0008,0058) Failed SOP Instance UID List
    // in the same command fragment.
    let request = try DIMSECommand.echoRequest(messageID: 9)
    var detail = Dataset(byteOrder: .little)
    try detail.set(Tag.failedSOPInstanceUIDList, .UI, "1.2.826.0.1.3680043.8.498.1")
    let trailing = try DatasetWriter(transferSyntax: .implicitVRLittleEndian).encode(detail)
    let back = try DIMSECommand.decode(try request.encoded() + trailing)
    #expect(back.field == .cEchoRQ && back.messageID == 9)
    #expect(back.dataset.elements.allSatisfy { $0.tag.group == 0x0000 })
    // A set that does not start with a command is still no command.
    #expect(throws: DICOMError.self) { try DIMSECommand.decode(trailing) }
  }

  @Test func a_c_get_asking_for_compressed_syntaxes_alone_proposes_no_uncompressed_context() {
    let ct = "1.2.840.10008.5.1.4.1.1.2"
    let compressed = ["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90"]
    let (contexts, roles) = ContextProposal.forGet(root: .study, storageClasses: [ct], syntaxes: compressed)
    let storage = contexts.filter { $0.abstractSyntax == ct }
    // One context per syntax, so the peer can only pick a compressed one, and no empty one.
    #expect(storage.map(\.transferSyntaxes) == compressed.map { [$0] })
    #expect(roles.map(\.sopClass) == [ct])
    // As stored: an uncompressed context as well.
    let plain = ContextProposal.forGet(
      root: .study, storageClasses: [ct], syntaxes: ServiceClasses.uncompressedSyntaxes + compressed)
    #expect(plain.contexts.filter { $0.abstractSyntax == ct }.count == 3)
  }

  @Test func statuses_have_their_meanings() {
    #expect(DIMSEStatus(code: 0xFF00).kind == .pending)
    #expect(DIMSEStatus(code: 0xB000).kind == .warning)
    #expect(DIMSEStatus(code: 0xA801).description == "Refused: move destination unknown (0xA801)")
    #expect(DIMSEStatus(code: 0xC123).kind == .failure)
  }

  @Test func messages_are_fragmented_to_the_peer_maximum_and_reassembled() throws {
    let command = try DIMSECommand.storeRequest(messageID: 1, sopClass: "1.2.3", sopInstance: "4.5.6").encoded()
    let dataset = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
    let pdus = PDataFragmenter.pdus(contextID: 5, command: command, dataset: dataset, maxPDULength: 16384)
    #expect(pdus.allSatisfy { $0.encoded().count - 6 <= 16384 })
    var assembler = PDataAssembler()
    var messages: [PDataAssembler.Message] = []
    for case .dataTF(let values) in pdus {
      for v in values {
        if let m = try assembler.add(v, expectsDataset: { (try? DIMSECommand.decode($0))?.hasDataset ?? false }) {
          messages.append(m)
        }
      }
    }
    #expect(messages == [PDataAssembler.Message(contextID: 5, command: command, dataset: dataset)])
  }

  @Test func pdvs_out_of_order_are_refused() {
    var a = PDataAssembler()
    #expect(throws: PDataAssembler.Failure.datasetBeforeCommand) {
      try a.add(
        PresentationDataValue(contextID: 1, isCommand: false, isLast: true, data: [1]), expectsDataset: { _ in true })
    }
    var b = PDataAssembler()
    _ = try? b.add(
      PresentationDataValue(contextID: 1, isCommand: true, isLast: false, data: [1]), expectsDataset: { _ in true })
    #expect(throws: PDataAssembler.Failure.contextChanged(from: 1, to: 3)) {
      try b.add(
        PresentationDataValue(contextID: 3, isCommand: true, isLast: true, data: [1]), expectsDataset: { _ in true })
    }
    var c = PDataAssembler(limit: 10)
    #expect(throws: PDataAssembler.Failure.tooLarge(limit: 10)) {
      try c.add(
        PresentationDataValue(contextID: 1, isCommand: true, isLast: false, data: [UInt8](repeating: 0, count: 11)),
        expectsDataset: { _ in true })
    }
  }
}

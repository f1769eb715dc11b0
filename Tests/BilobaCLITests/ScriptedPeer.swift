import DICOM
import DICOMNetwork
import Foundation
import TestSupport

/// One association with a scripted, possibly hostile, DICOM peer on raw sockets: it negotiates whatever
/// is proposed, then reads and sends exactly what the test says (or nothing at all).
final class ScriptedAssociation: @unchecked Sendable {
  let peer: RawPeer
  private var assembler = PDataAssembler(limit: 1 << 26)
  private(set) var accepted: [UInt8: (abstractSyntax: String, transferSyntax: String)] = [:]
  private(set) var request: AssociateRequest?

  init(peer: RawPeer) { self.peer = peer }

  /// Reads one PDU (nil on close or after `timeout`).
  func readPDU(timeout: Double = 5) -> PDU? {
    guard let bytes = peer.frame(headerSize: 6, lengthOffset: 2, timeout: timeout) else { return nil }
    return try? PDUDecoder(maximumLength: 1 << 26).decode(bytes[...])?.0
  }

  /// Acceptor side: takes the A-ASSOCIATE-RQ and accepts every context (and role) proposed.
  @discardableResult
  func acceptAssociation(aeTitle: String = "PACS") -> Bool {
    guard case .associateRQ(let rq)? = readPDU() else { return false }
    request = rq
    var policy = AcceptorPolicy(
      aeTitle: rq.calledAE.trimmingCharacters(in: .whitespaces),
      abstractSyntaxes: Set(rq.contexts.map(\.abstractSyntax)),
      transferSyntaxes: Set(rq.contexts.flatMap(\.transferSyntaxes)), maxPDULength: 1 << 20)
    policy.maxOperations = 1
    let result = policy.negotiate(rq)
    accepted = result.accepted
    peer.send(result.reply.encoded())
    return true
  }

  /// Requestor side: proposes `contexts` as `callingAE`; true when accepted.
  func requestAssociation(calledAE: String, callingAE: String, contexts: [ProposedContext]) -> Bool {
    let rq = AssociateRequest(
      calledAE: calledAE, callingAE: callingAE, contexts: contexts,
      user: UserInformation(maxPDULength: 1 << 20, implementationClassUID: "1.2.3.4"))
    peer.send(PDU.associateRQ(rq).encoded())
    guard case .associateAC(let ac)? = readPDU() else { return false }
    for c in ac.contexts where c.result == .acceptance {
      if let proposed = contexts.first(where: { $0.id == c.id }) {
        accepted[c.id] = (proposed.abstractSyntax, c.transferSyntax)
      }
    }
    return true
  }

  /// The next DIMSE message: command and dataset bytes.
  func readMessage(timeout: Double = 5) -> (contextID: UInt8, command: DIMSECommand, dataset: [UInt8]?)? {
    while true {
      guard let pdu = readPDU(timeout: timeout) else { return nil }
      guard case .dataTF(let values) = pdu else { return nil }
      for pdv in values {
        guard
          let m = try? assembler.add(pdv, expectsDataset: { (try? DIMSECommand.decode($0))?.hasDataset ?? false }),
          let command = try? DIMSECommand.decode(m.command)
        else { continue }
        return (m.contextID, command, m.dataset)
      }
    }
  }

  /// Sends a DIMSE message.
  func send(_ command: DIMSECommand, dataset: [UInt8]? = nil, contextID: UInt8) {
    var command = command
    command.dataset.set(
      Tag(0x0000, 0x0800), .US, integers: [dataset == nil ? DIMSECommand.noDataset : UInt16(0)])
    guard let bytes = try? command.encoded() else { return }
    for pdu in PDataFragmenter.pdus(contextID: contextID, command: bytes, dataset: dataset, maxPDULength: 1 << 16) {
      peer.send(pdu.encoded())
    }
  }

  /// A response to `request` with `status`, and sub-operation counts for C-MOVE/C-GET.
  func respond(
    to request: DIMSECommand, contextID: UInt8, status: DIMSEStatus, remaining: Int? = nil, completed: Int? = nil,
    failed: Int? = nil
  ) {
    guard var response = try? DIMSECommand.response(to: request, status: status) else { return }
    for (tag, value) in [(0x1020, remaining), (0x1021, completed), (0x1022, failed)] {
      if let value { response.dataset.set(Tag(0x0000, UInt16(tag)), .US, integers: [UInt16(value)]) }
    }
    send(response, contextID: contextID)
  }

  /// Sends a C-STORE-RQ with `dataset` and returns the status the receiver answered.
  func store(
    _ dataset: [UInt8], sopClass: String, instance: String, contextID: UInt8, messageID: UInt16 = 100
  ) -> DIMSEStatus? {
    guard let rq = try? DIMSECommand.storeRequest(messageID: messageID, sopClass: sopClass, sopInstance: instance)
    else { return nil }
    send(rq, dataset: dataset, contextID: contextID)
    return readMessage()?.command.status
  }

  func context(for abstractSyntax: String) -> UInt8? {
    accepted.first { $0.value.abstractSyntax == abstractSyntax }?.key
  }

  /// Waits for the requestor's release and answers it.
  func answerRelease() {
    guard case .releaseRQ? = readPDU() else { return }
    peer.send(PDU.releaseRP.encoded())
    _ = peer.isClosedByPeer(within: 2)
  }

  func release() {
    peer.send(PDU.releaseRQ.encoded())
    _ = readPDU(timeout: 2)
  }
}

/// A scripted peer listening on loopback: connections are taken one after the other, up to
/// `connections`, each running `script` with its number (0 first).
final class ScriptedPeer: @unchecked Sendable {
  let listener: RawListener
  private let done = DispatchSemaphore(value: 0)

  var port: Int { listener.port }

  init(connections: Int = 1, script: @escaping @Sendable (Int, ScriptedAssociation) -> Void) throws {
    listener = try RawListener()
    let listener = self.listener
    let done = self.done
    Thread {
      for n in 0..<connections {
        guard let peer = listener.accept(timeout: 30) else { break }
        script(n, ScriptedAssociation(peer: peer))
      }
      done.signal()
    }.start()
  }

  /// Waits until the script has run.
  func wait(timeout: Double = 30) -> Bool { done.wait(timeout: .now() + timeout) == .success }
}

/// The plan's C-FIND that `get` and `move` make first, answered with no match: the whole target is then
/// asked for.
func answerFindWithNothing(_ a: ScriptedAssociation) {
  guard a.acceptAssociation(), let find = a.readMessage() else { return }
  a.respond(to: find.command, contextID: find.contextID, status: .success)
  a.answerRelease()
}

/// Connects to a port on loopback, retrying while the server starts.
func connectWhenReady(port: Int, timeout: Double = 10) -> RawPeer? {
  let deadline = Date().addingTimeInterval(timeout)
  while Date() < deadline {
    if let peer = try? RawPeer(port: port) { return peer }
    Thread.sleep(forTimeInterval: 0.05)
  }
  return nil
}

import DICOM

/// A composite object as it arrived in a C-STORE: the UIDs from the command, the negotiated transfer
/// syntax, who sent it, and the dataset's bytes exactly as received (never transcoded).
public struct ReceivedObject: Sendable {
  public var sopClassUID: String
  public var sopInstanceUID: String
  public var transferSyntaxUID: String
  public var callingAE: String
  public var dataset: [UInt8]

  public init(
    sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String, dataset: [UInt8]
  ) {
    self.sopClassUID = sopClassUID
    self.sopInstanceUID = sopInstanceUID
    self.transferSyntaxUID = transferSyntaxUID
    self.callingAE = callingAE
    self.dataset = dataset
  }
}

/// Where received objects go (the local archive, for the workstation). Returns the C-STORE status: a
/// failure status when the object was not kept, and then nothing of it may remain.
public protocol StorageHandler: Sendable {
  func store(_ object: ReceivedObject) async -> DIMSEStatus
  /// Waits until everything stored so far is durable; false when some of it could not be made so. The
  /// SCP calls it before answering a release (and aborts instead when it fails).
  func flush() async -> Bool
}

extension StorageHandler {
  public func flush() async -> Bool { true }
}

extension Association {
  /// Answers a C-STORE-RQ: checks the command against its context, hands the object to `storage`, and
  /// sends the response. Used by the Storage SCP and by C-GET's storage sub-operations.
  func answerStore(_ message: Message, callingAE: String, storage: any StorageHandler) async throws(NetworkError) {
    let command = message.command
    let status: DIMSEStatus
    if let ctx = contexts[message.contextID], let sopClass = command.affectedSOPClassUID,
      let instance = command.affectedSOPInstanceUID, let dataset = message.dataset
    {
      if sopClass != ctx.abstractSyntax {
        status = .sopClassNotSupported
      } else if !UIDSyntax.isValid(instance) || !UIDSyntax.isValid(sopClass) {
        status = .cannotUnderstand
      } else {
        status = await storage.store(
          ReceivedObject(
            sopClassUID: sopClass, sopInstanceUID: instance, transferSyntaxUID: ctx.transferSyntax,
            callingAE: callingAE, dataset: dataset))
      }
      logger.info(
        "C-STORE \(status.kind == .success ? "stored" : "refused")",
        metadata: [
          "peer": "\(LogPrivacy.peerText(callingAE))", "class": "\(UIDRegistry.name(of: sopClass))",
          "instance": "\(privacy.identifier(instance))", "status": "\(status)",
        ])
    } else {
      status = .cannotUnderstand
    }
    let response = try dimse { () throws(DICOMError) in try DIMSECommand.response(to: command, status: status) }
    try await send(response, contextID: message.contextID)
  }
}

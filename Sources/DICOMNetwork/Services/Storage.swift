import DICOM

/// An incoming C-STORE as its command names it, before its dataset has arrived.
public struct IncomingObject: Sendable, Equatable {
  public var sopClassUID: String
  public var sopInstanceUID: String
  public var transferSyntaxUID: String
  public var callingAE: String

  public init(sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String) {
    self.sopClassUID = sopClassUID
    self.sopInstanceUID = sopInstanceUID
    self.transferSyntaxUID = transferSyntaxUID
    self.callingAE = callingAE
  }
}

/// Where an incoming dataset is written fragment by fragment as it arrives (the archive: a file in its
/// incoming folder), so that what an association holds in memory does not grow with the object.
/// Used by one association at a time.
public protocol DatasetSpool: AnyObject, Sendable {
  /// Appends a fragment; throws when it cannot be kept (a size cap, a full disk).
  func append(_ bytes: [UInt8]) throws
  /// Drops everything written (the association ended before the last fragment, or the object was refused).
  func discard()
}

/// A composite object as it arrived in a C-STORE: the UIDs from the command, the negotiated transfer
/// syntax, who sent it, and the dataset exactly as received (never transcoded): in `dataset`, or in
/// `spool` when the handler gave one.
public struct ReceivedObject: Sendable {
  public var sopClassUID: String
  public var sopInstanceUID: String
  public var transferSyntaxUID: String
  public var callingAE: String
  public var dataset: [UInt8]
  public var spool: (any DatasetSpool)?

  public init(
    sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String, dataset: [UInt8],
    spool: (any DatasetSpool)? = nil
  ) {
    self.sopClassUID = sopClassUID
    self.sopInstanceUID = sopInstanceUID
    self.transferSyntaxUID = transferSyntaxUID
    self.callingAE = callingAE
    self.dataset = dataset
    self.spool = spool
  }

}

/// Where received objects go (the local archive, for the workstation). Returns the C-STORE status: a
/// failure status when the object was not kept, and then nothing of it may remain.
public protocol StorageHandler: Sendable {
  /// Where the dataset of `object` is written while it arrives; nil keeps it in memory, up to the
  /// association's in-memory message limit. Throwing refuses the object (the association is aborted).
  func spool(for object: IncomingObject) throws -> (any DatasetSpool)?
  func store(_ object: ReceivedObject) async -> DIMSEStatus
  /// Waits until everything stored so far is durable; false when some of it could not be made so. The
  /// SCP calls it before answering a release (and aborts instead when it fails).
  func flush() async -> Bool
}

extension StorageHandler {
  public func flush() async -> Bool { true }
  public func spool(for object: IncomingObject) throws -> (any DatasetSpool)? { nil }
}

extension Association {
  /// Answers a C-STORE-RQ: checks the command against its context, hands the object to `storage`, and
  /// sends the response. Used by the Storage SCP and by C-GET's storage sub-operations.
  func answerStore(_ message: Message, callingAE: String, storage: any StorageHandler) async throws(NetworkError) {
    let command = message.command
    let status: DIMSEStatus
    if let ctx = contexts[message.contextID], let sopClass = command.affectedSOPClassUID,
      let instance = command.affectedSOPInstanceUID, message.dataset != nil || message.spool != nil
    {
      if sopClass != ctx.abstractSyntax {
        status = .sopClassNotSupported
      } else if !UIDSyntax.isValid(instance) || !UIDSyntax.isValid(sopClass) {
        status = .cannotUnderstand
      } else {
        status = await storage.store(
          ReceivedObject(
            sopClassUID: sopClass, sopInstanceUID: instance, transferSyntaxUID: ctx.transferSyntax,
            callingAE: callingAE, dataset: message.dataset ?? [], spool: message.spool))
      }
      logger.info(
        "C-STORE \(status.kind == .success ? "stored" : "refused")",
        metadata: [
          "peer": "\(LogPrivacy.peerText(callingAE))", "class": "\(LogPrivacy.uidText(sopClass))",
          "instance": "\(privacy.identifier(instance))", "status": "\(status)",
        ])
    } else {
      status = .cannotUnderstand
    }
    // A spool the handler did not take (refused before it was stored) leaves nothing behind.
    if status.kind == .failure { message.spool?.discard() }
    let response = try dimse { () throws(DICOMError) in try DIMSECommand.response(to: command, status: status) }
    try await send(response, contextID: message.contextID)
  }

  /// Where a whole command's dataset goes: a C-STORE-RQ's to the handler's spool (on a context we
  /// accepted, with well-formed UIDs), everything else to memory.
  func datasetDestination(_ command: DIMSECommand, contextID: UInt8, callingAE: String, storage: any StorageHandler)
    -> PDataAssembler.Destination
  {
    guard command.hasDataset else { return .none }
    guard command.field == .cStoreRQ, let ctx = contexts[contextID], let sopClass = command.affectedSOPClassUID,
      let instance = command.affectedSOPInstanceUID, UIDSyntax.isValid(sopClass), UIDSyntax.isValid(instance)
    else { return .memory }
    let object = IncomingObject(
      sopClassUID: sopClass, sopInstanceUID: instance, transferSyntaxUID: ctx.transferSyntax, callingAE: callingAE)
    do {
      return try storage.spool(for: object).map { .spool($0) } ?? .memory
    } catch {
      logger.warning("incoming object cannot be spooled: \(TextSafety.text("\(error)"))")
      return .memory
    }
  }
}

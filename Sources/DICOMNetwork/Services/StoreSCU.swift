public import DICOM

/// An object to send with C-STORE: its UIDs, the transfer syntax of its bytes, and the dataset bytes as
/// stored in its file (sent as they are whenever the peer accepts that syntax).
public struct StorableObject: Sendable {
  public var sopClassUID: String
  public var sopInstanceUID: String
  public var transferSyntaxUID: String
  public var dataset: [UInt8]
  /// The study it belongs to, when the file says (for the audit trail's record of what was sent).
  public var studyInstanceUID: String?

  public init(sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, dataset: [UInt8]) {
    self.sopClassUID = sopClassUID
    self.sopInstanceUID = sopInstanceUID
    self.transferSyntaxUID = transferSyntaxUID
    self.dataset = dataset
  }

  /// Reads a Part 10 file: the dataset's bytes follow its meta group unchanged. With `headerOnly`, only
  /// the UIDs and the syntax are read (the dataset stays empty), enough to propose contexts.
  public static func load(path: String, headerOnly: Bool = false) throws(DICOMError) -> StorableObject {
    let (file, dataset) =
      headerOnly
      ? (try DICOMFile.read(path: path, options: ReadOptions(stopBeforePixelData: true)), [])
      : try DICOMFile.headerAndDataset(path: path)
    guard let sopClass = file.meta.string(.mediaStorageSOPClassUID) ?? file.dataset.string(.sopClassUID),
      let instance = file.meta.string(.mediaStorageSOPInstanceUID) ?? file.dataset.string(.sopInstanceUID)
    else { throw DICOMError.invalidValue(tag: .sopInstanceUID, reason: "no SOP Class or Instance UID") }
    var object = StorableObject(
      sopClassUID: sopClass, sopInstanceUID: instance, transferSyntaxUID: file.transferSyntax.uid, dataset: dataset)
    object.studyInstanceUID = file.dataset.string(.studyInstanceUID)
    return object
  }

  /// The transfer syntaxes this object can be sent in: its own, and for an uncompressed object the other
  /// uncompressed little endian syntax too (re-encoding those loses nothing).
  public var sendableSyntaxes: [String] {
    ServiceClasses.uncompressedSyntaxes.contains(transferSyntaxUID)
      ? [transferSyntaxUID] + ServiceClasses.uncompressedSyntaxes.filter { $0 != transferSyntaxUID }
      : [transferSyntaxUID]
  }

  /// Proposal for sending these objects: one context per SOP class and syntax family (PS3.4 B.3.1).
  public static func proposal(for objects: [StorableObject]) -> [ProposedContext] {
    var seen: [String] = []
    var items: [(abstractSyntax: String, transferSyntaxes: [String])] = []
    for o in objects {
      let key = o.sopClassUID + "|" + o.sendableSyntaxes.sorted().joined(separator: ",")
      guard !seen.contains(key) else { continue }
      seen.append(key)
      items.append((o.sopClassUID, o.sendableSyntaxes))
    }
    return ContextProposal.contexts(items)
  }
}

extension Association {
  /// C-STORE (PS3.7 9.1.1): sends one object in a context that accepted its SOP class and a syntax it can
  /// be sent in, and returns the peer's status.
  public func store(_ object: StorableObject) async throws(NetworkError) -> DIMSEStatus {
    let id = try await sendStore(object)
    let (answered, status) = try await storeResponse()
    guard answered == id else { throw NetworkError.protocolViolation("a response to a request that was not made") }
    return status
  }

  /// The C-STORE request alone: returns its message ID without waiting for the answer, so that up to
  /// `operationsWindow` objects can be on their way at once (take the answers with `storeResponse`).
  public func sendStore(_ object: StorableObject) async throws(NetworkError) -> UInt16 {
    let candidates = contexts.values.filter {
      $0.abstractSyntax == object.sopClassUID && object.sendableSyntaxes.contains($0.transferSyntax)
    }.sorted { a, b in
      (a.transferSyntax == object.transferSyntaxUID ? 0 : 1, a.id) < (
        b.transferSyntax == object.transferSyntaxUID ? 0 : 1, b.id
      )
    }
    guard let ctx = candidates.first else {
      throw NetworkError.noPresentationContext(sopClass: object.sopClassUID, transferSyntax: object.transferSyntaxUID)
    }
    var bytes = object.dataset
    if ctx.transferSyntax != object.transferSyntaxUID {
      do {
        let ds = try DICOMFile.readDataset(bytes: bytes, transferSyntax: .from(uid: object.transferSyntaxUID))
        bytes = try DatasetWriter(transferSyntax: .from(uid: ctx.transferSyntax)).encode(ds)
      } catch {
        throw NetworkError.dataset(error)
      }
    }
    let id = nextMessageID()
    let request = try dimse { () throws(DICOMError) in
      try DIMSECommand.storeRequest(messageID: id, sopClass: object.sopClassUID, sopInstance: object.sopInstanceUID)
    }
    try await send(request, dataset: bytes, contextID: ctx.id)
    return id
  }

  /// The next C-STORE response: the ID of the request it answers, and its status.
  public func storeResponse() async throws(NetworkError) -> (messageID: UInt16, status: DIMSEStatus) {
    guard let message = try await receiveMessage() else { throw NetworkError.connectionClosed }
    guard message.command.field == .cStoreRSP,
      let id = message.command.messageIDBeingRespondedTo
    else { throw NetworkError.protocolViolation("expected a C-STORE response") }
    return (id, message.command.status ?? .processingFailure)
  }
}

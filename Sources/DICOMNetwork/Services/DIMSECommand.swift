public import DICOM

/// A DIMSE command set (PS3.7 section 9.3, E.1): group 0000 elements, always encoded in implicit VR little
/// endian with its group length.
public struct DIMSECommand: Sendable, Equatable {
  /// Command Field values (PS3.7 E.1).
  public enum Field: UInt16, Sendable {
    case cStoreRQ = 0x0001, cStoreRSP = 0x8001, cGetRQ = 0x0010, cGetRSP = 0x8010, cFindRQ = 0x0020,
      cFindRSP = 0x8020, cMoveRQ = 0x0021, cMoveRSP = 0x8021, cEchoRQ = 0x0030, cEchoRSP = 0x8030,
      cCancelRQ = 0x0FFF
  }

  public var dataset: Dataset

  public init(dataset: Dataset) { self.dataset = dataset }

  static let groupLength = Tag(0x0000, 0x0000)
  static let affectedSOPClass = Tag(0x0000, 0x0002)
  static let commandFieldTag = Tag(0x0000, 0x0100)
  static let messageIDTag = Tag(0x0000, 0x0110)
  static let respondedTo = Tag(0x0000, 0x0120)
  static let moveDestinationTag = Tag(0x0000, 0x0600)
  static let priorityTag = Tag(0x0000, 0x0700)
  static let dataSetType = Tag(0x0000, 0x0800)
  static let statusTag = Tag(0x0000, 0x0900)
  static let affectedSOPInstance = Tag(0x0000, 0x1000)
  static let remainingTag = Tag(0x0000, 0x1020)
  static let completedTag = Tag(0x0000, 0x1021)
  static let failedTag = Tag(0x0000, 0x1022)
  static let warningTag = Tag(0x0000, 0x1023)

  /// 0x0101 in Command Data Set Type means no dataset follows.
  public static let noDataset: UInt16 = 0x0101

  public var field: Field? {
    dataset.int(Self.commandFieldTag).flatMap { Field(rawValue: UInt16(truncatingIfNeeded: $0)) }
  }
  public var messageID: UInt16? { dataset.int(Self.messageIDTag).map { UInt16(truncatingIfNeeded: $0) } }
  public var messageIDBeingRespondedTo: UInt16? { dataset.int(Self.respondedTo).map { UInt16(truncatingIfNeeded: $0) } }
  public var status: DIMSEStatus? {
    dataset.int(Self.statusTag).map { DIMSEStatus(code: UInt16(truncatingIfNeeded: $0)) }
  }
  public var hasDataset: Bool { (dataset.int(Self.dataSetType) ?? Int(Self.noDataset)) != Int(Self.noDataset) }
  public var affectedSOPClassUID: String? { dataset.string(Self.affectedSOPClass) }
  public var affectedSOPInstanceUID: String? { dataset.string(Self.affectedSOPInstance) }

  /// Sub-operation counts of C-MOVE and C-GET responses: remaining, completed, failed, warning.
  public var subOperations: (remaining: Int?, completed: Int?, failed: Int?, warning: Int?) {
    (
      dataset.int(Self.remainingTag), dataset.int(Self.completedTag), dataset.int(Self.failedTag),
      dataset.int(Self.warningTag)
    )
  }

  /// Builds a command: field, message ID (or the ID answered), SOP class, whether a dataset follows.
  public init(field: Field, messageID: UInt16, sopClass: String?, hasDataset: Bool, respondingTo: Bool = false)
    throws(DICOMError)
  {
    var ds = Dataset(byteOrder: .little)
    if let sopClass { try ds.set(Self.affectedSOPClass, .UI, sopClass) }
    ds.set(Self.commandFieldTag, .US, integers: [field.rawValue])
    ds.set(respondingTo ? Self.respondedTo : Self.messageIDTag, .US, integers: [messageID])
    ds.set(Self.dataSetType, .US, integers: [hasDataset ? UInt16(0x0000) : Self.noDataset])
    dataset = ds
  }

  public static func echoRequest(messageID: UInt16) throws(DICOMError) -> DIMSECommand {
    try DIMSECommand(field: .cEchoRQ, messageID: messageID, sopClass: "1.2.840.10008.1.1", hasDataset: false)
  }

  public static func storeRequest(messageID: UInt16, sopClass: String, sopInstance: String, priority: UInt16 = 0)
    throws(DICOMError) -> DIMSECommand
  {
    var c = try DIMSECommand(field: .cStoreRQ, messageID: messageID, sopClass: sopClass, hasDataset: true)
    c.dataset.set(priorityTag, .US, integers: [priority])
    try c.dataset.set(affectedSOPInstance, .UI, sopInstance)
    return c
  }

  /// C-FIND-RQ, C-MOVE-RQ and C-GET-RQ: an identifier dataset follows (PS3.7 9.3.2, 9.3.3, 9.3.4).
  public static func queryRequest(
    _ field: Field, messageID: UInt16, sopClass: String, moveDestination: String? = nil, priority: UInt16 = 0
  ) throws(DICOMError) -> DIMSECommand {
    var c = try DIMSECommand(field: field, messageID: messageID, sopClass: sopClass, hasDataset: true)
    c.dataset.set(priorityTag, .US, integers: [priority])
    if let moveDestination { try c.dataset.set(moveDestinationTag, .AE, moveDestination) }
    return c
  }

  /// C-CANCEL-RQ for the request with `messageID` (PS3.7 9.3.2.3).
  public static func cancelRequest(respondingTo messageID: UInt16) throws(DICOMError) -> DIMSECommand {
    try DIMSECommand(field: .cCancelRQ, messageID: messageID, sopClass: nil, hasDataset: false, respondingTo: true)
  }

  public var moveDestination: String? { dataset.string(Self.moveDestinationTag) }

  /// The response to a request: same SOP class (and instance), the status, no dataset unless given.
  public static func response(to request: DIMSECommand, status: DIMSEStatus, hasDataset: Bool = false)
    throws(DICOMError) -> DIMSECommand
  {
    guard let field = request.field, let responseField = Field(rawValue: field.rawValue | 0x8000),
      let id = request.messageID
    else {
      throw DICOMError.invalidValue(tag: commandFieldTag, reason: "not a request")
    }
    var c = try DIMSECommand(
      field: responseField, messageID: id, sopClass: request.affectedSOPClassUID,
      hasDataset: hasDataset, respondingTo: true)
    c.dataset.set(statusTag, .US, integers: [status.code])
    if let instance = request.affectedSOPInstanceUID { try c.dataset.set(affectedSOPInstance, .UI, instance) }
    return c
  }

  /// The command's bytes: implicit VR little endian with (0000,0000) first (PS3.7 6.3.1).
  public func encoded() throws(DICOMError) -> [UInt8] {
    var body = dataset
    body.remove(Self.groupLength)
    let bytes = try DatasetWriter(transferSyntax: .implicitVRLittleEndian).encode(body)
    var withLength = body
    withLength.set(Self.groupLength, .UL, integers: [UInt32(bytes.count)])
    return try DatasetWriter(transferSyntax: .implicitVRLittleEndian).encode(withLength)
  }

  public static func decode(_ bytes: [UInt8]) throws(DICOMError) -> DIMSECommand {
    var ds = try DICOMFile.readDataset(bytes: bytes, transferSyntax: .implicitVRLittleEndian)
    guard ds.elements.first?.tag.group == 0x0000, ds[commandFieldTag] != nil else {
      throw DICOMError.malformed(tag: commandFieldTag, offset: 0, reason: "not a DIMSE command set")
    }
    // DCMTK's SCPs (Orthanc's C-GET among them) put a failed retrieve's status detail, the Failed SOP
    // Instance UID List (0008,0058), after the command's own elements: the command is group 0000 alone.
    for element in ds.elements where element.tag.group != 0x0000 { ds.remove(element.tag) }
    return DIMSECommand(dataset: ds)
  }
}

/// DIMSE status codes and what they mean (PS3.7 annex C).
public struct DIMSEStatus: Sendable, Equatable, CustomStringConvertible {
  public let code: UInt16
  public init(code: UInt16) { self.code = code }

  public static let success = DIMSEStatus(code: 0x0000)
  public static let pending = DIMSEStatus(code: 0xFF00)
  public static let pendingWithWarnings = DIMSEStatus(code: 0xFF01)
  public static let cancel = DIMSEStatus(code: 0xFE00)
  public static let outOfResources = DIMSEStatus(code: 0xA700)
  public static let moveDestinationUnknown = DIMSEStatus(code: 0xA801)
  public static let dataSetDoesNotMatchSOPClass = DIMSEStatus(code: 0xA900)
  public static let cannotUnderstand = DIMSEStatus(code: 0xC000)
  public static let subOperationsCompleteWithFailures = DIMSEStatus(code: 0xB000)
  public static let processingFailure = DIMSEStatus(code: 0x0110)
  public static let sopClassNotSupported = DIMSEStatus(code: 0x0122)
  /// PS3.7 C.5: what the archive gives a C-STORE it will not keep for policy reasons (an instance it
  /// holds with other content, an object a retrieve did not ask for).
  public static let notAuthorized = DIMSEStatus(code: 0x0124)

  public enum Kind: Sendable, Equatable { case success, pending, cancel, warning, failure }

  public var kind: Kind {
    switch code {
    case 0x0000: .success
    case 0xFF00, 0xFF01: .pending
    case 0xFE00: .cancel
    case 0x0001, 0x0107, 0x0116, 0xB000...0xBFFF: .warning
    default: .failure
    }
  }

  public var description: String {
    let hex = String(code, radix: 16, uppercase: true)
    let name: String
    switch code {
    case 0x0000: name = "Success"
    case 0xFF00: name = "Pending"
    case 0xFF01: name = "Pending (optional keys not supported)"
    case 0xFE00: name = "Cancelled"
    case 0xA700...0xA7FF: name = "Refused: out of resources"
    case 0xA801: name = "Refused: move destination unknown"
    case 0xA900...0xA9FF: name = "Error: data set does not match SOP class"
    case 0xB000: name = "Warning: sub-operations complete, one or more failures"
    case 0xB000...0xBFFF: name = "Warning"
    case 0xC000...0xCFFF: name = "Error: cannot understand"
    case 0x0110: name = "Processing failure"
    case 0x0122: name = "Refused: SOP class not supported"
    case 0x0124: name = "Refused: not authorized"
    default: name = kind == .failure ? "Failure" : "Status"
    }
    return "\(name) (0x\(String(repeating: "0", count: 4 - hex.count) + hex))"
  }
}

/// Protocol data units of the DICOM upper layer (PS3.8 section 9.3), as values.
public enum PDU: Sendable, Equatable {
  case associateRQ(AssociateRequest)
  case associateAC(AssociateAccept)
  case associateRJ(AssociateReject)
  case dataTF([PresentationDataValue])
  case releaseRQ
  case releaseRP
  case abort(AssociateAbort)

  /// PDU type byte (PS3.8 table 9-11 and following).
  public var type: UInt8 {
    switch self {
    case .associateRQ: 0x01
    case .associateAC: 0x02
    case .associateRJ: 0x03
    case .dataTF: 0x04
    case .releaseRQ: 0x05
    case .releaseRP: 0x06
    case .abort: 0x07
    }
  }
}

/// A presentation context proposed by the requestor: one abstract syntax, transfer syntaxes in order of preference.
public struct ProposedContext: Sendable, Equatable {
  public var id: UInt8
  public var abstractSyntax: String
  public var transferSyntaxes: [String]

  public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
    self.id = id
    self.abstractSyntax = abstractSyntax
    self.transferSyntaxes = transferSyntaxes
  }
}

/// The acceptor's answer for one presentation context (PS3.8 table 9-18).
public struct AcceptedContext: Sendable, Equatable {
  public enum Result: UInt8, Sendable {
    case acceptance = 0, userRejection = 1, noReason = 2, abstractSyntaxNotSupported = 3,
      transferSyntaxesNotSupported = 4
  }
  public var id: UInt8
  public var result: Result
  public var transferSyntax: String

  public init(id: UInt8, result: Result, transferSyntax: String) {
    self.id = id
    self.result = result
    self.transferSyntax = transferSyntax
  }
}

/// SCP/SCU role selection for one SOP class (PS3.7 D.3.3.4), as C-GET needs.
public struct RoleSelection: Sendable, Equatable {
  public var sopClass: String
  public var scu: Bool
  public var scp: Bool

  public init(sopClass: String, scu: Bool, scp: Bool) {
    self.sopClass = sopClass
    self.scu = scu
    self.scp = scp
  }
}

/// User identity negotiation (PS3.7 D.3.3.7).
public struct UserIdentity: Sendable, Equatable {
  public var type: UInt8
  public var positiveResponseRequested: Bool
  public var primary: [UInt8]
  public var secondary: [UInt8]

  public init(type: UInt8, positiveResponseRequested: Bool, primary: [UInt8], secondary: [UInt8] = []) {
    self.type = type
    self.positiveResponseRequested = positiveResponseRequested
    self.primary = primary
    self.secondary = secondary
  }
}

/// The User Information item (PS3.7 annex D.3.3) and its sub-items.
public struct UserInformation: Sendable, Equatable {
  public var maxPDULength: UInt32?
  public var implementationClassUID: String?
  public var implementationVersionName: String?
  /// Asynchronous operations window: invoked, performed.
  public var asynchronousOperations: (invoked: UInt16, performed: UInt16)?
  public var roles: [RoleSelection] = []
  /// SOP class extended negotiation: SOP class UID and its application information.
  public var extendedNegotiation: [(sopClass: String, info: [UInt8])] = []
  public var userIdentity: UserIdentity?
  /// The acceptor's user identity response.
  public var userIdentityResponse: [UInt8]?
  /// Sub-items of types this code does not interpret, kept so nothing is lost on re-encoding.
  public var otherItems: [(type: UInt8, value: [UInt8])] = []

  public init(
    maxPDULength: UInt32? = nil, implementationClassUID: String? = nil,
    implementationVersionName: String? = nil
  ) {
    self.maxPDULength = maxPDULength
    self.implementationClassUID = implementationClassUID
    self.implementationVersionName = implementationVersionName
  }

  public static func == (a: UserInformation, b: UserInformation) -> Bool {
    a.maxPDULength == b.maxPDULength && a.implementationClassUID == b.implementationClassUID
      && a.implementationVersionName == b.implementationVersionName
      && a.asynchronousOperations?.invoked == b.asynchronousOperations?.invoked
      && a.asynchronousOperations?.performed == b.asynchronousOperations?.performed && a.roles == b.roles
      && a.extendedNegotiation.map(\.sopClass) == b.extendedNegotiation.map(\.sopClass)
      && a.extendedNegotiation.map(\.info) == b.extendedNegotiation.map(\.info) && a.userIdentity == b.userIdentity
      && a.userIdentityResponse == b.userIdentityResponse && a.otherItems.map(\.type) == b.otherItems.map(\.type)
      && a.otherItems.map(\.value) == b.otherItems.map(\.value)
  }
}

public struct AssociateRequest: Sendable, Equatable {
  public var protocolVersion: UInt16 = 1
  public var calledAE: String
  public var callingAE: String
  public var applicationContext: String = "1.2.840.10008.3.1.1.1"
  public var contexts: [ProposedContext]
  public var user: UserInformation

  public init(calledAE: String, callingAE: String, contexts: [ProposedContext], user: UserInformation) {
    self.calledAE = calledAE
    self.callingAE = callingAE
    self.contexts = contexts
    self.user = user
  }
}

public struct AssociateAccept: Sendable, Equatable {
  public var protocolVersion: UInt16 = 1
  /// Echoed from the request (PS3.8 says they are not tested, but they are sent).
  public var calledAE: String
  public var callingAE: String
  public var applicationContext: String = "1.2.840.10008.3.1.1.1"
  public var contexts: [AcceptedContext]
  public var user: UserInformation

  public init(calledAE: String, callingAE: String, contexts: [AcceptedContext], user: UserInformation) {
    self.calledAE = calledAE
    self.callingAE = callingAE
    self.contexts = contexts
    self.user = user
  }
}

/// A-ASSOCIATE-RJ: result (1 permanent, 2 transient), source and reason (PS3.8 table 9-21).
public struct AssociateReject: Sendable, Equatable {
  public var result: UInt8
  public var source: UInt8
  public var reason: UInt8

  public init(result: UInt8, source: UInt8, reason: UInt8) {
    self.result = result
    self.source = source
    self.reason = reason
  }

  /// Service user, permanent: calling AE title not recognized.
  public static let callingAENotRecognized = AssociateReject(result: 1, source: 1, reason: 3)
  /// Service user, permanent: called AE title not recognized.
  public static let calledAENotRecognized = AssociateReject(result: 1, source: 1, reason: 7)
  /// Service provider (presentation), transient: local limit exceeded.
  public static let localLimitExceeded = AssociateReject(result: 2, source: 3, reason: 2)
}

/// A-ABORT: source (0 user, 2 provider) and reason (PS3.8 table 9-26).
public struct AssociateAbort: Sendable, Equatable {
  public var source: UInt8
  public var reason: UInt8

  public init(source: UInt8, reason: UInt8) {
    self.source = source
    self.reason = reason
  }

  public static let unrecognizedPDU = AssociateAbort(source: 2, reason: 1)
  public static let unexpectedPDU = AssociateAbort(source: 2, reason: 2)
  public static let invalidParameter = AssociateAbort(source: 2, reason: 6)
}

/// One PDV of a P-DATA-TF: context ID, whether it carries command or dataset bytes, whether it is the
/// last fragment, and the bytes (PS3.8 E.2).
public struct PresentationDataValue: Sendable, Equatable {
  public var contextID: UInt8
  public var isCommand: Bool
  public var isLast: Bool
  public var data: [UInt8]

  public init(contextID: UInt8, isCommand: Bool, isLast: Bool, data: [UInt8]) {
    self.contextID = contextID
    self.isCommand = isCommand
    self.isLast = isLast
    self.data = data
  }
}

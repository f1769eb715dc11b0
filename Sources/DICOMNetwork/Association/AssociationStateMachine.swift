/// The DICOM upper layer state machine of PS3.8 section 9.2, as an (event, state) -> action table.
/// Sans-IO: it says what to do (send this PDU kind, start or stop ARTIM, close the transport, tell the
/// user); the transport does it.
public struct AssociationStateMachine: Sendable, Equatable {
  /// PS3.8 table 9-1: Sta1 to Sta13.
  public enum State: Int, Sendable, CaseIterable {
    case idle = 1, awaitingAssociateRQ, awaitingLocalAssociateResponse, awaitingTransportOpen,
      awaitingAssociateACorRJ, established, awaitingReleaseRP, awaitingLocalReleaseResponse,
      collisionRequestorAwaitingLocalResponse, collisionAcceptorAwaitingReleaseRP,
      collisionRequestorAwaitingReleaseRP, collisionAcceptorAwaitingLocalResponse, awaitingTransportClose
  }

  /// PS3.8 table 9-2: Evt1 to Evt19.
  public enum Event: Int, Sendable, CaseIterable {
    case associateRequest = 1, transportConfirmation, associateACReceived, associateRJReceived,
      transportIndication, associateRQReceived, associateResponseAccept, associateResponseReject,
      pDataRequest, pDataReceived, releaseRequest, releaseRQReceived, releaseRPReceived, releaseResponse,
      abortRequest, abortReceived, transportClosed, artimExpired, invalidPDUReceived
  }

  /// PS3.8 tables 9-6 to 9-9: AE-1..8, DT-1..2, AR-1..10, AA-1..8.
  public enum Action: String, Sendable, CaseIterable {
    case ae1 = "AE-1", ae2 = "AE-2", ae3 = "AE-3", ae4 = "AE-4", ae5 = "AE-5", ae6 = "AE-6", ae7 = "AE-7", ae8 = "AE-8"
    case dt1 = "DT-1", dt2 = "DT-2"
    case ar1 = "AR-1", ar2 = "AR-2", ar3 = "AR-3", ar4 = "AR-4", ar5 = "AR-5", ar6 = "AR-6", ar7 = "AR-7", ar8 = "AR-8",
      ar9 = "AR-9", ar10 = "AR-10"
    case aa1 = "AA-1", aa2 = "AA-2", aa3 = "AA-3", aa4 = "AA-4", aa5 = "AA-5", aa6 = "AA-6", aa7 = "AA-7", aa8 = "AA-8"
  }

  /// What the transport and the service user are to do after a transition.
  public enum Effect: Sendable, Equatable {
    case openTransport, closeTransport
    case send(PDUKind)
    case startARTIM, stopARTIM
    case indicate(Indication)
  }

  public enum PDUKind: Sendable, Equatable {
    case associateRQ, associateAC, associateRJ, pData, releaseRQ, releaseRP, abort
  }

  public enum Indication: Sendable, Equatable {
    case associateRequest, associateAccepted, associateRejected, pData, releaseRequest, releaseConfirmed,
      abort, providerAbort
  }

  public private(set) var state: State = .idle
  /// This side asked for the association (decides release collisions, AR-8).
  public let isRequestor: Bool

  public init(isRequestor: Bool) {
    self.isRequestor = isRequestor
  }

  init(isRequestor: Bool, state: State) {
    self.isRequestor = isRequestor
    self.state = state
  }

  public enum Failure: Error, Sendable, Equatable {
    /// The event cannot happen in this state (a blank cell of table 9-10).
    case noTransition(event: Event, state: State)
  }

  /// Applies an event; `acceptable` is the local decision for AE-6 (is the A-ASSOCIATE-RQ acceptable?).
  public mutating func handle(_ event: Event, acceptable: Bool = true) throws(Failure) -> (Action, [Effect]) {
    guard let action = Self.table[Key(event: event, state: state)] else {
      throw Failure.noTransition(event: event, state: state)
    }
    let (next, effects) = Self.perform(action, isRequestor: isRequestor, acceptable: acceptable)
    state = next
    return (action, effects)
  }

  struct Key: Hashable {
    let event: Event
    let state: State
  }

  /// Table 9-10.
  static let table: [Key: Action] = {
    var t: [Key: Action] = [:]
    func set(_ e: Event, _ states: [Int], _ a: Action) {
      for s in states { t[Key(event: e, state: State(rawValue: s)!)] = a }
    }
    let sta6to12 = Array(6...12)
    set(.associateRequest, [1], .ae1)
    set(.transportConfirmation, [4], .ae2)
    for e in [
      Event.associateACReceived, .associateRJReceived, .associateRQReceived, .pDataReceived,
      .releaseRQReceived, .releaseRPReceived, .invalidPDUReceived,
    ] {
      set(e, [2], .aa1)
      set(e, [3], .aa8)
    }
    set(.associateACReceived, [5], .ae3)
    set(.associateACReceived, sta6to12, .aa8)
    set(.associateACReceived, [13], .aa6)
    set(.associateRJReceived, [5], .ae4)
    set(.associateRJReceived, sta6to12, .aa8)
    set(.associateRJReceived, [13], .aa6)
    set(.transportIndication, [1], .ae5)
    set(.associateRQReceived, [2], .ae6)
    set(.associateRQReceived, [5] + sta6to12, .aa8)
    set(.associateRQReceived, [13], .aa7)
    set(.associateResponseAccept, [3], .ae7)
    set(.associateResponseReject, [3], .ae8)
    set(.pDataRequest, [6], .dt1)
    set(.pDataRequest, [8], .ar7)
    set(.pDataReceived, [5], .aa8)
    set(.pDataReceived, [6], .dt2)
    set(.pDataReceived, [7], .ar6)
    set(.pDataReceived, Array(8...12), .aa8)
    set(.pDataReceived, [13], .aa6)
    set(.releaseRequest, [6], .ar1)
    set(.releaseRQReceived, [5], .aa8)
    set(.releaseRQReceived, [6], .ar2)
    set(.releaseRQReceived, [7], .ar8)
    set(.releaseRQReceived, Array(8...12), .aa8)
    set(.releaseRQReceived, [13], .aa6)
    set(.releaseRPReceived, [5, 6], .aa8)
    set(.releaseRPReceived, [7, 11], .ar3)
    set(.releaseRPReceived, [8, 9, 12], .aa8)
    set(.releaseRPReceived, [10], .ar10)
    set(.releaseRPReceived, [13], .aa6)
    set(.releaseResponse, [8, 12], .ar4)
    set(.releaseResponse, [9], .ar9)
    set(.abortRequest, [3] + Array(5...12), .aa1)
    set(.abortRequest, [4], .aa2)
    set(.abortReceived, [2, 13], .aa2)
    set(.abortReceived, [3] + Array(5...12), .aa3)
    set(.transportClosed, [2], .aa5)
    set(.transportClosed, Array(3...12), .aa4)
    set(.transportClosed, [13], .ar5)
    set(.artimExpired, [2, 13], .aa2)
    set(.invalidPDUReceived, [5] + sta6to12, .aa8)
    set(.invalidPDUReceived, [13], .aa7)
    return t
  }()

  /// The next state and the effects of an action (tables 9-6 to 9-9).
  static func perform(_ action: Action, isRequestor: Bool, acceptable: Bool) -> (State, [Effect]) {
    switch action {
    case .ae1: (.awaitingTransportOpen, [.openTransport])
    case .ae2: (.awaitingAssociateACorRJ, [.send(.associateRQ)])
    case .ae3: (.established, [.indicate(.associateAccepted)])
    case .ae4: (.idle, [.indicate(.associateRejected), .closeTransport])
    case .ae5: (.awaitingAssociateRQ, [.startARTIM])
    case .ae6:
      acceptable
        ? (.awaitingLocalAssociateResponse, [.stopARTIM, .indicate(.associateRequest)])
        : (.awaitingTransportClose, [.stopARTIM, .send(.associateRJ), .startARTIM])
    case .ae7: (.established, [.send(.associateAC)])
    case .ae8: (.awaitingTransportClose, [.send(.associateRJ), .startARTIM])
    case .dt1: (.established, [.send(.pData)])
    case .dt2: (.established, [.indicate(.pData)])
    case .ar1: (.awaitingReleaseRP, [.send(.releaseRQ)])
    case .ar2: (.awaitingLocalReleaseResponse, [.indicate(.releaseRequest)])
    case .ar3: (.idle, [.indicate(.releaseConfirmed), .closeTransport])
    case .ar4: (.awaitingTransportClose, [.send(.releaseRP), .startARTIM])
    case .ar5: (.idle, [.stopARTIM])
    case .ar6: (.awaitingReleaseRP, [.indicate(.pData)])
    case .ar7: (.awaitingLocalReleaseResponse, [.send(.pData)])
    case .ar8:
      (
        isRequestor ? .collisionRequestorAwaitingLocalResponse : .collisionAcceptorAwaitingReleaseRP,
        [.indicate(.releaseRequest)]
      )
    case .ar9: (.collisionRequestorAwaitingReleaseRP, [.send(.releaseRP)])
    case .ar10: (.collisionAcceptorAwaitingLocalResponse, [.indicate(.releaseConfirmed)])
    case .aa1: (.awaitingTransportClose, [.send(.abort), .startARTIM])
    case .aa2: (.idle, [.stopARTIM, .closeTransport])
    case .aa3: (.idle, [.indicate(.abort), .closeTransport])
    case .aa4: (.idle, [.indicate(.providerAbort)])
    case .aa5: (.idle, [.stopARTIM])
    case .aa6: (.awaitingTransportClose, [])
    case .aa7: (.awaitingTransportClose, [.send(.abort)])
    case .aa8: (.awaitingTransportClose, [.send(.abort), .indicate(.providerAbort), .startARTIM])
    }
  }
}

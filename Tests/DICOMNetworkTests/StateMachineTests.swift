import Testing

@testable import DICOMNetwork

typealias Machine = AssociationStateMachine

@Suite struct StateMachineTests {
  /// Drives a machine through events from a state reached by a path; returns the actions taken.
  static func walk(_ requestor: Bool, _ events: [(Machine.Event, Bool)]) throws -> (Machine, [String]) {
    var m = Machine(isRequestor: requestor)
    var actions: [String] = []
    for (event, acceptable) in events { actions.append(try m.handle(event, acceptable: acceptable).0.rawValue) }
    return (m, actions)
  }

  @Test func every_state_and_event_pair_is_either_a_transition_of_table_9_10_or_a_typed_refusal() {
    #expect(Machine.table.count == 123)  // the defined cells of PS3.8 table 9-10
    var defined = 0
    for state in Machine.State.allCases {
      for event in Machine.Event.allCases {
        var m = Machine(isRequestor: true)
        m.forceState(state)
        do {
          _ = try m.handle(event)
          defined += 1
        } catch {
          #expect(error == .noTransition(event: event, state: state))
          #expect(m.state == state)  // a refused event changes nothing
        }
      }
    }
    #expect(defined == 123)
  }

  @Test func a_requestor_associates_exchanges_data_and_releases() throws {
    let (m, actions) = try Self.walk(
      true,
      [
        (.associateRequest, true), (.transportConfirmation, true), (.associateACReceived, true), (.pDataRequest, true),
        (.pDataReceived, true), (.releaseRequest, true), (.releaseRPReceived, true),
      ])
    #expect(actions == ["AE-1", "AE-2", "AE-3", "DT-1", "DT-2", "AR-1", "AR-3"])
    #expect(m.state == .idle)
  }

  @Test func an_acceptor_accepts_then_answers_a_release() throws {
    let (m, actions) = try Self.walk(
      false,
      [
        (.transportIndication, true), (.associateRQReceived, true), (.associateResponseAccept, true),
        (.pDataReceived, true), (.releaseRQReceived, true), (.releaseResponse, true), (.transportClosed, true),
      ])
    #expect(actions == ["AE-5", "AE-6", "AE-7", "DT-2", "AR-2", "AR-4", "AR-5"])
    #expect(m.state == .idle)
  }

  @Test func an_unacceptable_request_is_rejected_and_artim_closes_the_connection() throws {
    var m = Machine(isRequestor: false)
    _ = try m.handle(.transportIndication)
    let (action, effects) = try m.handle(.associateRQReceived, acceptable: false)
    #expect(action == .ae6)
    #expect(effects == [.stopARTIM, .send(.associateRJ), .startARTIM])
    #expect(m.state == .awaitingTransportClose)
    #expect(try m.handle(.artimExpired).1 == [.stopARTIM, .closeTransport])
    #expect(m.state == .idle)
  }

  @Test func a_peer_that_never_sends_its_request_is_dropped_when_artim_fires() throws {
    var m = Machine(isRequestor: false)
    _ = try m.handle(.transportIndication)
    #expect(try m.handle(.artimExpired).0 == .aa2)
    #expect(m.state == .idle)
  }

  @Test func release_collisions_resolve_on_both_sides() throws {
    let (requestor, r) = try Self.walk(
      true,
      [
        (.associateRequest, true), (.transportConfirmation, true), (.associateACReceived, true),
        (.releaseRequest, true),
        (.releaseRQReceived, true), (.releaseResponse, true), (.releaseRPReceived, true),
      ])
    #expect(r == ["AE-1", "AE-2", "AE-3", "AR-1", "AR-8", "AR-9", "AR-3"])
    #expect(requestor.state == .idle)
    let (acceptor, a) = try Self.walk(
      false,
      [
        (.transportIndication, true), (.associateRQReceived, true), (.associateResponseAccept, true),
        (.releaseRequest, true), (.releaseRQReceived, true), (.releaseRPReceived, true), (.releaseResponse, true),
      ])
    #expect(a == ["AE-5", "AE-6", "AE-7", "AR-1", "AR-8", "AR-10", "AR-4"])
    #expect(acceptor.state == .awaitingTransportClose)
  }

  @Test func an_invalid_pdu_in_any_connected_state_aborts_and_a_closed_transport_always_ends_in_idle() throws {
    for state in Machine.State.allCases where state != .idle && state != .awaitingTransportOpen {
      var m = Machine(isRequestor: true)
      m.forceState(state)
      let (_, effects) = try m.handle(.invalidPDUReceived)
      #expect(effects.contains(.send(.abort)), "\(state)")
      #expect(m.state == .awaitingTransportClose)
    }
    for state in Machine.State.allCases where state != .idle {
      var m = Machine(isRequestor: true)
      m.forceState(state)
      _ = try m.handle(.transportClosed)
      #expect(m.state == .idle, "\(state)")
    }
  }
}

extension AssociationStateMachine {
  /// Tests only: start from any state.
  mutating func forceState(_ s: State) { self = Self(isRequestor: isRequestor, state: s) }
}

import DICOM
import DICOMNetwork
import Foundation
import TestSupport
import Testing

/// Peers that go silent or flood: every command ends non-zero within its DIMSE timeout plus a second.
@Suite struct BoundedWaitTests {
  static let timeout = 1.5

  /// Runs biloba and returns its status and how long it took.
  func timed(_ arguments: [String]) throws -> (ProcessOutput, Double) {
    let start = Date()
    let out = try ProcessRunner.run(try BuiltProducts.biloba(), arguments)
    return (out, Date().timeIntervalSince(start))
  }

  func peerArguments(_ peer: ScriptedPeer) -> [String] {
    [
      "--host", "127.0.0.1", "--port", String(peer.port), "--called-aet", "PACS", "--dimse-timeout",
      String(Self.timeout),
    ]
  }

  @Test func a_peer_silent_after_accepting_the_association_ends_echo_in_time() throws {
    let peer = try ScriptedPeer { _, a in
      a.acceptAssociation()
      _ = a.readPDU(timeout: 10)  // the C-ECHO-RQ, never answered
      _ = a.peer.isClosedByPeer(within: 10)
    }
    let (out, seconds) = try timed(["echo"] + peerArguments(peer))
    #expect(out.status != 0)
    #expect(seconds < Self.timeout + 1, "\(seconds) s")
    #expect(out.stderr.contains("timeout"), "\(out.stderr)")
  }

  @Test func a_peer_silent_after_one_pending_find_response_ends_find_in_time() throws {
    let peer = try ScriptedPeer { _, a in
      guard a.acceptAssociation(), let find = a.readMessage() else { return }
      var match = Dataset(byteOrder: .little)
      try? match.set(Tag(0x0008, 0x0052), .CS, "STUDY")
      let bytes = try? DatasetWriter(transferSyntax: .implicitVRLittleEndian).encode(match)
      guard var pending = try? DIMSECommand.response(to: find.command, status: .pending) else { return }
      pending.dataset.set(Tag(0x0000, 0x0800), .US, integers: [0])
      a.send(pending, dataset: bytes, contextID: find.contextID)
      _ = a.peer.isClosedByPeer(within: 10)
    }
    let (out, seconds) = try timed(["find"] + peerArguments(peer))
    #expect(out.status != 0)
    #expect(seconds < Self.timeout + 1, "\(seconds) s")
  }

  @Test func a_peer_silent_after_the_move_request_ends_move_in_time() throws {
    let dir = try TemporaryDirectory()
    let peer = try ScriptedPeer(connections: 2) { n, a in
      guard n == 1 else { return answerFindWithNothing(a) }
      guard a.acceptAssociation(), a.readMessage() != nil else { return }
      _ = a.peer.isClosedByPeer(within: 10)  // silence after the C-MOVE-RQ
    }
    let (out, seconds) = try timed(
      ["move", "--archive", dir.file("a"), "--study", "1.2.3", "--listen-port", String(IsolatedNetwork.port())]
        + peerArguments(peer))
    #expect(out.status != 0)
    // Two requests (the plan's C-FIND is answered at once), the move's timeout the only wait.
    #expect(seconds < Self.timeout + 1, "\(seconds) s")
    #expect(out.stderr.contains("timeout"), "\(out.stderr)")
  }

  /// A C-GET peer that floods pending responses, announcing a count or none: refused past the count.
  @Test(arguments: [1, nil] as [Int?])
  func a_peer_flooding_pending_get_responses_ends_get_in_time(announced remaining: Int?) throws {
    let dir = try TemporaryDirectory()
    let peer = try ScriptedPeer(connections: 2) { n, a in
      guard n == 1 else { return answerFindWithNothing(a) }
      guard a.acceptAssociation(), let get = a.readMessage() else { return }
      for _ in 0..<20_000 {
        a.respond(to: get.command, contextID: get.contextID, status: .pending, remaining: remaining, completed: 0)
      }
      _ = a.readPDU(timeout: 10)
    }
    let (out, seconds) = try timed(["get", "--archive", dir.file("a"), "--study", "1.2.3"] + peerArguments(peer))
    #expect(out.status != 0)
    #expect(seconds < Self.timeout + 1, "\(seconds) s")
    #expect(out.stderr.contains("pending responses"), "\(out.stderr)")
  }
}

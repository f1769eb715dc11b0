import Audit
import Foundation
import TestSupport
import Testing

/// The audit trail's file and its syslog frames, read back as an auditor and a syslog server would.
@Suite struct AuditLogTests {
  static func event(_ action: AuditEvent.Action, study: String = "1.2.3") -> AuditEvent {
    AuditEvent(
      action: action, source: "test", peer: .init(aeTitle: "PACS", address: "10.0.0.5"), studies: [study], objects: 3,
      at: Date(timeIntervalSince1970: 1_800_000_000.25), user: "reader", host: "ws1")
  }

  @Test func each_record_is_one_json_line_appended_to_a_private_file() throws {
    let dir = try TemporaryDirectory()
    let log = AuditLog(path: dir.file("audit/audit.jsonl"))
    try log.record(Self.event(.view))
    try log.record(Self.event(.export, study: "1.2.4"))
    let text = try String(contentsOfFile: log.path, encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines.count == 2 && text.hasSuffix("\n"))
    let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect(first["action"] as? String == "view" && first["eventID"] as? String == "110103 DICOM Instances Accessed")
    #expect(first["actionCode"] as? String == "R" && first["outcome"] as? Int == 0)
    #expect(first["user"] as? String == "reader" && first["host"] as? String == "ws1")
    #expect(first["studies"] as? [String] == ["1.2.3"] && first["objects"] as? Int == 3)
    #expect(first["time"] as? String == "2027-01-15T08:00:00.250Z", "\(first["time"] ?? "")")
    let mode = try FileManager.default.attributesOfItem(atPath: log.path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let folder = try FileManager.default.attributesOfItem(atPath: dir.file("audit"))[.posixPermissions] as? Int
    #expect(folder == 0o700)
    #expect(try log.read().events.map(\.action) == [.view, .export])
  }

  @Test func a_damaged_line_is_counted_and_the_others_still_read() throws {
    let dir = try TemporaryDirectory()
    let log = AuditLog(path: dir.file("audit.jsonl"))
    try log.record(Self.event(.receive))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("{\"time\":\"2026-".utf8))
    try handle.close()
    try log.record(Self.event(.delete))
    let (events, unreadable) = try log.read()
    #expect(events.map(\.action) == [.receive] && unreadable == 1, "the damaged tail swallowed the next line")
  }

  @Test func a_long_trail_is_read_a_block_at_a_time_and_a_line_not_ours_is_counted_not_kept() throws {
    let dir = try TemporaryDirectory()
    let log = AuditLog(path: dir.file("audit.jsonl"))
    // More records than one 64 KiB block holds, so lines cross block boundaries.
    for n in 0..<600 { try log.record(Self.event(.view, study: "1.2.\(n)")) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(("{\"x\":\"" + String(repeating: "A", count: 200_000) + "\"}\n").utf8))
    try handle.close()
    try log.record(Self.event(.delete))
    var studies: [String] = []
    let unreadable = try log.forEach { studies += $0.studies }
    #expect(studies.count == 601 && studies[0] == "1.2.0" && studies[599] == "1.2.599", "\(studies.count)")
    #expect(unreadable == 1, "the 200 kB line")
  }

  @Test func a_trail_that_does_not_exist_yet_reads_as_empty() throws {
    let dir = try TemporaryDirectory()
    #expect(try AuditLog(path: dir.file("none.jsonl")).read().events.isEmpty)
  }

  @Test func a_syslog_frame_is_rfc5424_counted_in_octets() {
    let frame = String(decoding: SyslogForwarder.frame(Self.event(.query)), as: UTF8.self)
    let space = frame.firstIndex(of: " ")!
    let count = Int(frame[..<space])!
    let message = frame[frame.index(after: space)...]
    #expect(message.utf8.count == count)
    #expect(message.hasPrefix("<85>1 2027-01-15T08:00:00.250Z ws1 biloba "), "\(message)")
    #expect(message.contains(" AUDIT - {") && message.hasSuffix("}"))
  }

  @Test func a_server_that_is_down_costs_at_most_the_timeout_and_the_file_still_has_the_record() throws {
    let dir = try TemporaryDirectory()
    let log = AuditLog(path: dir.file("audit.jsonl"), forwarder: SyslogForwarder(url: "tcp://127.0.0.1:1", timeout: 1))
    try log.record(Self.event(.send))
    log.waitForForwarding()
    #expect(try log.read().events.count == 1)
  }
}

/// The forwarder's address forms: tcp:// and tls:// with a port (an IPv6 address in brackets, as in a
/// URL, given to the resolver without them), nothing else.
@Suite struct SyslogAddressTests {
  @Test func tcp_and_tls_addresses_are_read_and_anything_else_refused() {
    let tcp = SyslogForwarder(url: "tcp://logs.example:514")
    #expect(tcp?.host == "logs.example" && tcp?.port == 514 && tcp?.transport == .tcp)
    let tls = SyslogForwarder(url: "tls://[::1]:6514", ca: "/etc/ca.pem")
    #expect(tls?.host == "::1" && tls?.port == 6514 && tls?.transport == .tls(ca: "/etc/ca.pem"))
    for bad in ["udp://h:514", "tls://h", "tls://:6514", "tcp://h:0", "tcp://h:70000", "h:514"] {
      #expect(SyslogForwarder(url: bad) == nil, "\(bad)")
    }
  }
}

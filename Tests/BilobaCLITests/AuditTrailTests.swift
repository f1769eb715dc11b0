import Foundation
import TestSupport
import Testing

/// The audit trail as an auditor reads it after a scripted session: every action once, with its fields;
/// kept through a crash of the SCP; forwarded to a syslog server.
@Suite(.serialized) struct AuditTrailTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
  static let phantomStudy = "2.25.98230487216347812364012873645001.1"

  static func records(_ path: String) throws -> [[String: Any]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return try text.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test func import_receive_view_and_delete_each_leave_one_record_and_a_killed_scp_keeps_its_records() throws {
    for tool in ["storescu", "echoscu", "tmux"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install dcmtk tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    let b = "'\(try BuiltProducts.biloba())'"
    let port = IsolatedNetwork.port()
    let tmux = "tmux -L biloba-audit-\(UInt32.random(in: 0...UInt32.max))"
    let script = """
      cd '\(dir.path)'
      export XDG_CONFIG_HOME='\(dir.path)/config'
      \(b) import --archive imported '\(Self.root)/Samples/ct-head' > /dev/null
      \(b) listen --port \(port) --archive received > /dev/null 2>&1 & lpid=$!
      for i in $(seq 50); do echoscu -aec BILOBA 127.0.0.1 \(port) 2>/dev/null && break; sleep 0.1; done
      storescu -aet MODALITY -aec BILOBA 127.0.0.1 \(port) '\(Self.root)'/Samples/ct-head/*.dcm 2> storescu.err
      # A crash right after the sender was answered: what it brought is recorded.
      kill -9 $lpid
      \(tmux) new-session -d -x 100 -y 30 "\(b) --archive imported --graphics ascii"
      for i in $(seq 50); do \(tmux) capture-pane -p | grep -q 'PHANTOM, HEAD' && break; sleep 0.1; done
      \(tmux) send-keys End Enter
      for i in $(seq 50); do \(tmux) capture-pane -p | grep -q 'AXIAL 2.5MM' && break; sleep 0.1; done
      \(tmux) send-keys Enter
      for i in $(seq 50); do \(tmux) capture-pane -p | grep -q 'Im 1/24' && break; sleep 0.1; done
      \(tmux) send-keys q
      sleep 0.3
      \(tmux) kill-server 2>/dev/null
      \(b) archive evict --archive imported --budget 1 > /dev/null
      \(b) audit --archive imported > audit.txt
      \(b) audit --archive imported --action view --json > views.json
      true
      """
    _ = try IsolatedNetwork.run(script)
    let imported = try Self.records(dir.file("imported/audit.jsonl"))
    #expect(imported.map { $0["action"] as? String } == ["import", "view", "delete"], "\(imported)")
    for record in imported {
      #expect((record["user"] as? String)?.isEmpty == false && (record["host"] as? String)?.isEmpty == false)
      #expect(record["studies"] as? [String] == [Self.phantomStudy], "\(record)")
      #expect((record["time"] as? String)?.hasSuffix("Z") == true && record["outcome"] as? Int == 0)
    }
    #expect(imported.first?["objects"] as? Int == 24 && imported.first?["eventID"] as? String == "110107 Import")
    #expect(imported.last?["actionCode"] as? String == "D")
    // The SCP's records: the 24 objects of the phantom from MODALITY, kept though it was killed.
    let received = try Self.records(dir.file("received/audit.jsonl"))
    #expect(!received.isEmpty && received.allSatisfy { $0["action"] as? String == "receive" }, "\(received)")
    #expect(received.compactMap { $0["objects"] as? Int }.reduce(0, +) == 24, "\(received)")
    #expect(received.allSatisfy { ($0["peer"] as? [String: Any])?["aeTitle"] as? String == "MODALITY" })
    let mode = try FileManager.default.attributesOfItem(atPath: dir.file("received/audit.jsonl"))[.posixPermissions]
    #expect(mode as? Int == 0o600)
    // `biloba audit` lists them and filters by action; no patient name anywhere.
    let listing = (try? String(contentsOfFile: dir.file("audit.txt"), encoding: .utf8)) ?? ""
    #expect(listing.split(separator: "\n").count == 3 && listing.contains("  view  ok  "), "\(listing)")
    let views = (try? String(contentsOfFile: dir.file("views.json"), encoding: .utf8)) ?? ""
    #expect(views.split(separator: "\n").count == 1 && views.contains("\"action\":\"view\""), "\(views)")
    let all = ((try? String(contentsOfFile: dir.file("imported/audit.jsonl"), encoding: .utf8)) ?? "") + listing
    #expect(!all.contains("PHANTOM") && !all.contains("BILOBA-0001"))
  }

  @Test func send_and_export_are_recorded_in_the_default_archives_trail() throws {
    for tool in ["storescp", "echoscu"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install dcmtk)")
      return
    }
    let dir = try TemporaryDirectory()
    let b = "'\(try BuiltProducts.biloba())'"
    let port = IsolatedNetwork.port()
    let script = """
      cd '\(dir.path)'
      export XDG_CONFIG_HOME='\(dir.path)/config' XDG_DATA_HOME='\(dir.path)/data'
      mkdir -p stored
      storescp -aet STORESCP -od stored \(port) & spid=$!
      for i in $(seq 50); do echoscu -aec STORESCP 127.0.0.1 \(port) 2>/dev/null && break; sleep 0.1; done
      \(b) send --host 127.0.0.1 --port \(port) --called-aet STORESCP '\(Self.root)/Samples/ct-head' > /dev/null
      \(b) export '\(Self.root)/Samples/ct-head/slice001.dcm' -o slice.png
      kill $spid
      wait
      true
      """
    _ = try IsolatedNetwork.run(script)
    let records = try Self.records(dir.file("data/biloba/audit.jsonl"))
    #expect(records.map { $0["action"] as? String } == ["send", "export"], "\(records)")
    #expect(records.first?["objects"] as? Int == 24 && records.first?["studies"] as? [String] == [Self.phantomStudy])
    #expect((records.first?["peer"] as? [String: Any])?["aeTitle"] as? String == "STORESCP")
    #expect(
      records.last?["studies"] as? [String] == [Self.phantomStudy]
        && records.last?["eventID"] as? String == "110106 Export")
  }

  @Test func each_record_also_reaches_a_syslog_server_as_rfc5424_over_tcp() throws {
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try FileManager.default.createDirectory(atPath: dir.file("config/biloba"), withIntermediateDirectories: true)
    try "[audit]\nsyslog = \"tcp://127.0.0.1:\(port)\"\n".write(
      toFile: dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
    // A syslog server of the simplest kind: whatever arrives on the port, into a file.
    try """
    import socket, sys
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); s.settimeout(20)
    c, _ = s.accept(); data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk: break
        data += chunk
    open(sys.argv[2], "wb").write(data)
    """.write(toFile: dir.file("syslog.py"), atomically: true, encoding: .utf8)
    let script = """
      cd '\(dir.path)'
      python3 syslog.py \(port) received.syslog & spid=$!
      sleep 0.5
      XDG_CONFIG_HOME='\(dir.path)/config' '\(try BuiltProducts.biloba())' import --archive a '\(Self.root)/Samples/ct-head' > /dev/null
      wait $spid
      true
      """
    _ = try IsolatedNetwork.run(script)
    let frame = (try? String(contentsOfFile: dir.file("received.syslog"), encoding: .utf8)) ?? ""
    let space = try #require(frame.firstIndex(of: " "), "nothing arrived: '\(frame)'")
    let message = frame[frame.index(after: space)...]
    #expect(Int(frame[..<space]) == message.utf8.count, "octet counting: \(frame)")
    #expect(message.hasPrefix("<85>1 ") && message.contains(" biloba ") && message.contains(" AUDIT - {"), "\(message)")
    #expect(message.contains("\"action\":\"import\"") && message.contains(Self.phantomStudy))
    #expect(FileManager.default.fileExists(atPath: dir.file("a/audit.jsonl")), "the file keeps it too")
  }
}

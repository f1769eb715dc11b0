import Foundation
import TestSupport
import Testing

/// Audit records forwarded over TLS (RFC 5425) to OpenSSL's own server, and what a wrong CA or a
/// plaintext port gives: one clear line from `biloba doctor`, never a hang.
@Suite(.serialized) struct SyslogTLSTests {
  static func configure(_ dir: TemporaryDirectory, port: Int, ca: String) throws {
    try FileManager.default.createDirectory(atPath: dir.file("config/biloba"), withIntermediateDirectories: true)
    try "[audit]\nsyslog = \"tls://localhost:\(port)\"\nsyslog_ca = \"\(dir.file(ca))\"\n".write(
      toFile: dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
  }

  @Test func each_record_reaches_a_tls_syslog_server_that_the_configured_ca_vouches_for() throws {
    try #require(ProcessRunner.isInstalled("openssl"), "openssl is needed")
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port, ca: "ca.pem")
    let script = """
      cd '\(dir.path)'
      \(TestCertificates.shell)
      # s_server ends when its input does: a sleep keeps it open.
      sleep 10 2>/dev/null | openssl s_server -accept \(port) -cert server.pem -key server.key -quiet -naccept 1 \
        > received.syslog 2> server.err &
      spid=$!
      sleep 0.5
      XDG_CONFIG_HOME='\(dir.path)/config' '\(try BuiltProducts.biloba())' import --archive a \
        '\(AuditTrailTests.root)/Samples/ct-head' > /dev/null
      for i in $(seq 50); do kill -0 $spid 2>/dev/null || break; sleep 0.1; done
      kill $spid 2>/dev/null
      true
      """
    _ = try IsolatedNetwork.run(script)
    let frame = (try? String(contentsOfFile: dir.file("received.syslog"), encoding: .utf8)) ?? ""
    let space = try #require(frame.firstIndex(of: " "), "nothing arrived: '\(frame)'")
    let message = frame[frame.index(after: space)...].trimmingCharacters(in: .newlines)
    #expect(Int(frame[..<space]) == message.utf8.count, "octet counting: \(frame)")
    #expect(message.hasPrefix("<85>1 ") && message.contains("\"action\":\"import\""), "\(message)")
  }

  @Test(arguments: ["wrong CA", "plaintext port"])
  func a_server_that_does_not_verify_is_said_in_one_line_within_seconds(case name: String) throws {
    try #require(ProcessRunner.isInstalled("openssl"), "openssl is needed")
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port, ca: name == "wrong CA" ? "other.pem" : "ca.pem")
    let server =
      name == "wrong CA"
      ? "sleep 10 2>/dev/null | openssl s_server -accept \(port) -cert server.pem -key server.key -quiet -naccept 1 > /dev/null 2>&1 &"
      : "python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\", \(port))); s.listen(5); c=s.accept(); time.sleep(30)' &"
    let script = """
      cd '\(dir.path)'
      \(TestCertificates.shell)
      \(server)
      spid=$!
      sleep 0.5
      start=$(date +%s)
      XDG_CONFIG_HOME='\(dir.path)/config' '\(try BuiltProducts.biloba())' doctor --archive a 2>&1 | grep syslog
      echo "took $(( $(date +%s) - start ))"
      kill $spid 2>/dev/null
      true
      """
    let out = try IsolatedNetwork.run(script).stdout
    let line = try #require(out.split(separator: "\n").first { $0.contains("syslog server") }, "\(out)")
    #expect(line.contains("(TLS) cannot be reached") && line.contains("records stay in the file alone"), "\(line)")
    if name == "wrong CA" {
      #expect(line.uppercased().contains("CERTIFICATE"), "\(line)")
    } else {
      #expect(line.contains("is it a TLS port"), "\(line)")
    }
    let took = out.split(separator: "\n").last { $0.hasPrefix("took ") }.flatMap { Int($0.dropFirst(5)) } ?? 99
    #expect(took <= 8, "doctor took \(took) s")
  }
}

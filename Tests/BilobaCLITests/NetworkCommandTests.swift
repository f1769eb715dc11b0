import Foundation
import TestSupport
import Testing

/// The network commands as a user meets them: a bad configuration file or an unreachable peer gives one
/// clear line and a failing exit status, never a crash or a hang.
@Suite struct NetworkCommandTests {
  func run(_ arguments: [String]) throws -> ProcessOutput {
    try ProcessRunner.run(try BuiltProducts.biloba(), arguments)
  }

  @Test func a_configuration_file_with_an_invalid_port_is_refused_with_the_key_named() throws {
    let dir = try TemporaryDirectory()
    try "[network]\nlisten_port = 70000\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
    let out = try run(["echo", "--config", dir.file("c.toml"), "--host", "127.0.0.1", "--port", "1"])
    #expect(out.status != 0)
    #expect(out.stderr.contains("network.listen_port must be 1 to 65535"), "\(out.stderr)")
  }

  @Test func a_configuration_file_that_is_not_toml_is_refused_with_its_position() throws {
    let dir = try TemporaryDirectory()
    try "[nodes.pacs\nhost = \n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
    let out = try run(["echo", "--config", dir.file("c.toml"), "--node", "pacs"])
    #expect(out.status != 0)
    #expect(out.stderr.contains("line"), "\(out.stderr)")
  }

  @Test func a_node_missing_from_the_configuration_is_named_in_the_error() throws {
    let dir = try TemporaryDirectory()
    try "[nodes.pacs]\nhost = \"127.0.0.1\"\nport = 104\naet = \"PACS\"\n".write(
      toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
    let out = try run(["echo", "--config", dir.file("c.toml"), "--node", "elsewhere"])
    #expect(out.status != 0)
    #expect(out.stderr.contains("no node named elsewhere"), "\(out.stderr)")
  }

  @Test func a_peer_that_is_not_listening_fails_at_once_with_cannot_connect() throws {
    let start = Date()
    let out = try run(["echo", "--host", "127.0.0.1", "--port", "1", "--called-aet", "NOBODY"])
    #expect(out.status != 0)
    #expect(out.stderr.contains("cannot connect"), "\(out.stderr)")
    #expect(Date().timeIntervalSince(start) < 5)
  }

  @Test func an_ae_title_longer_than_sixteen_characters_is_refused_before_connecting() throws {
    let out = try run(["echo", "--host", "127.0.0.1", "--port", "104", "--aet", String(repeating: "A", count: 17)])
    #expect(out.status != 0)
    #expect(out.stderr.contains("AE title"), "\(out.stderr)")
  }

  @Test func a_workstation_section_with_an_unknown_graphics_protocol_is_refused() throws {
    let dir = try TemporaryDirectory()
    try "[workstation]\ngraphics = \"hologram\"\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
    let out = try run(["--config", dir.file("c.toml"), "--archive", dir.file("a")])
    #expect(out.status != 0)
    #expect(out.stderr.contains("workstation.graphics must be"), "\(out.stderr)")
  }
}

import CTerminal
import Foundation
import Spawn
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Keys typed while the workstation asks the terminal what it can do are taken, not lost: over a slow
/// link the reader's first Enter often arrives before the terminal's answers. The terminal here is a
/// pseudo-terminal played by the test, which types before it answers.
@Suite(.serialized) struct ProbeTypeaheadTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  /// Reads the master side until `done` says so or `seconds` pass; everything read.
  static func read(_ master: Int32, seconds: Double, until done: ([UInt8]) -> Bool) -> [UInt8] {
    var seen: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline && !done(seen) {
      var ready = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      guard poll(&ready, 1, 50) > 0 else { continue }
      let n = Glibc.read(master, &buffer, buffer.count)
      guard n > 0 else { break }
      seen += buffer[0..<n]
    }
    return seen
  }

  @Test(arguments: ["sixel", "auto"])
  func a_key_typed_before_the_terminal_answers_the_probe_is_taken(graphics: String) throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let archive = dir.file("archive")
    let imported = try ProcessRunner.run(biloba, ["import", Self.root + "/Samples/ct-head", "--archive", archive])
    try #require(imported.status == 0, "\(imported.stderr)")

    var master: Int32 = -1
    var slaveFD: Int32 = -1
    try #require(biloba_openpty(&master, &slaveFD) == 0)
    let slave = String(cString: ttyname(slaveFD))
    // Only the workstation's side holds the slave: the test's copy closes once it has its own.
    defer { close(master) }
    // A session of its own whose controlling terminal is the pty, 100x30 cells.
    let workstation = try ChildProcess([
      "sh", "-c",
      // The pty is opened after setsid, so it becomes the new session's controlling terminal (/dev/tty).
      "exec setsid sh -c \"exec < \(slave) > \(slave) 2>&1; stty rows 30 cols 100; XDG_CONFIG_HOME='\(dir.path)' TERM=xterm-256color exec '\(biloba)' --archive '\(archive)' --graphics \(graphics)\"",
    ])
    defer {
      workstation.send(SIGKILL)
      _ = workstation.wait()
    }
    close(slaveFD)
    // The probe's last question is DA1. The reader types ? (help) before the terminal answers it.
    let da1 = Array("\u{1B}[c".utf8)
    let asked = Self.read(master, seconds: 10) { $0.suffix(da1.count).elementsEqual(da1) }
    try #require(
      asked.suffix(da1.count).elementsEqual(da1),
      "the workstation did not probe the terminal: \(String(decoding: asked.suffix(400), as: UTF8.self))")
    _ = "?".utf8.withContiguousStorageIfAvailable { write(master, $0.baseAddress, $0.count) }
    usleep(100_000)
    let answer = Array("\u{1B}[6;20;10t\u{1B}[?62;4c".utf8)
    _ = answer.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    let title = Array("Keys of the studies screen".utf8)
    let screen = Self.read(master, seconds: 10) { $0.firstRange(of: title) != nil }
    let helpOpened = screen.firstRange(of: title) != nil
    #expect(helpOpened, "the help screen did not open: \(String(decoding: screen.suffix(300), as: UTF8.self))")
  }
}

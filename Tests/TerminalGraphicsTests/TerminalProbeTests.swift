import CTerminal
import Foundation
import Testing

@testable import TerminalGraphics

#if canImport(Glibc)
  import Glibc
#endif

/// The probe against a scripted fake terminal on a pseudo-terminal: answers, garbage, replies split
/// across writes, silence and floods. The program side is the pty's slave, as a real tty would be.
@Suite(.serialized) struct TerminalProbeTests {
  /// A fake terminal: reads the queries from the master side, then plays its script.
  final class FakeTerminal: @unchecked Sendable {
    let master: Int32
    let slave: Int32
    private let script: [(delayMilliseconds: Int, bytes: [UInt8])]
    private var thread: Thread?
    private(set) var received: [UInt8] = []
    private let lock = NSLock()

    init(script: [(Int, String)]) throws {
      var m: Int32 = -1
      var s: Int32 = -1
      guard biloba_openpty(&m, &s) == 0 else { throw ProbeTestError.noPty }
      master = m
      slave = s
      self.script = script.map { ($0.0, Array($0.1.utf8)) }
    }

    func start() {
      let t = Thread { [self] in
        // Wait for the DA1 query, the last one the probe sends.
        var buffer = [UInt8](repeating: 0, count: 1024)
        var seen: [UInt8] = []
        let sentinel = Array("\u{1B}[c".utf8)
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline && !seen.ends(with: sentinel) {
          var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
          if poll(&pfd, 1, 50) > 0 {
            let n = read(master, &buffer, buffer.count)
            if n > 0 { seen += buffer[0..<n] }
          }
        }
        lock.withLock { received = seen }
        for step in script {
          usleep(useconds_t(step.delayMilliseconds * 1000))
          _ = step.bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        }
      }
      thread = t
      t.start()
    }

    var queries: [UInt8] { lock.withLock { received } }

    deinit {
      close(slave)
      close(master)
    }
  }

  enum ProbeTestError: Error { case noPty }

  static let environment = ["TERM": "xterm", "COLORTERM": "truecolor"]

  func probe(_ script: [(Int, String)], timeout: Int = 300) throws -> (TerminalCapabilities, Duration, FakeTerminal) {
    let terminal = try FakeTerminal(script: script)
    terminal.start()
    let clock = ContinuousClock()
    let start = clock.now
    let caps = TerminalProbe.probe(fd: terminal.slave, timeoutMilliseconds: timeout, environment: Self.environment)
    return (caps, clock.now - start, terminal)
  }

  @Test func an_xterm_vt340_answers_sixel_with_1024_registers() throws {
    let (caps, _, terminal) = try probe([
      (0, "\u{1B}P>|XTerm(379)\u{1B}\\"), (0, "\u{1B}[?1;0;1024S"), (0, "\u{1B}[?63;1;2;4;6;9;15;16;22;28c"),
    ])
    #expect(caps.bestProtocol == .sixel)
    #expect(caps.colorRegisters == 1024)
    #expect(caps.replies.version == "XTerm(379)")
    #expect(terminal.queries.ends(with: Array("\u{1B}[c".utf8)))
    #expect(terminal.queries.starts(with: KittyEncoder.query))
  }

  @Test func kitty_answers_its_query_and_reports_its_cell_size() throws {
    let (caps, _, _) = try probe([(0, "\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[6;18;9t\u{1B}[4;720;1080t\u{1B}[?62;22c")])
    #expect(caps.bestProtocol == .kitty)
    #expect(caps.cellPixels == (9, 18))
  }

  @Test func replies_split_across_writes_are_put_together() throws {
    let (caps, _, _) = try probe([(0, "\u{1B}[?1;0;"), (30, "256S\u{1B}[?6"), (30, "2;4c")])
    #expect(caps.supportsSixel)
    #expect(caps.colorRegisters == 256)
  }

  @Test func garbage_around_the_replies_is_ignored() throws {
    let (caps, _, _) = try probe([(0, "zz\u{1B}[?1;0;99999999S\u{01}\u{1B}]junk\u{07}\u{1B}[6;x;9t\u{1B}[?62;1c")])
    #expect(caps.colorRegisters == 256)  // an over-long number is refused, not trusted
    #expect(caps.replies.cellPixels == nil)
    #expect(caps.replies.deviceAttributes == [62, 1])
    #expect(caps.bestProtocol == .blocks)
  }

  @Test func a_silent_terminal_costs_the_timeout_and_nothing_more() throws {
    let (caps, elapsed, _) = try probe([], timeout: 200)
    #expect(elapsed < .milliseconds(600))
    #expect(caps.replies == ProbeReplies())
    #expect(caps.bestProtocol == .blocks)
    #expect(caps.cellPixels == TerminalCapabilities.assumedCell)
  }

  @Test func keys_typed_before_the_replies_or_after_the_last_are_kept_in_order() {
    var parser = ProbeReplyParser()
    parser.feed(Array("\rj".utf8))  // typed while the questions were on their way
    parser.feed(Array("\u{1B}P>|XTerm(379)\u{1B}\\zz\u{1B}[6;20;10t".utf8))  // zz among replies: garbled
    parser.feed(Array("\u{1B}OB\u{1B}[?63;4c".utf8))  // an arrow key: an escape sequence, never kept
    parser.feed(Array("k\u{7F}\u{01}".utf8))  // after the last reply; C-a is not a key kept
    #expect(parser.isComplete)
    #expect(parser.replies.cellPixels?.width == 10 && parser.replies.cellPixels?.height == 20)
    #expect(parser.typed == Array("\rjk\u{7F}".utf8))
  }

  @Test func keys_kept_are_bounded() {
    var parser = ProbeReplyParser()
    parser.feed([UInt8](repeating: 0x6A, count: 1000))
    #expect(parser.typed.count == ProbeReplyParser.maxTyped)
  }

  @Test func a_key_typed_before_the_answers_reaches_the_program() throws {
    let terminal = try FakeTerminal(script: [(0, "j"), (30, "\u{1B}[?62;4c")])
    terminal.start()
    let caps = TerminalProbe.probe(fd: terminal.slave, timeoutMilliseconds: 300, environment: Self.environment)
    #expect(caps.supportsSixel)
    #expect(caps.typeahead == Array("j".utf8))
  }

  @Test func a_flood_of_replies_is_cut_at_the_bound() {
    var parser = ProbeReplyParser()
    parser.feed([UInt8](repeating: 0x41, count: 10_000))
    parser.feed(Array("\u{1B}[?62;4c".utf8))
    #expect(parser.overflowed)
    #expect(!parser.isComplete)
  }

  @Test func the_environment_decides_inside_tmux_and_on_dumb_terminals() {
    var replies = ProbeReplies()
    replies.deviceAttributes = [62, 4]
    #expect(
      TerminalCapabilities(replies: replies, environment: ["TERM": "screen", "TMUX": "/tmp/t,1,0"]).bestProtocol
        == .blocks)
    #expect(TerminalCapabilities(replies: replies, environment: ["TERM": "dumb"]).bestProtocol == .ascii)
    #expect(TerminalCapabilities(environment: ["TERM": "xterm-256color"]).colorDepth == .ansi256)
    #expect(TerminalCapabilities(environment: ["TERM": "xterm"]).colorDepth == .ansi16)
  }
}

extension Array where Element == UInt8 {
  func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

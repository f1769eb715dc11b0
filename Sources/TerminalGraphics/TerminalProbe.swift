import CTerminal

#if canImport(Glibc)
  import Glibc
#endif

/// Asks the terminal what it can do: kitty graphics query, XTVERSION, XTSMGRAPHICS, CSI 14t and 16t,
/// then DA1 as the sentinel every terminal answers. Raw mode for the duration only; a silent terminal
/// costs the timeout, never a hang.
public enum TerminalProbe {
  public static let queries: [UInt8] =
    KittyEncoder.query + Array("\u{1B}[>0q\u{1B}[?1;1;0S\u{1B}[14t\u{1B}[16t\u{1B}[c".utf8)

  /// Probes the terminal on `fd` (opened read-write on the tty), waiting at most `timeoutMilliseconds`.
  public static func probe(fd: Int32, timeoutMilliseconds: Int = 500, environment: [String: String])
    -> TerminalCapabilities
  {
    var capabilities = TerminalCapabilities(environment: environment)
    var rows: UInt16 = 0
    var cols: UInt16 = 0
    var xpixel: UInt16 = 0
    var ypixel: UInt16 = 0
    if biloba_window_size(fd, &rows, &cols, &xpixel, &ypixel) == 0, rows > 0, cols > 0 {
      capabilities.cells = (Int(cols), Int(rows))
      if xpixel > 0 && ypixel > 0 { capabilities.windowSizeCell = (Int(xpixel) / Int(cols), Int(ypixel) / Int(rows)) }
    }
    capabilities.replies = exchange(fd: fd, timeoutMilliseconds: timeoutMilliseconds)
    return capabilities
  }

  /// Writes the queries and reads replies until the DA1 sentinel, the byte bound or the timeout.
  public static func exchange(fd: Int32, timeoutMilliseconds: Int) -> ProbeReplies {
    var saved = termios()
    let isTTY = tcgetattr(fd, &saved) == 0
    if isTTY {
      var raw = saved
      raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
      withUnsafeMutableBytes(of: &raw.c_cc) { cc in
        cc[Int(VMIN)] = 0
        cc[Int(VTIME)] = 0
      }
      tcsetattr(fd, TCSANOW, &raw)
    }
    defer { if isTTY { tcsetattr(fd, TCSANOW, &saved) } }
    var parser = ProbeReplyParser()
    let written = queries.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == queries.count else { return parser.replies }
    let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
    var buffer = [UInt8](repeating: 0, count: 512)
    while !parser.isComplete && !parser.overflowed {
      let left = deadline - ContinuousClock.now
      guard left > .zero else { break }
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ms = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
      let ready = poll(&pfd, 1, ms)
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { break }
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { break }
      parser.feed(buffer[0..<n])
    }
    return parser.replies
  }
}

import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// One question-and-answers exchange with the terminal, as the probes make them: raw mode for the
/// duration only (no echo, no line buffering), the question written whole, then the answers handed over
/// as they come until the receiver has what it wants or the time is up. A silent terminal costs the
/// timeout, never a hang.
enum TerminalExchange {
  /// Writes `question` to `fd` and gives each chunk read (with the time it came) to `receive` until it
  /// returns true, the terminal stops, or `timeoutMilliseconds` have passed since the write.
  static func run(
    fd: Int32, question: [UInt8], timeoutMilliseconds: Int, receive: (ArraySlice<UInt8>, Double) -> Bool
  ) {
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
    guard SystemIO.writeAll(fd, question) == 0 else { return }
    let deadline = SystemIO.monotonicSeconds() + Double(timeoutMilliseconds) / 1000
    var buffer = [UInt8](repeating: 0, count: 512)
    while true {
      let left = deadline - SystemIO.monotonicSeconds()
      guard left > 0 else { return }
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&pfd, 1, Int32(max(1, (left * 1000).rounded(.up))))
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { return }
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { return }
      if receive(buffer[0..<n], SystemIO.monotonicSeconds()) { return }
    }
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Measures the link to the terminal as the workstation does at start: a device status request, a
/// harmless filler, a request, and the times of the two answers (see `LinkEstimate`). Raw mode for the
/// duration only; a terminal that does not answer costs the timeout and gives an estimate without
/// figures.
public enum LinkProbe {
  /// With `passthrough` (inside tmux, passthrough allowed) the outer terminal's link is measured.
  public static func measure(
    fd: Int32, fillerBytes: Int = 65536, passthrough: Bool = false, timeoutMilliseconds: Int = 3000
  ) -> LinkEstimate {
    var link = LinkEstimate()
    var saved = termios()
    let isTTY = tcgetattr(fd, &saved) == 0
    if isTTY {
      var raw = saved
      raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
      tcsetattr(fd, TCSANOW, &raw)
    }
    defer { if isTTY { tcsetattr(fd, TCSANOW, &saved) } }
    let probe = LinkEstimate.calibration(bytes: fillerBytes, passthrough: passthrough)
    let start = now()
    link.calibrationSent(total: probe.count, at: start)
    var offset = 0
    while offset < probe.count {
      let n = probe.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return link }
      offset += n
    }
    // Answers are found by their exact bytes; anything else the terminal says is skipped.
    let answer = Array(LinkEstimate.answer.utf8)
    var pending: [UInt8] = []
    var answered = 0
    let deadline = start + Double(timeoutMilliseconds) / 1000
    var buffer = [UInt8](repeating: 0, count: 256)
    while answered < 2 {
      let left = deadline - now()
      guard left > 0 else { break }
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&pfd, 1, Int32(max(1, left * 1000)))
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { break }
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { break }
      let at = now()
      pending += buffer[0..<n]
      while let range = firstRange(of: answer, in: pending) {
        link.acknowledged(at: at)
        answered += 1
        pending.removeSubrange(pending.startIndex..<range.upperBound)
      }
      if pending.count > 4096 { pending.removeFirst(pending.count - answer.count) }
    }
    return link
  }

  static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
      return i..<(i + needle.count)
    }
    return nil
  }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
}

extension LinkEstimate {
  /// The estimate in words, for `biloba probe`.
  public var summary: String {
    guard let trip = roundTrip else {
      return "link: the terminal did not answer (pictures are paced by writes alone)"
    }
    guard let rate = bytesPerSecond else {
      return "link: round trip \(Int((trip * 1000).rounded())) ms, drain too fast to measure (a local terminal)"
    }
    let kb = rate / 1000
    let rateText = kb >= 1000 ? "\(Int((kb / 1000).rounded())) MB/s" : "\(Int(kb.rounded())) kB/s"
    let budget = Int((rate * Self.previewSeconds / 1000).rounded())
    return """
      link: round trip \(Int((trip * 1000).rounded())) ms, drain \(rateText)\(isThin ? " (thin: sixel at the image's own size, previews while scrolling)" : "")
      preview budget: \(budget) kB (what \(Int(Self.previewSeconds * 1000)) ms of the link carries)
      """
  }
}

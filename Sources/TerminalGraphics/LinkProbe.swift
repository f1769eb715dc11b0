import SystemIO

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
    let probe = LinkEstimate.calibration(bytes: fillerBytes, passthrough: passthrough)
    link.calibrationSent(total: probe.count, at: SystemIO.monotonicSeconds())
    // Answers are found by their exact bytes; anything else the terminal says is skipped (and bounded).
    let answer = Array(LinkEstimate.answer.utf8)
    var pending: [UInt8] = []
    TerminalExchange.run(fd: fd, question: probe, timeoutMilliseconds: timeoutMilliseconds) { chunk, at in
      pending += chunk
      while let range = pending.firstRange(of: answer) {
        link.acknowledged(at: at)
        pending.removeSubrange(..<range.upperBound)
      }
      if pending.count > 4096 { pending.removeFirst(pending.count - answer.count) }
      return link.inFlightFrames == 0
    }
    return link
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

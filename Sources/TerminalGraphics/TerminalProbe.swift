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
    let parser = exchange(fd: fd, timeoutMilliseconds: timeoutMilliseconds)
    capabilities.replies = parser.replies
    capabilities.typeahead = parser.typed
    return capabilities
  }

  /// Writes the queries and reads replies until the DA1 sentinel, the byte bound or the timeout.
  public static func exchange(fd: Int32, timeoutMilliseconds: Int) -> ProbeReplyParser {
    var parser = ProbeReplyParser()
    TerminalExchange.run(fd: fd, question: queries, timeoutMilliseconds: timeoutMilliseconds) { chunk, _ in
      parser.feed(chunk)
      return parser.isComplete || parser.overflowed
    }
    return parser
  }
}

/// The graphics protocols Biloba can draw with.
public enum GraphicsProtocol: String, Sendable, Equatable, CaseIterable {
  case sixel, kitty, iterm, blocks, ascii

  /// Draws pixels (sized by the cell's pixel size, passed through tmux) rather than characters.
  public var drawsPixels: Bool { self == .sixel || self == .kitty || self == .iterm }
}

/// What the terminal can show, from its replies, the window size and the environment, with every
/// guess open to an override.
public struct TerminalCapabilities: Sendable {
  public var replies: ProbeReplies
  public var environment: [String: String]
  /// Cell size from TIOCGWINSZ (pixels / cells), when the kernel knows it (not over SSH).
  public var windowSizeCell: (width: Int, height: Int)?
  /// Columns and rows of the terminal.
  public var cells: (columns: Int, rows: Int)?
  /// Keys typed while the probe waited for the terminal's answers, to be taken as typed.
  public var typeahead: [UInt8] = []

  public static let assumedCell = (width: 10, height: 20)

  public init(
    replies: ProbeReplies = ProbeReplies(), environment: [String: String] = [:],
    windowSizeCell: (width: Int, height: Int)? = nil, cells: (columns: Int, rows: Int)? = nil
  ) {
    self.replies = replies
    self.environment = environment
    self.windowSizeCell = windowSizeCell
    self.cells = cells
  }

  public var inTmux: Bool { environment["TMUX"] != nil || (environment["TERM"] ?? "").hasPrefix("tmux") }
  public var supportsSixel: Bool { replies.deviceAttributes?.contains(4) == true }

  /// The best protocol: kitty when it answered, else sixel when DA1 says so, else iTerm2 by name, else
  /// Unicode blocks in colour, else ASCII (dumb terminals). Inside tmux the outer terminal is not probed,
  /// so blocks unless overridden.
  public var bestProtocol: GraphicsProtocol {
    let term = environment["TERM"] ?? ""
    if term == "dumb" || term.isEmpty && environment["COLORTERM"] == nil { return .ascii }
    if inTmux { return .blocks }
    if replies.kittyGraphics { return .kitty }
    if supportsSixel { return .sixel }
    let program = environment["TERM_PROGRAM"] ?? ""
    if program == "iTerm.app" || program == "WezTerm" { return .iterm }
    return .blocks
  }

  public var colorDepth: ColorDepth {
    let colorterm = (environment["COLORTERM"] ?? "").lowercased()
    if colorterm == "truecolor" || colorterm == "24bit" { return .truecolor }
    let term = environment["TERM"] ?? ""
    if term.contains("256color") || term.contains("direct") || term.hasPrefix("xterm-kitty") { return .ansi256 }
    return .ansi16
  }

  /// Cell size in pixels: CSI 16t, else CSI 14t over the cell count, else TIOCGWINSZ, else assumed 10x20.
  public var cellPixels: (width: Int, height: Int) {
    if let c = replies.cellPixels { return c }
    if let w = replies.windowPixels, let cells, cells.columns > 0, cells.rows > 0, w.width >= cells.columns,
      w.height >= cells.rows
    {
      return (w.width / cells.columns, w.height / cells.rows)
    }
    if let c = windowSizeCell { return c }
    return Self.assumedCell
  }

  /// Sixel colour registers: XTSMGRAPHICS, else 256.
  public var colorRegisters: Int { replies.colorRegisters.map { max(2, min($0, 1024)) } ?? 256 }

  public var summary: String {
    let cell = cellPixels
    return """
      protocol: \(bestProtocol.rawValue)
      sixel: \(supportsSixel ? "yes" : "no"), colour registers: \(colorRegisters)
      kitty graphics: \(replies.kittyGraphics ? "yes" : "no")
      colours: \(colorDepth.rawValue)
      cell: \(cell.width)x\(cell.height) pixels
      terminal: \(replies.version ?? environment["TERM_PROGRAM"] ?? environment["TERM"] ?? "unknown")\(inTmux ? " (inside tmux)" : "")
      """
  }
}

import CNcursesw
import Foundation
import RasterCore
import Synchronization
import SystemIO
public import TerminalGraphics
public import Workstation

#if canImport(Glibc)
  import Glibc
#endif

/// The workstation in a terminal: ncursesw draws the model's text, keys and resizes become messages, and
/// pictures go to the image area through a frame scheduler (CursesApp+Pictures) that never lets the key
/// loop wait on the terminal: all waiting keys are taken before a picture is made, text is drawn at once,
/// and a picture is made for the newest state only when the link can take it.
public final class CursesApp {
  public struct Graphics: Sendable {
    public var encoder: TerminalImageEncoder
    public var cell: GraphicsLayout.CellSize

    public init(encoder: TerminalImageEncoder, cell: GraphicsLayout.CellSize) {
      self.encoder = encoder
      self.cell = cell
    }
  }

  let runtime: Runtime
  let keymap: Keymap
  let graphics: Graphics
  var model: Model
  /// Messages from background work (remote lists, retrievals), taken in by the key loop.
  let inbox = Inbox()

  /// Messages from background work, and a pipe that wakes the key loop's poll when one arrives (a
  /// de-identification or a query ends while the reader waits, and the screen says so at once).
  final class Inbox: Sendable {
    private let messages = Mutex<[Msg]>([])
    /// The pipe's ends: poll watches `wake`; `post` writes a byte to the other. Both non-blocking: a
    /// full pipe already wakes the loop.
    let wake: Int32
    private let signal: Int32

    init() {
      var ends: [Int32] = [-1, -1]
      if pipe(&ends) == 0 {
        for fd in ends {
          _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
          _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
      }
      wake = ends[0]
      signal = ends[1]
    }

    deinit {
      if wake >= 0 { close(wake) }
      if signal >= 0 { close(signal) }
    }

    func post(_ msg: Msg) {
      messages.withLock { $0.append(msg) }
      if signal >= 0 { _ = SystemIO.writeAll(signal, [1]) }
    }

    func take() -> [Msg] {
      var drain = [UInt8](repeating: 0, count: 64)
      while wake >= 0 && read(wake, &drain, drain.count) > 0 {}
      return messages.withLock { m in
        defer { m.removeAll() }; return m
      }
    }
  }

  // The frame scheduler's state (see CursesApp+Pictures).
  let writer = PictureWriter()
  var link = LinkEstimate()
  var costs = PictureCosts()
  /// The pane whose picture is being written now (nil for thumbnails or nothing).
  var writingPane: Int?
  /// What each pane shows now.
  var shownPanes: [Int: ShownPicture] = [:]
  /// The cells each pane's last picture was sent over: a picture covering other cells erases them first.
  var drawnCells: [Int: PictureCells] = [:]
  /// The thumbnails on screen now, and rendered ones by series and size (a study's few are kept).
  var shownThumbnails: [ScreenText.ThumbnailSlot]?
  var thumbnailCache: [String: Raster] = [:]
  /// When a pane's picture last changed by the reader's hand, and the change before: previews go out
  /// while changes follow each other closely, until the reader has been still for `restDelay`.
  var lastMotion = -Double.infinity
  var previousMotion = -Double.infinity
  /// The slice each pane showed before, for reading ahead in the direction of scrolling.
  var lastIndex: [Int: Int] = [:]
  /// The text on screen is out of date (drawn as soon as no picture is half written).
  var textDirty = true
  /// A key changed the text: a long picture half written is cut for it (see `cutStalePicture`).
  var keyTextPending = false
  var fullRedraw = true
  var nextTick: Double?

  /// Background work may be under way: poll for its messages between keys.
  var awaitingBackground: Bool { model.isRemote || model.jobs.values.contains { !$0.finished } }

  public init(runtime: Runtime, keymap: Keymap, graphics: Graphics, model: Model = Model()) {
    self.runtime = runtime
    self.keymap = keymap
    self.graphics = graphics
    self.model = model
    self.model.grayLevels = graphics.encoder.grayLevels
  }

  /// Runs until the user quits. The terminal is restored on every way out, signals included. `typeahead`:
  /// keys typed before curses started (while the terminal was probed), taken first.
  public func run(initial effects: [Effect], typeahead: [UInt8] = []) {
    TerminalRestore.install(kitty: graphics.encoder.proto == .kitty)
    biloba_curses_start()
    biloba_mouse_mode(0)
    biloba_define_acknowledgement(LinkEstimate.answer)
    biloba_define_mouse()
    defer { TerminalRestore.restore() }
    model.size = (Int(biloba_columns()), Int(biloba_rows()))
    model.today = Self.today()
    calibrate()
    dispatch(effects)
    if !typeahead.isEmpty {
      biloba_unget_keys(typeahead, Int32(typeahead.count))
      takeInput(keys: true)
    }
    while !model.quit {
      let now = SystemIO.monotonicSeconds()
      writer.flush(at: now)
      cutStalePicture(at: now)
      if textDirty && !writer.busy { drawText() }
      if !writer.busy { schedulePicture(at: now) }
      takeInput(keys: wait())
    }
    cutPicture()
    awaitAnswers()
  }

  /// Takes the answers to requests still on their way (at most half a second), so none reaches the shell
  /// after the terminal is given back, where it would be typed as `^[[0n`.
  func awaitAnswers() {
    let deadline = SystemIO.monotonicSeconds() + 0.5
    var key: wint_t = 0
    while link.inFlightFrames > 0 && link.answers {
      let left = deadline - SystemIO.monotonicSeconds()
      guard left > 0 else { return }
      var input = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
      guard poll(&input, 1, Int32((left * 1000).rounded(.up))) > 0 else { return }
      while true {
        let got = biloba_get_key(0, &key)
        if got == ERR { break }
        _ = takeAcknowledgement(got, key)
      }
    }
  }

  /// Whether a key from curses is the terminal's answer to an acknowledgement request, recorded if so.
  func takeAcknowledgement(_ got: Int32, _ key: wint_t) -> Bool {
    guard got == KEY_CODE_YES && Int32(key) == biloba_key_acknowledged() else { return false }
    link.acknowledged(at: SystemIO.monotonicSeconds())
    return true
  }

  /// Measures the link before the first picture: a request, a filler, a request (see `LinkEstimate`).
  func calibrate() {
    let now = SystemIO.monotonicSeconds()
    let probe = LinkEstimate.calibration(passthrough: graphics.encoder.tmuxPassthrough)
    Self.write(probe)
    link.calibrationSent(total: probe.count, at: now)
  }

  /// Waits for a key, the terminal taking more of a picture, or the next thing due (cine, background
  /// work, the link getting ready, the reader coming to rest, an overdue acknowledgement); true when
  /// input is waiting.
  func wait() -> Bool {
    let now = SystemIO.monotonicSeconds()
    var deadlines: [Double] = []
    if awaitingBackground { deadlines.append(now + 0.15) }
    // While a picture is half written nothing new can go (and no pane need be compared at each wake).
    if !writer.busy, let ready = link.readyAt(), picturesPending { deadlines.append(ready) }
    if previewShown { deadlines.append(lastMotion + Self.restDelay) }
    if let expiry = link.expiryDeadline { deadlines.append(expiry) }
    let paced = writer.nextWrite(at: now)
    if let paced { deadlines.append(paced) }
    // Something due already was dealt with before this wait, or cannot be yet (a picture half written):
    // waiting on it again would spin. A cine frame due is the exception: it is taken after the wait.
    deadlines = deadlines.filter { $0 > now }
    if let nextTick { deadlines.append(max(now, nextTick)) }
    let timeout = deadlines.min().map { Int32(max(0, min(60_000, ($0 - now) * 1000).rounded(.up))) } ?? -1
    var fds = [
      pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: inbox.wake, events: Int16(POLLIN), revents: 0),
    ]
    // Bytes the pace allows and the terminal did not take yet: wake when it takes more.
    if writer.busy && paced == nil { fds.append(pollfd(fd: 1, events: Int16(POLLOUT), revents: 0)) }
    return poll(&fds, nfds_t(fds.count), timeout) > 0 && fds[0].revents != 0
  }

  /// Takes every key waiting (none is left for later, so a picture is only ever made for the newest
  /// state), the terminal's acknowledgements, background messages and the cine clock. Curses is asked
  /// only when input is waiting: a picture on a fast terminal wakes the loop for every few kilobytes it
  /// takes.
  func takeInput(keys: Bool) {
    var key: wint_t = 0
    while keys && !model.quit {
      let got = biloba_get_key(0, &key)
      if got == ERR { break }
      if takeAcknowledgement(got, key) { continue }
      let now = SystemIO.monotonicSeconds()
      let msg: Msg
      if got == KEY_CODE_YES && Int32(key) == KEY_RESIZE {
        msg = .resize(columns: Int(biloba_columns()), rows: Int(biloba_rows()))
      } else if got == KEY_CODE_YES && Int32(key) == biloba_key_mouse_x10() {
        guard let mouse = mouseMessage(readMouseX10()) else { continue }
        msg = mouse
      } else if got == KEY_CODE_YES && Int32(key) == biloba_key_mouse_sgr() {
        guard let mouse = mouseMessage(readMouseSGR()) else { continue }
        msg = mouse
      } else if let name = KeyNames.name(code: key, isFunctionKey: got == KEY_CODE_YES) {
        msg = .key(name)
      } else {
        continue
      }
      handle(msg, at: now)
      keyTextPending = true
    }
    for msg in inbox.take() where !model.quit { handle(msg, at: SystemIO.monotonicSeconds()) }
    let now = SystemIO.monotonicSeconds()
    link.expire(at: now)
    let cine = model.screen == .viewer ? model.viewer?.cineRate : nil
    if let rate = cine {
      if let due = nextTick, now >= due, !model.quit {
        handle(.tick, at: now)
        nextTick = max(due + 1 / max(0.1, rate), now)
      } else if nextTick == nil {
        nextTick = now + 1 / max(0.1, rate)
      }
    } else {
      nextTick = nil
    }
  }

  /// One message through `update`: the text is redrawn, a changed picture marks motion, a new screen or
  /// layout clears the screen (a picture half written is closed first).
  func handle(_ msg: Msg, at now: Double) {
    let before = (screen: model.screen, layout: model.layout, panes: model.panes.count)
    let pictures = model.panes.map(\.picture)
    dispatch(update(&model, msg, keymap: keymap))
    textDirty = true
    var resized = false
    if case .resize = msg { resized = true }
    if resized || before != (model.screen, model.layout, model.panes.count) {
      fullRedraw = true
      cutPicture()
    }
    if model.panes.map(\.picture) != pictures {
      previousMotion = lastMotion
      lastMotion = now
    }
  }

  /// Where a drag last was, while the button is held.
  var dragAt: (x: Int, y: Int)?
  /// Whether the terminal reports drags now (only on the viewer).
  var dragReported = false

  /// The rest of an X10 report: three bytes.
  func readMouseX10() -> MouseReport {
    var bytes: [Int] = []
    for _ in 0..<3 {
      let byte = biloba_get_byte(50)
      guard byte != ERR else { return .other }
      bytes.append(Int(byte))
    }
    return MouseReport.x10(bytes)
  }

  /// The rest of an SGR report: digits and semicolons up to `M` or `m` (bounded).
  func readMouseSGR() -> MouseReport {
    var body = ""
    for _ in 0..<24 {
      let byte = biloba_get_byte(50)
      guard byte != ERR, let scalar = UnicodeScalar(UInt32(byte)) else { return .other }
      let character = Character(scalar)
      if character == "M" || character == "m" { return MouseReport.sgr(body, final: character) }
      body.append(character)
    }
    return .other
  }

  /// The wheel as keys; a drag with the first button as cell steps (window and level).
  func mouseMessage(_ report: MouseReport) -> Msg? {
    switch report {
    case .wheelUp: return .key("WheelUp")
    case .wheelDown: return .key("WheelDown")
    case .pressed(let x, let y):
      dragAt = (x, y)
      return nil
    case .dragged(let x, let y), .released(let x, let y):
      guard let from = dragAt else { return nil }
      if case .released = report { dragAt = nil } else { dragAt = (x, y) }
      return .drag(columns: x - from.x, rows: y - from.y)
    case .other: return nil
    }
  }

  /// Runs effects and feeds their answers back through `update` until nothing is left.
  func dispatch(_ effects: [Effect]) {
    var queue = effects
    while !queue.isEmpty {
      let effect = queue.removeFirst()
      if Runtime.runsInBackground(effect) {
        let inbox = inbox
        runtime.performInBackground(effect) { inbox.post($0) }
        continue
      }
      for msg in runtime.perform(effect, model: model) { queue += update(&model, msg, keymap: keymap) }
    }
  }

  /// Curses' text: every row but the pictures'.
  func drawText() {
    if (model.screen == .viewer) != dragReported {
      dragReported = model.screen == .viewer
      biloba_mouse_mode(dragReported ? 1 : 0)
    }
    if fullRedraw {
      // Kitty keeps pictures over cleared text: take down every placement first.
      if graphics.encoder.proto == .kitty { Self.write(KittyEncoder.deleteAll) }
      biloba_clear()
      shownPanes = [:]
      drawnCells = [:]
      shownThumbnails = nil
      fullRedraw = false
    }
    let pictureRows = ScreenText.pictureRows(model)
    let beside = ScreenText.textBesidePictures(model)
    for (row, line) in ScreenText.lines(model, keymap: keymap).enumerated() {
      if !pictureRows.contains(row) {
        biloba_put_line(Int32(row), line)
      } else if let beside {
        // The pictures' cells are not curses' to draw; the panel beside them is.
        biloba_put_text(Int32(row), Int32(beside), String(line.dropFirst(beside)))
      }
    }
    biloba_refresh()
    textDirty = false
    keyTextPending = false
  }

  /// Bytes that put an encoded image at a cell: text protocols line by line, the others at one spot.
  static func positioned(_ bytes: [UInt8], proto: GraphicsProtocol, row: Int, column: Int) -> [UInt8] {
    func cursor(_ r: Int, _ c: Int) -> [UInt8] { Array("\u{1B}[\(r + 1);\(c + 1)H".utf8) }
    switch proto {
    case .blocks, .ascii:
      var out: [UInt8] = []
      for (i, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
        out += cursor(row + i, column) + line
      }
      return out
    default:
      return cursor(row, column) + bytes
    }
  }

  /// Today's local date as YYYYMMDD.
  static func today() -> String {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    return String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
  }

  static func write(_ bytes: [UInt8]) { SystemIO.writeAll(1, bytes) }
}

/// Key codes to the names keymaps use.
enum KeyNames {
  static func name(code: wint_t, isFunctionKey: Bool) -> String? {
    let c = Int32(bitPattern: code)
    if isFunctionKey {
      switch c {
      case KEY_UP: return "Up"
      case KEY_DOWN: return "Down"
      case KEY_LEFT: return "Left"
      case KEY_RIGHT: return "Right"
      case KEY_NPAGE: return "PageDown"
      case KEY_PPAGE: return "PageUp"
      case KEY_HOME: return "Home"
      case KEY_END: return "End"
      case KEY_ENTER: return "Enter"
      case KEY_BACKSPACE: return "Backspace"
      case KEY_DC: return "Delete"
      case KEY_SLEFT: return "S-Left"
      case KEY_SRIGHT: return "S-Right"
      case KEY_SR: return "S-Up"
      case KEY_SF: return "S-Down"
      case KEY_BTAB: return "S-Tab"
      default:
        if c >= KEY_F0 + 1 && c <= KEY_F0 + 12 { return "F\(c - KEY_F0)" }
        return nil
      }
    }
    switch c {
    case 10, 13: return "Enter"
    case 27: return "Esc"
    case 9: return "Tab"
    case 8, 127: return "Backspace"
    case 1...26: return "C-" + String(UnicodeScalar(UInt8(96 + c)))
    default:
      guard let scalar = UnicodeScalar(UInt32(code)), scalar.value >= 0x20 else { return nil }
      return String(Character(scalar))
    }
  }
}

/// Puts the terminal back however the program ends: normal exit, a quit key, or a fatal signal.
enum TerminalRestore {
  /// Mouse reports off, every kitty image deleted with its data (`d=A`: nothing of a patient's image
  /// stays in the terminal's memory), the main screen back, the cursor shown, attributes reset.
  static func sequence(kitty: Bool) -> [UInt8] {
    Array("\u{1B}[?1002l\u{1B}[?1000l\u{1B}[?1006l".utf8) + (kitty ? KittyEncoder.deleteAll : [])
      + Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)
  }

  nonisolated(unsafe) static var kitty = false

  /// Prepares the signal handler (C, async-signal-safe: it writes the prepared bytes and restores the
  /// terminal's modes saved now, before curses changes them).
  static func install(kitty: Bool) {
    Self.kitty = kitty
    let bytes = sequence(kitty: kitty)
    bytes.withUnsafeBufferPointer { raw in
      raw.withMemoryRebound(to: CChar.self) { biloba_install_signal_restore($0.baseAddress, $0.count) }
    }
  }

  static func restore() {
    if kitty { CursesApp.write(KittyEncoder.deleteAll) }
    CursesApp.write(Array("\u{1B}[?1002l\u{1B}[?1000l\u{1B}[?1006l".utf8))
    biloba_curses_end()
  }
}

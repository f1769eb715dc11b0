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
/// the slice is placed in the image area with the chosen graphics protocol, re-sent only when it changed.
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
  /// What each pane shows now (its area and `Viewer.renderKey`): a pane whose key is unchanged is not
  /// rendered or sent again (a window change in one pane of four sends one picture, not four).
  var shownPanes: [Int: String] = [:]
  /// Messages from background work (remote lists, retrievals), taken in by the key loop.
  let inbox = Inbox()

  final class Inbox: Sendable {
    private let messages = Mutex<[Msg]>([])
    func post(_ msg: Msg) { messages.withLock { $0.append(msg) } }
    func take() -> [Msg] {
      messages.withLock { m in
        defer { m.removeAll() }; return m
      }
    }
  }

  /// Background work may be under way: poll for its messages between keys.
  var awaitingBackground: Bool { model.isRemote || model.jobs.values.contains { !$0.finished } }

  public init(runtime: Runtime, keymap: Keymap, graphics: Graphics, model: Model = Model()) {
    self.runtime = runtime
    self.keymap = keymap
    self.graphics = graphics
    self.model = model
    self.model.grayLevels = graphics.encoder.grayLevels
  }

  /// Runs until the user quits. The terminal is restored on every way out, signals included.
  public func run(initial effects: [Effect]) {
    TerminalRestore.install(kitty: graphics.encoder.proto == .kitty)
    biloba_curses_start()
    biloba_mouse_mode(0)
    defer { TerminalRestore.restore() }
    model.size = (Int(biloba_columns()), Int(biloba_rows()))
    model.today = Self.today()
    dispatch(effects)
    draw(full: true)
    while !model.quit {
      var key: wint_t = 0
      // While cine runs, a key is waited for only until the next frame is due.
      let cine = model.screen == .viewer ? model.viewer?.cineRate.map { Int32(1000 / max(1, $0)) } : nil
      let got = biloba_get_key(cine ?? (awaitingBackground ? 150 : -1), &key)
      let arrived = inbox.take()
      if !arrived.isEmpty {
        let screenBefore = model.screen
        for msg in arrived { dispatch(update(&model, msg, keymap: keymap)) }
        draw(full: model.screen != screenBefore)
      }
      let msg: Msg
      if got == ERR {
        guard cine != nil else { continue }
        msg = .tick
      } else if got == KEY_CODE_YES && Int32(key) == KEY_RESIZE {
        msg = .resize(columns: Int(biloba_columns()), rows: Int(biloba_rows()))
      } else if got == KEY_CODE_YES && Int32(key) == KEY_MOUSE {
        guard let mouse = mouseMessage() else { continue }
        msg = mouse
      } else if let name = KeyNames.name(code: key, isFunctionKey: got == KEY_CODE_YES) {
        msg = .key(name)
      } else {
        continue
      }
      let resized: Bool
      if case .resize = msg { resized = true } else { resized = false }
      let screenBefore = model.screen
      let panesBefore = (model.layout, model.panes.count)
      dispatch(update(&model, msg, keymap: keymap))
      // A new layout leaves pictures where there are none now: clear them.
      draw(full: resized || model.screen != screenBefore || panesBefore != (model.layout, model.panes.count))
    }
  }

  /// Where a drag last was, while the button is held.
  var dragAt: (x: Int32, y: Int32)?
  /// Whether the terminal reports drags now (only on the viewer).
  var dragReported = false

  /// The wheel as keys; a drag with the first button as cell steps (window and level).
  func mouseMessage() -> Msg? {
    var x: Int32 = 0
    var y: Int32 = 0
    switch biloba_mouse_event(&x, &y) {
    case 1: return .key("WheelUp")
    case 2: return .key("WheelDown")
    case 3:
      dragAt = (x, y)
      return nil
    case let kind where kind == 4 || kind == 5:
      guard let from = dragAt else { return nil }
      dragAt = kind == 5 ? nil : (x, y)
      return .drag(columns: Int(x - from.x), rows: Int(y - from.y))
    default: return nil
    }
  }

  /// Runs effects and feeds their answers back through `update` until nothing is left.
  func dispatch(_ effects: [Effect]) {
    var queue = effects
    while !queue.isEmpty {
      let effect = queue.removeFirst()
      // The panes' keys decide what is drawn again (see `draw`).
      if effect == .renderSlice { continue }
      if Runtime.isRemote(effect) {
        let inbox = inbox
        runtime.performInBackground(effect) { inbox.post($0) }
        continue
      }
      for msg in runtime.perform(effect, model: model) { queue += update(&model, msg, keymap: keymap) }
    }
  }

  func draw(full: Bool) {
    let slots = ScreenText.thumbnailSlots(model)
    if (model.screen == .viewer) != dragReported {
      dragReported = model.screen == .viewer
      biloba_mouse_mode(dragReported ? 1 : 0)
    }
    if full {
      biloba_clear()
      shownPanes = [:]
      shownThumbnails = nil
      // Kitty keeps pictures over cleared text: take down every placement.
      if graphics.encoder.proto == .kitty { pendingImage = KittyEncoder.deleteAll }
    }
    if model.screen == .viewer {
      for area in ScreenText.paneAreas(model) where model.panes.indices.contains(area.pane) {
        let key = "\(area.x),\(area.y),\(area.columns),\(area.rows) " + model.panes[area.pane].renderKey
        guard shownPanes[area.pane] != key else { continue }
        shownPanes[area.pane] = key
        placeImage(pane: area.pane, area: (area.x, area.y, area.columns, area.rows))
      }
    }
    if slots != shownThumbnails {
      placeThumbnails(slots)
      shownThumbnails = slots
    }
    let pictureRows = ScreenText.pictureRows(model)
    for (row, line) in ScreenText.lines(model, keymap: keymap).enumerated() where !pictureRows.contains(row) {
      biloba_put_line(Int32(row), line)  // the pictures' rows are not curses' to draw
    }
    biloba_refresh()
    if let pending = pendingImage {
      // Save and restore the cursor around the picture: curses moves relative to where it believes the
      // cursor is, and the picture moved it.
      Self.write(Array("\u{1B}7".utf8) + pending + Array("\u{1B}8".utf8))
      pendingImage = nil
    }
  }

  var pendingImage: [UInt8]?
  /// The thumbnails on screen now, and rendered ones by series and size (a study's few are kept).
  var shownThumbnails: [ScreenText.ThumbnailSlot]?
  var thumbnailCache: [String: Raster] = [:]

  /// Renders (or takes from the cache) each slot's thumbnail and queues its bytes after the slice's.
  func placeThumbnails(_ slots: [ScreenText.ThumbnailSlot]) {
    let proto = graphics.encoder.proto
    let blocks = graphics.encoder.blocks
    var bytes = pendingImage ?? []
    for slot in slots where model.series.indices.contains(slot.seriesIndex) {
      let uid = model.series[slot.seriesIndex].seriesInstanceUID
      let layout = GraphicsLayout(columns: slot.columns, rows: slot.rows, cell: graphics.cell)
      let key = "\(uid) \(slot.columns)x\(slot.rows)"
      if thumbnailCache[key] == nil {
        thumbnailCache[key] = runtime.thumbnail(seriesInstanceUID: uid) {
          layout.rasterSize(imageWidth: $0, imageHeight: $1, protocol: proto, blocks: blocks)
        }
      }
      guard let raster = thumbnailCache[key] else { continue }
      let covered = layout.cellsCovered(
        rasterWidth: raster.width, rasterHeight: raster.height, protocol: proto, blocks: blocks)
      let x = slot.x + max(0, (slot.columns - covered.columns) / 2)
      // Kitty ids 2 and up: one per slot, so thumbnails replace each other and never the slice (id 1).
      let encoded = graphics.encoder.encode(raster, imageID: UInt32(2 + slot.seriesIndex), layout: layout)
      bytes += Self.positioned(encoded, proto: proto, row: slot.y, column: x)
    }
    if thumbnailCache.count > 64 { thumbnailCache.removeAll() }
    pendingImage = bytes.isEmpty ? nil : bytes
  }

  /// Renders a pane's slice for its area and keeps its bytes to write after curses has drawn.
  func placeImage(pane: Int, area: (x: Int, y: Int, columns: Int, rows: Int)) {
    let viewer = model.panes[pane]
    let layout = GraphicsLayout(columns: area.columns, rows: area.rows, cell: graphics.cell)
    let proto = graphics.encoder.proto
    let blocks = graphics.encoder.blocks
    switch runtime.render(
      viewer, box: layout.capacity(protocol: proto, blocks: blocks),
      fit: { layout.rasterSize(imageWidth: $0, imageHeight: $1, protocol: proto, blocks: blocks) })
    {
    case .success(let (raster, info)):
      // Recording what the render found (window, probe value) asks for nothing more.
      _ = update(&model, .sliceRendered(info, pane: pane), keymap: keymap)
      let covered = layout.cellsCovered(
        rasterWidth: raster.width, rasterHeight: raster.height, protocol: proto, blocks: blocks)
      let x = area.x + max(0, (area.columns - covered.columns) / 2)
      // Kitty: one image id a pane, so each new slice replaces its pane's picture only.
      let bytes = graphics.encoder.encode(raster, imageID: UInt32(1 + pane), layout: layout)
      pendingImage = (pendingImage ?? []) + Self.positioned(bytes, proto: proto, row: area.y, column: x)
    case .failure(let error):
      _ = update(&model, .failed("\(error)"), keymap: keymap)
    }
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
    Array("\u{1B}[?1002l\u{1B}[?1006l".utf8) + (kitty ? KittyEncoder.deleteAll : [])
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
    CursesApp.write(Array("\u{1B}[?1002l".utf8))
    biloba_curses_end()
  }
}

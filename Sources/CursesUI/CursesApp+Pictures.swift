import RasterCore
import TerminalGraphics
import Workstation

/// The frame scheduler: which picture goes to the terminal next, at which grade, and how it is framed.
///
/// Each pane's wanted picture is the core's `Viewer.picture` in the pane's area; a pane is drawn again
/// only when that differs from what it shows. One frame is written at a time, and only when the link
/// estimate says the frames before it have arrived, so no stale picture waits in a queue: whatever the
/// reader did meanwhile, the next frame shows the newest state. While the reader keeps moving, frames are
/// previews sized to the link's budget; once still for `restDelay`, the full picture follows.
extension CursesApp {
  /// The cells a picture was drawn over: its first column and its size in cells.
  struct PictureCells: Equatable {
    var x: Int
    var columns: Int
    var rows: Int
  }

  /// What a pane shows now: its area, its picture and at which grade, and for a full picture the raster
  /// sent and its column (what a sixel update of a few bands is compared with).
  struct ShownPicture {
    var area: ScreenText.PaneArea
    var picture: PanePicture
    var grade: PictureGrade
    var raster: Raster?
    var x = 0
  }

  /// Still this long (seconds) after the last change, the reader is at rest: full pictures from then on.
  /// Short, since a full picture begun too soon is cut when the next key comes (keys auto-repeat every
  /// 30 to 50 ms).
  static let restDelay = 0.08
  /// The time a preview may take on the link.
  static let frameInterval = LinkEstimate.previewSeconds
  /// Changes further apart than this are single steps, each shown in full at once (no preview first).
  static let burstGap = 0.3

  /// Keys keep changing the picture: the last change came within `restDelay`, and closely after the one
  /// before it.
  func moving(at now: Double) -> Bool {
    now - lastMotion < Self.restDelay && lastMotion - previousMotion < Self.burstGap
  }

  /// Panes whose picture differs from the one wanted, or whose preview waits for the full picture.
  var picturesPending: Bool {
    guard model.screen == .viewer else { return shownThumbnails != ScreenText.thumbnailSlots(model) }
    return ScreenText.paneAreas(model).contains { area in
      guard model.panes.indices.contains(area.pane) else { return false }
      let shown = shownPanes[area.pane]
      return shown?.area != area || shown?.picture != model.panes[area.pane].picture || shown?.grade != .full
    }
  }

  var previewShown: Bool { shownPanes.values.contains { $0.grade.isPreview } }

  /// Writes the next frame if one is wanted and the link can take it.
  func schedulePicture(at now: Double) {
    guard !model.quit, link.ready(at: now) else { return }
    if model.screen != .viewer {
      let slots = ScreenText.thumbnailSlots(model)
      if slots != shownThumbnails {
        shownThumbnails = slots
        let bytes = thumbnailBytes(slots)
        if !bytes.isEmpty { send(bytes, at: now) }
        writingPane = nil
      }
      return
    }
    let moving = moving(at: now)
    // The active pane first: it is the one the reader is looking at.
    let areas = ScreenText.paneAreas(model).sorted {
      ($0.pane == model.activePane ? 0 : 1) < ($1.pane == model.activePane ? 0 : 1)
    }
    for area in areas where model.panes.indices.contains(area.pane) {
      let picture = model.panes[area.pane].picture
      if let shown = shownPanes[area.pane], shown.area == area, shown.picture == picture {
        if shown.grade == .full || moving { continue }
      }
      let layout = GraphicsLayout(columns: area.columns, rows: area.rows, cell: graphics.cell)
      let capacity = layout.capacity(protocol: graphics.encoder.proto, blocks: graphics.encoder.blocks)
      let grade =
        moving
        ? costs.choose(
          PictureGrade.ladder(graphics.encoder.proto), fullPixels: capacity.width * capacity.height,
          budget: link.budget(seconds: Self.frameInterval))
        : .full
      guard let (bytes, raster, x) = paneBytes(area: area, layout: layout, grade: grade) else {
        // Nothing to show (the error is on the status line): not tried again until the picture changes.
        shownPanes[area.pane] = ShownPicture(area: area, picture: picture, grade: .full)
        // What the pane showed is another slice's (a slice on its way, one that does not decode): it goes.
        if let before = drawnCells[area.pane] {
          drawnCells[area.pane] = nil
          let proto = graphics.encoder.proto
          send(
            Self.erase(before, fromRow: area.y, proto: proto)
              + (proto == .kitty ? KittyEncoder.delete(id: UInt32(1 + area.pane)) : []), at: now)
          writingPane = nil
          return
        }
        continue
      }
      costs.record(grade, bytes: bytes.count, fullPixels: capacity.width * capacity.height)
      shownPanes[area.pane] = ShownPicture(
        area: area, picture: picture, grade: grade, raster: grade == .full ? raster : nil, x: x)
      // A picture over other cells than the last one (a smaller one on a thin link, a turned or other
      // image): the last one's cells are erased first, or its edges would stay on the screen.
      let covered = layout.cellsCovered(
        rasterWidth: raster.width, rasterHeight: raster.height, protocol: graphics.encoder.proto,
        blocks: graphics.encoder.blocks)
      let cells = PictureCells(x: x, columns: covered.columns, rows: covered.rows)
      var erase: [UInt8] = []
      if let before = drawnCells[area.pane], before != cells {
        erase = Self.erase(before, fromRow: area.y, proto: graphics.encoder.proto)
      }
      drawnCells[area.pane] = cells
      send(erase + bytes, at: now)
      writingPane = area.pane
      readAhead(pane: area.pane)
      return
    }
  }

  /// Bytes that blank the cells a picture covered (erasing characters clears the graphics under them in
  /// sixel terminals; kitty's placements are replaced by the next one with the same id, and go with it).
  static func erase(_ cells: PictureCells, fromRow top: Int, proto: GraphicsProtocol) -> [UInt8] {
    guard proto != .kitty, cells.columns > 0 else { return [] }
    var out: [UInt8] = []
    for row in top..<(top + cells.rows) {
      out += Array("\u{1B}[\(row + 1);\(cells.x + 1)H\u{1B}[\(cells.columns)X".utf8)
    }
    return out
  }

  /// Cuts the picture being written when its pane wants another one and the rest would hold the link
  /// longer than a preview (the reader moved on: a newer picture is due), or when a key changed the text
  /// (sixel cannot be interrupted by text, and the text comes first; the picture is sent again after).
  func cutStalePicture(at now: Double) {
    guard writer.busy, model.screen == .viewer, let pane = writingPane, let writing = shownPanes[pane],
      model.panes.indices.contains(pane), let rate = link.bytesPerSecond
    else { return }
    // Previews, sized to the budget, always arrive whole (cine included); a preview on its way when the
    // reader comes to rest gives way to the full picture.
    let left = Double(writer.remaining) / rate
    let stale = model.panes[pane].picture != writing.picture && left > Self.frameInterval
    let atRest = writing.grade.isPreview && !moving(at: now) && left > Self.frameInterval / 3
    let typing = keyTextPending && left > Self.frameInterval
    guard stale || atRest || typing else { return }
    cutPicture()
    // Part of it is on the screen: the pane is drawn again whatever it wants next, and whole.
    shownPanes[pane] = nil
  }

  /// Cuts the picture being written, if any, and tells the link estimate what left of it.
  func cutPicture() {
    if let sent = writer.cut() { link.cutLast(to: sent) }
    writingPane = nil
  }

  /// Frames a picture's bytes (cursor saved and restored around them, the acknowledgement request at
  /// the end) and starts writing them.
  func send(_ bytes: [UInt8], at now: Double) {
    let save: [UInt8] = [0x1B, 0x37]
    let restore: [UInt8] = [0x1B, 0x38]
    let request = LinkEstimate.request(passthrough: graphics.encoder.tmuxPassthrough)
    let frame = save + bytes + request + restore
    link.sent(bytes: frame.count, at: now)
    // On a thin link at its rate (a quarter over, so an estimate on the low side grows quickly), a few
    // kilobytes ahead.
    writer.pace = link.isThin ? link.bytesPerSecond.map { (1.25 * $0, 8192) } : nil
    writer.start(frame, closing: closing + request + restore, at: now)
  }

  /// What ends a picture cut short: the string terminator for sixel and kitty (kitty also ends its chunked
  /// transmission), a reset for the text protocols.
  var closing: [UInt8] {
    switch graphics.encoder.proto {
    case .sixel: [0x1B, 0x5C]
    case .kitty: [0x1B, 0x5C] + Array("\u{1B}_Gq=2,m=0;\u{1B}\\".utf8)
    case .iterm: [0x07]
    case .blocks, .ascii: Array("\u{1B}[0m".utf8)
    }
  }

  /// A pane's slice rendered at `grade`, encoded and placed, with the raster and the column it starts at;
  /// nil when it cannot be rendered.
  func paneBytes(area: ScreenText.PaneArea, layout: GraphicsLayout, grade: PictureGrade) -> (
    bytes: [UInt8], raster: Raster, x: Int
  )? {
    let viewer = model.panes[area.pane]
    var encoder = graphics.encoder
    let proto = encoder.proto
    let blocks = encoder.blocks
    let enlarge = !link.isThin
    if link.isThin { encoder.pngLevel = PNGEncoder.smallLevel }
    let result = runtime.render(
      viewer, box: layout.capacity(protocol: proto, blocks: blocks),
      fit: { w, h in
        let full = layout.rasterSize(imageWidth: w, imageHeight: h, protocol: proto, blocks: blocks, enlarge: enlarge)
        return (max(1, full.width / grade.scale), max(1, full.height / grade.scale))
      })
    switch result {
    case .success(var (raster, info)):
      raster = PictureGrade.posterize(raster, levels: grade.levels)
      // A node's rendering of a slice on its way is a preview whatever the grade.
      info.isPreview = info.isPreview || grade.isPreview
      // Recording what the render found (window, probe value) asks for nothing more.
      _ = update(&model, .sliceRendered(info, pane: area.pane), keymap: keymap)
      textDirty = true
      let covered = layout.cellsCovered(
        rasterWidth: raster.width, rasterHeight: raster.height, protocol: proto, blocks: blocks)
      let x = area.x + max(0, (area.columns - covered.columns) / 2)
      // Sixel over a full picture of the same size and place: only the bands that changed (a moving
      // probe or measurement changes a few), when that is clearly less.
      if proto == .sixel, grade == .full, let shown = shownPanes[area.pane], shown.area == area, shown.x == x,
        let before = shown.raster,
        let rows = SixelEncoder.changedRows(from: before, to: raster, cellHeight: graphics.cell.height),
        rows.count * 3 < raster.height * 2
      {
        let bytes = encoder.encodeSixel(raster, rows: rows)
        let row = area.y + rows.lowerBound / graphics.cell.height
        return (Self.positioned(bytes, proto: proto, row: row, column: x), raster, x)
      }
      // Kitty: one image id a pane, so each new slice replaces its pane's picture only.
      let bytes = encoder.encode(raster, imageID: UInt32(1 + area.pane), layout: layout)
      return (Self.positioned(bytes, proto: proto, row: area.y, column: x), raster, x)
    case .failure(let error):
      _ = update(&model, .failed("\(error)"), keymap: keymap)
      textDirty = true
      return nil
    }
  }

  /// Decodes the next slices in the direction the pane last moved, in the background.
  func readAhead(pane: Int) {
    let viewer = model.panes[pane]
    let step = viewer.index >= (lastIndex[pane] ?? viewer.index) ? 1 : -1
    lastIndex[pane] = viewer.index
    let next = (1...Runtime.readAhead).map { viewer.index + $0 * step }.filter { viewer.slices.indices.contains($0) }
    runtime.prefetch(next.map { viewer.slices[$0] })
  }

  /// Each slot's thumbnail rendered (or taken from the cache), encoded and placed.
  func thumbnailBytes(_ slots: [ScreenText.ThumbnailSlot]) -> [UInt8] {
    let proto = graphics.encoder.proto
    let blocks = graphics.encoder.blocks
    var bytes: [UInt8] = []
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
      // Kitty ids 5 and up: one per slot, so thumbnails replace each other and never a pane's (1 to 4).
      let encoded = graphics.encoder.encode(raster, imageID: UInt32(5 + slot.seriesIndex), layout: layout)
      bytes += Self.positioned(encoded, proto: proto, row: slot.y, column: x)
    }
    if thumbnailCache.count > 64 { thumbnailCache.removeAll() }
    return bytes
  }
}

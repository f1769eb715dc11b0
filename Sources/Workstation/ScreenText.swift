import Archive
import DICOM
import DICOMImaging
import Foundation

/// The screen as text lines of exactly the terminal's width: what the curses view draws and what tests
/// compare. The viewer leaves the image area blank; `imageArea` says where the picture goes.
public enum ScreenText {
  public static func lines(_ model: Model, keymap: Keymap) -> [String] {
    let (w, h) = model.size
    var out: [String]
    switch model.screen {
    case .studies: out = studyList(model, width: w, height: h - 2)
    case .series: out = seriesList(model, width: w, height: h - 2)
    case .viewer: out = viewer(model, width: w, height: h - 2)
    case .tags: out = tags(model, height: h - 2)
    case .help: out = help(model, keymap: keymap, width: w, height: h - 2)
    case .history: out = HistoryScreen.lines(model, width: w, height: h - 2)
    case .jobs: out = JobsScreen.lines(model, width: w, height: h - 2)
    }
    out = Array(out.prefix(h - 2))
    while out.count < h - 2 { out.append("") }
    out.append(footer(model, keymap: keymap))
    out.append(statusLine(model))
    return out.map { fit($0, w) }
  }

  /// Where the image goes on the viewer screen: columns and rows, 0-based, between the corner texts.
  public static func imageArea(_ model: Model) -> (x: Int, y: Int, columns: Int, rows: Int)? {
    guard model.screen == .viewer, model.viewer != nil else { return nil }
    let (w, h) = model.size
    let panel = model.showsHistoryPanel ? Model.historyPanelColumns : 0
    return (0, 2, w - panel, max(1, h - 2 - 4))
  }

  /// One pane of the viewer: its picture's cells, and where its one-line label goes (none in 1x1).
  public struct PaneArea: Sendable, Equatable {
    public var pane: Int
    public var x: Int
    public var y: Int
    public var columns: Int
    public var rows: Int
    public var labelRow: Int?
  }

  /// The panes of the layout in the image area: side by side for 1x2, two rows of two for 2x2, each
  /// under a label row; one column between panes.
  public static func paneAreas(_ model: Model) -> [PaneArea] {
    guard let area = imageArea(model) else { return [] }
    let count = min(model.panes.count, model.layout.paneCount)
    guard model.layout != .single, count > 1 else {
      return [PaneArea(pane: model.activePane, x: area.x, y: area.y, columns: area.columns, rows: area.rows)]
    }
    let gridRows = model.layout == .grid ? 2 : 1
    let width = max(1, (area.columns - 1) / 2)
    let height = max(2, area.rows / gridRows)
    return (0..<count).map { i in
      let (r, c) = (i / 2, i % 2)
      let top = area.y + r * height
      return PaneArea(
        pane: i, x: area.x + c * (width + 1), y: top + 1, columns: width, rows: max(1, height - 1), labelRow: top)
    }
  }

  static func fit(_ s: String, _ width: Int) -> String {
    let clean = s.strippingControlCharacters
    let count = clean.count
    if count > width { return String(clean.prefix(width)) }
    return clean + String(repeating: " ", count: width - count)
  }

  static func column(_ s: String, _ width: Int) -> String { fit(s, width) }

  static func studyList(_ model: Model, width: Int, height: Int) -> [String] {
    let tabs = model.sources.enumerated().map { $0.offset == model.sourceIndex ? "[\($0.element)]" : " \($0.element) " }
    var out = [tabs.joined(separator: " ") + criteria(model.query, hidden: model.privacy)]
    var height = height
    if let form = model.form {
      out.append("Search " + model.source + " studies:")
      for field in SearchForm.Field.allCases {
        let focused = field == form.focus
        let hidden = model.privacy && SearchForm.identifying.contains(field)
        let value = PrivacyScreen.value(form[field], hidden: hidden) + (focused ? "_" : "")
        out.append(
          (focused ? "> " : "  ") + column(field.label, 13) + " " + column(value, 24) + "  " + field.hint)
      }
      out.append("")
      height -= SearchForm.Field.allCases.count + 2
    }
    // The description takes what the fixed columns and the count (with a remote row's state) leave.
    let describe = max(8, min(40, width - 10 - 23 - 13 - 7 - (model.isRemote && width >= 100 ? 30 : 18)))
    // An empty archive is not shown as an empty table: its screen says how to fill it.
    if model.studies.isEmpty && !model.isRemote && criteria(model.query).isEmpty {
      return out + emptyArchive(width: width)
    }
    out.append(
      column("Date", 10) + " " + column("Patient", 22) + " " + column("ID", 12) + " " + column("Mod", 6) + " "
        + column("Description", describe) + " Images")
    let visible = max(1, height - 2)
    let start = max(0, min(model.studyIndex - visible / 2, model.studies.count - visible))
    for (i, s) in model.studies.enumerated().dropFirst(start).prefix(visible) {
      let mark = i == model.studyIndex ? ">" : " "
      // Remote rows: L when the study is already local, or the progress of its retrieval.
      let state =
        model.isRemote
        ? (model.jobs[s.studyInstanceUID].map {
          // The bar where the width allows it; the counts always.
          "  " + ($0.error == nil ? (width >= 100 ? $0.bar() : "") + $0.summary : "failed")
        }
          ?? (model.localStudyUIDs.contains(s.studyInstanceUID) ? "  L" : "")) : ""
      out.append(
        mark + column(s.studyDate, 9) + " " + column(PrivacyScreen.name(s.patientName, hidden: model.privacy), 22) + " "
          + column(PrivacyScreen.value(s.patientID, hidden: model.privacy), 12) + " " + column(s.modalities, 6) + " "
          + column(s.description, describe) + " "
          + "\(s.instanceCount)" + state)
    }
    if model.studies.isEmpty {
      out.append(model.isRemote ? "  (no study found, or still asking)" : "  (no study matches this search)")
    }
    return out
  }

  /// What an empty archive shows in place of its list: how studies get here, and how to add a node.
  static func emptyArchive(width: Int) -> [String] {
    let lines = [
      "", "  The archive holds no study yet. To bring some in:", "",
      "    biloba import PATH   files, folders or a DICOMDIR (or start as biloba PATH)",
      "    biloba listen        receive what a PACS or a modality sends (C-STORE)",
      "    Tab                  a node's list: query a PACS and retrieve from it", "",
      "  To add a node, put it in the configuration file (biloba config init writes",
      "  one with every key; biloba config path says where), then start again:", "",
      "    [nodes.pacs]", "    host = \"10.0.0.5\"", "    port = 104", "    aet = \"PACS\"", "",
      "  biloba doctor checks the terminal, the configuration, the archive and nodes.",
      "  ? lists every key, q quits.",
    ]
    // A narrow terminal wraps the sentences instead of cutting them.
    return lines.flatMap { line in
      line.count <= width ? [line] : TextWrap.lines(line, width: max(8, width - 4)).map { "  " + $0 }
    }
  }

  /// The search in effect, after the tabs: "  name DOE*  date 20260101-20260107" (name, ID and
  /// accession masked behind the privacy screen).
  static func criteria(_ q: StudyQuery, hidden: Bool = false) -> String {
    let mask = { (value: String?) in value.map { PrivacyScreen.value($0, hidden: hidden) } }
    let parts: [(String, String?)] = [
      ("name", mask(q.patientName)), ("id", mask(q.patientID)), ("date", q.studyDate), ("modality", q.modality),
      ("accession", mask(q.accessionNumber)), ("description", q.studyDescription),
    ]
    return parts.compactMap { key, value in value.map { "  \(key) \($0)" } }.joined()
  }

  /// Where one series' thumbnail goes on the series screen, in cells.
  public struct ThumbnailSlot: Sendable, Equatable {
    public var seriesIndex: Int
    public var x: Int
    public var y: Int
    public var columns: Int
    public var rows: Int
  }

  /// A thumbnail's size in cells, the gap between two, and the rows of its label under it.
  static let thumbnail = (columns: 16, rows: 6, gap: 2, labelRows: 2)

  /// The series screen's parts: how many list rows, and the thumbnails in bands below the list (each
  /// band: a row of pictures, then their labels), starting with the band that holds the selection.
  static func seriesLayout(_ model: Model) -> (listRows: Int, slots: [ThumbnailSlot]) {
    let (width, rows) = model.size
    let height = rows - 2
    let count = model.series.count
    let band = thumbnail.rows + thumbnail.labelRows
    // A remote study's series have nothing local to draw: the list alone.
    guard !model.seriesAreRemote else { return (max(1, min(count, height - 2)), []) }
    // The list gets what it needs, leaving room for one band when there is any.
    let listRows = max(1, min(count, height - 3 - band))
    let bands = max(0, (height - 3 - listRows) / band)
    let perBand = max(1, (width + thumbnail.gap) / (thumbnail.columns + thumbnail.gap))
    guard bands > 0, count > 0, width >= thumbnail.columns else { return (max(1, min(count, height - 2)), []) }
    let selectedBand = model.seriesIndex / perBand
    let firstBand = max(0, selectedBand - bands + 1)
    var slots: [ThumbnailSlot] = []
    for b in 0..<bands {
      for k in 0..<perBand {
        let index = (firstBand + b) * perBand + k
        guard index < count else { break }
        slots.append(
          ThumbnailSlot(
            seriesIndex: index, x: k * (thumbnail.columns + thumbnail.gap), y: 2 + listRows + 1 + b * band,
            columns: thumbnail.columns, rows: thumbnail.rows))
      }
    }
    return (listRows, slots)
  }

  /// Rows that hold pictures (the viewer's slice, the series thumbnails): curses leaves them alone.
  /// The first column of text beside the pictures on their rows (the history panel), nil when none.
  public static func textBesidePictures(_ model: Model) -> Int? {
    model.showsHistoryPanel ? model.size.columns - Model.historyPanelColumns : nil
  }

  public static func pictureRows(_ model: Model) -> Set<Int> {
    let panes = paneAreas(model)
    if !panes.isEmpty { return Set(panes.flatMap { $0.y..<($0.y + $0.rows) }) }
    return Set(thumbnailSlots(model).flatMap { $0.y..<($0.y + $0.rows) })
  }

  /// The thumbnails of the series screen and where they go.
  public static func thumbnailSlots(_ model: Model) -> [ThumbnailSlot] {
    model.screen == .series ? seriesLayout(model).slots : []
  }

  static func seriesList(_ model: Model, width: Int, height: Int) -> [String] {
    let title =
      model.selectedStudy.map { PrivacyScreen.name($0.patientName, hidden: model.privacy) + "  " + $0.description }
      ?? ""
    var out = [title, column("#", 5) + " " + column("Mod", 5) + " " + column("Description", 32) + " Images"]
    if model.seriesAreRemote { out[0] += "  (on \(model.source): Enter retrieves a series)" }
    let (listRows, slots) = seriesLayout(model)
    let start = max(0, min(model.seriesIndex - listRows / 2, model.series.count - listRows))
    for (i, s) in model.series.enumerated().dropFirst(start).prefix(listRows) {
      let mark = i == model.seriesIndex ? ">" : " "
      out.append(
        mark + column(s.seriesNumber.map(String.init) ?? "", 4) + " " + column(s.modality, 5) + " "
          + column(s.description, 32) + " \(s.instanceCount)")
    }
    // Below the list: picture rows left blank (the view draws there), each band closed by its labels.
    for band in Dictionary(grouping: slots, by: \.y).sorted(by: { $0.key < $1.key }) {
      while out.count < band.key + thumbnail.rows { out.append("") }
      let labels = band.value.map { thumbnailLabel(model, $0) }
      for row in 0..<thumbnail.labelRows {
        out.append(labels.map { column($0[row], thumbnail.columns + thumbnail.gap) }.joined())
      }
    }
    return out
  }

  /// A thumbnail's label, "#2 Axial 2.5mm 512", wrapped by words on its rows (the selected one marked
  /// with ">"); only a description longer than the rows hold is shortened, with an ellipsis.
  static func thumbnailLabel(_ model: Model, _ slot: ThumbnailSlot) -> [String] {
    let series = model.series[slot.seriesIndex]
    let text = "#" + (series.seriesNumber.map(String.init) ?? "-") + " " + series.description
    let width = slot.columns + thumbnail.gap - 2
    var lines = TextWrap.lines(text, width: width)
    if lines.count > thumbnail.labelRows {
      lines = Array(lines.prefix(thumbnail.labelRows))
      lines[lines.count - 1] = String(lines[lines.count - 1].prefix(width - 1)) + "\u{2026}"
    }
    while lines.count < thumbnail.labelRows { lines.append("") }
    let mark = slot.seriesIndex == model.seriesIndex ? ">" : " "
    return lines.enumerated().map { ($0.offset == 0 ? mark : " ") + $0.element }
  }

  static func viewer(_ model: Model, width: Int, height: Int) -> [String] {
    guard let v = model.viewer else { return [] }
    let patient = PrivacyScreen.name(v.study.patientName, hidden: model.privacy)
    let left1 = patient + "  " + PrivacyScreen.value(v.study.patientID, hidden: model.privacy)
    let right1 = v.study.description + "  " + v.study.studyDate
    let window = v.window ?? v.slice?.window
    let wl = window.map { "W \(format($0.width)) L \(format($0.center))" } ?? "W/L file"
    let name = v.windowName.map { " (\($0))" } ?? ""
    let left2 = "Se \(v.series.seriesNumber.map(String.init) ?? "-") \(v.series.description)"
    // The place of the slice whose number is shown: none while its picture is still on its way.
    let place = v.slice.flatMap { $0.describes == nil || $0.describes == v.current ? $0 : nil }
    let position =
      (place?.sliceLocation.map { "  Loc \(format($0)) mm" } ?? "")
      + (place?.thickness.map { "  Th \(format($0)) mm" } ?? "") + (v.spacingNote.map { "  [\($0)]" } ?? "")
    let lossy =
      (v.slice?.isPreview == true ? "  PREVIEW" : "") + (v.slice?.isLossy == true ? "  LOSSY" : "")
      + (model.grayLevels < 256 ? "  \(model.grayLevels) GRAYS" : "")
    let cine = v.cineRate.map { "  Cine \(format($0))/s" } ?? ""
    // The presentation state applied (the slice's, once drawn), or that the study has some.
    let presentation =
      v.presentationStates.isEmpty
      ? "" : "  PR " + (v.presentationInEffect.map { place?.presentationLabel ?? "\($0.label) n/a" } ?? "off")
    let zoom = v.actualSize ? "1:1" : "\(format(v.zoom * 100))%"
    let right2 = wl + name + "  Zoom \(zoom)" + (v.invert ? "  INV" : "") + cine + presentation + lossy
    // The state's text annotations for this slice, beside the series (the picture carries its graphics).
    let notes = v.presentationInEffect == nil ? "" : (place?.annotationTexts ?? []).joined(separator: "; ")
    var out = [pair(left1, right1, width), pair(left2, notes, width)]
    let area = max(1, height - 4)
    for _ in 0..<area { out.append("") }
    // The history panel at the right of the image rows, when there is room for it.
    if model.showsHistoryPanel {
      let left = width - Model.historyPanelColumns
      for (k, line) in HistoryScreen.panel(model, rows: area).enumerated() {
        out[2 + k] = String(repeating: " ", count: left) + line
      }
    }
    // Each pane's label over its picture: series, slice, window; the active one marked.
    let studiesShown = Set(model.panes.map(\.study.studyInstanceUID)).count
    for pane in paneAreas(model) {
      guard let row = pane.labelRow, out.indices.contains(row), model.panes.indices.contains(pane.pane) else {
        continue
      }
      let p = model.panes[pane.pane]
      let w = (p.window ?? p.slice?.window).map { " W \(format($0.width)) L \(format($0.center))" } ?? ""
      // Panes of different studies say which study (its date) each shows, and a pairing offset when set.
      let date = studiesShown > 1 ? (p.study.studyDate.isEmpty ? p.study.description : p.study.studyDate) + " " : ""
      let offset = p.syncOffset != 0 ? " " + formatOffset(p.syncOffset) : ""
      let label =
        (pane.pane == model.activePane ? "*" : " ") + date + "Se \(p.series.seriesNumber.map(String.init) ?? "-") "
        + p.series.description + "  \(p.index + 1)/\(p.paths.count)" + (isKeyImage(model, p) ? " KEY" : "") + offset
        + w
      var line = Array(fit(out[row], width))
      let text = Array(column(label, pane.columns))
      for (k, ch) in text.enumerated() where pane.x + k < line.count { line[pane.x + k] = ch }
      out[row] = String(line)
    }
    let stack =
      v.stacks.count > 1
      ? "  Stack \(v.stackIndex + 1)/\(v.stacks.count)" + (v.stacks[v.stackIndex].plane.map { " \($0)" } ?? "") : ""
    let key = isKeyImage(model, v) ? "  KEY" : ""
    out.append(pair("Im \(v.index + 1)/\(v.paths.count)" + key + stack + position, right2, width))
    let probe =
      v.probe.map { p in
        "  Probe \(p.x),\(p.y): " + (v.slice?.probeValue.map { format($0) } ?? "-")
          + (v.slice?.units.map { " \($0)" } ?? "")
      } ?? ""
    out.append(
      pair(
        (v.slice.map { "\($0.columns)x\($0.rows)" } ?? "") + probe, measured(v.slice?.measured, units: v.slice?.units),
        width))
    return out
  }

  /// A measurement as the corner shows it: "Dist 42.5 mm", "ROI mean 40.2 SD 3.1 HU area 118.3 mm2 (n 480)".
  static func measured(_ measured: Measured?, units: String?) -> String {
    switch measured {
    case .distance(let length, let mm)?:
      return "Dist \(String(format: "%.1f", length)) \(mm ? "mm" : "px")"
    case .region(let r)?:
      let unit = units.map { " \($0)" } ?? ""
      return "ROI mean \(String(format: "%.1f", r.mean)) SD \(String(format: "%.1f", r.standardDeviation))\(unit)"
        + " area \(String(format: "%.1f", r.area)) \(r.inMillimetres ? "mm2" : "px") (n \(r.pixelCount))"
    case nil:
      return ""
    }
  }

  static func tags(_ model: Model, height: Int) -> [String] {
    let lines = model.visibleTags
    let title =
      "Tags of slice \((model.viewer?.index ?? 0) + 1)"
      + (model.tagFilter.isEmpty ? "" : "  filter: \(model.tagFilter)")
      + "  (\(lines.count) lines)"
    return [title] + lines.dropFirst(model.tagTop).prefix(max(0, height - 1))
  }

  /// Every binding of the screen, whole (HelpScreen lays them out), from the line the reader scrolled to.
  static func help(_ model: Model, keymap: Keymap, width: Int, height: Int) -> [String] {
    let lines = helpLines(model, keymap: keymap)
    let rows = helpRows(model)
    let top = max(0, min(model.helpTop, lines.count - rows))
    return [HelpScreen.title(model, scrolls: lines.count > rows), ""] + lines.dropFirst(top).prefix(rows)
  }

  /// The help's lines below its title, for the model's screen size.
  static func helpLines(_ model: Model, keymap: Keymap) -> [String] {
    HelpScreen.lines(keymap.help(for: model.previousScreen), width: model.size.columns, rows: helpRows(model))
  }

  /// The rows the help's lines have: the screen less its title, the blank under it, footer and status.
  static func helpRows(_ model: Model) -> Int { max(1, model.size.rows - 4) }

  /// A hint line made from the keymap, so it names the keys actually bound.
  static func footer(_ model: Model, keymap: Keymap) -> String {
    if let prompt = model.prompt {
      // A name being typed is a name on screen: masked as it is typed behind the privacy screen.
      let hidden = model.privacy && prompt.kind == .search
      return prompt.kind.rawValue + (hidden ? String(repeating: "*", count: prompt.text.count) : prompt.text)
    }
    if model.form != nil { return "Tab/Down next field  S-Tab/Up previous  C-u clear  Enter search  Esc cancel" }
    let actions: [(Action, String)]
    switch model.screen {
    case .studies:
      actions = [
        (.open, model.isRemote ? "retrieve/open" : "open"), (.nextSource, "next list"), (.search, "search"),
        (.command, "command"), (.help, "help"), (.quit, "quit"),
      ]
    case .series: actions = [(.open, "view"), (.back, "back"), (.help, "help"), (.quit, "quit")]
    case .viewer:
      actions = [
        (.nextSlice, "next"), (.previousSlice, "previous"), (.darker, "level+"), (.wider, "width+"),
        (.preset1, "preset"),
        (.invert, "invert"), (.back, "back"), (.help, "help"),
      ]
    case .tags: actions = [(.down, "down"), (.search, "filter"), (.back, "back")]
    case .history: actions = [(.open, "open beside"), (.back, "back"), (.help, "help"), (.quit, "quit")]
    case .jobs: actions = [(.open, "resume"), (.cancelJob, "cancel"), (.back, "back"), (.help, "help")]
    case .help:
      let scrolls = helpLines(model, keymap: keymap).count > helpRows(model)
      return scrolls ? "Down/Up PageDown/PageUp more  any other key returns" : "any key returns"
    }
    return actions.compactMap { action, word in keymap.key(for: action, on: model.screen).map { "\($0) \(word)" } }
      .joined(separator: "  ")
  }

  static func statusLine(_ model: Model) -> String {
    let line = model.count.isEmpty ? model.status : model.count
    // Jobs under way counted on every screen (J lists them), as Ginkgo's running tasks.
    let running = model.runningJobs
    let jobs = running == 0 ? "" : "\(running) job\(running == 1 ? "" : "s")"
    // Marked on every screen, so nobody shares a screen thinking it is on when it is not.
    let privacy = model.privacy && model.prompt == nil ? "PRIVACY" : ""
    let right = [jobs, privacy].filter { !$0.isEmpty }.joined(separator: "  ")
    return right.isEmpty ? line : pair(line, right, model.size.columns)
  }

  static func pair(_ left: String, _ right: String, _ width: Int) -> String {
    let l = left.strippingControlCharacters
    let r = right.strippingControlCharacters
    let gap = width - l.count - r.count
    return gap >= 1 ? l + String(repeating: " ", count: gap) + r : fit(l + " " + r, width)
  }

  static func format(_ x: Double) -> String {
    x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
  }
}

import DICOMImaging

/// The update of the viewer (split from Update.swift by screen): what a key's action does to the open
/// series, its panes, slices, window, zoom and pan, and the probe and measurements.

/// Keys on the viewer screen: the panes and their series and stacks, the history and key images, and
/// everything else on the active pane (`viewerAction`), the other panes following when synchronized.
func viewerScreenAction(_ model: inout Model, _ action: Action, count: Int) -> [Effect] {
  if action == .tags, let v = model.viewer, v.paths.indices.contains(v.index) {
    return [.loadTags(path: v.paths[v.index])]
  }
  switch action {
  case .nextLayout:
    let all = Model.Layout.allCases
    return setLayout(&model, all[((all.firstIndex(of: model.layout) ?? 0) + 1) % all.count])
  case .nextPane:
    guard !model.panes.isEmpty else { return [] }
    model.activePane = (model.activePane + count) % model.panes.count
    return []
  case .history:
    guard !model.history.isEmpty else {
      model.status = "no study of this patient is known yet"
      return []
    }
    model.screen = .history
    return []
  case .openPrior:
    return openPrior(&model)
  case .keyImage, .nextKeyImage, .previousKeyImage:
    return keyImageAction(&model, action, count: count)
  case .nextStack, .previousStack:
    // Another plane of the series (its scout, another localizer), where the reader left it.
    guard var v = model.viewer, v.stacks.count > 1 else { return [] }
    let step = action == .nextStack ? count : -count
    v.stackIndex = ((v.stackIndex + step) % v.stacks.count + v.stacks.count) % v.stacks.count
    model.viewer = v
    return []
  case .nextSeries, .previousSeries:
    // The series of the pane's own study: the one read, or a prior's (kept with its pane).
    guard let v = model.viewer else { return [] }
    let list = v.studySeries.isEmpty ? model.series : v.studySeries
    guard !list.isEmpty else { return [] }
    let here = list.firstIndex { $0.seriesInstanceUID == v.series.seriesInstanceUID } ?? 0
    let step = action == .nextSeries ? count : -count
    let next = list[((here + step) % list.count + list.count) % list.count]
    return [
      .fillPane(
        model.activePane, studyInstanceUID: v.study.studyInstanceUID, seriesInstanceUID: next.seriesInstanceUID)
    ]
  default:
    let before = model.viewer?.index
    let effects = viewerAction(&model, action, count: count)
    // Synchronized scrolling: the other panes follow by place in the patient (Update+Comparison.swift).
    if model.syncScroll, let before, let after = model.viewer?.index, after != before {
      synchronizePanes(&model, delta: after - before)
    }
    return effects
  }
}

func viewerAction(_ model: inout Model, _ action: Action, count: Int) -> [Effect] {
  guard var v = model.viewer else { return [] }
  let total = v.paths.count
  // How far the view may pan each way: half of what is not shown.
  let shown = v.actualSize ? (v.slice?.shownFraction ?? (1, 1)) : (1 / v.zoom, 1 / v.zoom)
  let limit = (x: (1 - shown.0) / 2, y: (1 - shown.1) / 2)
  // Coarse steps move by a tenth of the width, fine ones by a hundredth (at least one unit).
  func adjust(width dw: Double, level dl: Double) {
    v.nudgeWindow(width: dw * Double(count), level: dl * Double(count), step: 0.1)
  }
  switch action {
  case .nextSlice, .down: v.index = min(total - 1, v.index + count)
  case .previousSlice, .up: v.index = max(0, v.index - count)
  case .nextPage, .pageDown: v.index = min(total - 1, v.index + 10 * count)
  case .previousPage, .pageUp: v.index = max(0, v.index - 10 * count)
  case .firstSlice, .first: v.index = 0
  case .lastSlice, .last: v.index = max(0, total - 1)
  case .wider: adjust(width: 1, level: 0)
  case .narrower: adjust(width: -1, level: 0)
  case .brighter: adjust(width: 0, level: -1)
  case .darker: adjust(width: 0, level: 1)
  case .widerFine: adjust(width: 0.1, level: 0)
  case .narrowerFine: adjust(width: -0.1, level: 0)
  case .brighterFine: adjust(width: 0, level: -0.1)
  case .darkerFine: adjust(width: 0, level: 0.1)
  case .fileWindow:
    // The file's windows in turn (CT often carries two or three); none: its VOI LUT or the automatic one.
    let names = v.slice?.fileWindows ?? []
    v.window = nil
    if names.isEmpty {
      v.voiSource = .automatic
      v.windowName = nil
    } else {
      let next: Int
      // On from the file's window shown; from any other (a preset, a drag, the automatic one), its first.
      if v.window == nil, case .fileWindow(let n) = v.voiSource { next = (n + 1) % names.count } else { next = 0 }
      v.voiSource = .fileWindow(next)
      v.windowName = names[next].lowercased()
    }
  case .autoWindow:
    v.window = nil
    v.voiSource = .histogram
    v.windowName = "auto"
  case .invert: v.invert.toggle()
  case .overlays:
    v.overlays.toggle()
    model.status = "overlays " + (v.overlays ? "shown" : "hidden")
  case .zoomIn:
    v.zoom = min(16, v.zoom * 1.25)
    v.actualSize = false
  case .zoomOut:
    v.zoom = max(1, v.zoom / 1.25)
    v.actualSize = false
    let limit = (1 - 1 / v.zoom) / 2
    v.pan = (min(limit, max(-limit, v.pan.x)), min(limit, max(-limit, v.pan.y)))
  case .fit:
    v.zoom = 1
    v.pan = (0, 0)
    v.actualSize = false
  case .actualSize:
    v.actualSize = true
    v.zoom = 1
  case .panLeft, .panRight, .panUp, .panDown:
    // A tenth of what is shown per step; never past the image's edge.
    let stepX = 0.1 * shown.0 * Double(count)
    let stepY = 0.1 * shown.1 * Double(count)
    switch action {
    case .panLeft: v.pan.x = max(-limit.x, v.pan.x - stepX)
    case .panRight: v.pan.x = min(limit.x, v.pan.x + stepX)
    case .panUp: v.pan.y = max(-limit.y, v.pan.y - stepY)
    default: v.pan.y = min(limit.y, v.pan.y + stepY)
    }
  case .measure, .region:
    // From the probe's point (the probe comes on at the centre); the same key again keeps it.
    let w = v.slice?.columns ?? 512
    let h = v.slice?.rows ?? 512
    let p = v.probe ?? (w / 2, h / 2)
    switch (v.measure, action) {
    case (.distance(let x, let y), .measure), (.region(let x, let y), .region):
      v.measure = nil
      model.viewer = v
      return keepMeasurement(&model, kind: action == .measure ? .distance : .rectangle, from: (x, y), to: p)
    default:
      v.probe = p
      v.measure = action == .measure ? .distance(x: p.x, y: p.y) : .region(x: p.x, y: p.y)
    }
  case .cine: v.cineRate = v.cineRate == nil ? (v.fileFrameRate ?? 10) : nil
  case .presentationState:
    // None, then each state by its label; its VOI shows until the reader windows again.
    guard !v.presentationStates.isEmpty else {
      model.status = "no presentation state in this study refers to this series"
      return []
    }
    let next = (v.presentation.map { $0 + 1 } ?? 0)
    v.presentation = next < v.presentationStates.count ? next : nil
    v.window = nil
    v.windowName = nil
    v.voiSource = .automatic
    model.status = v.presentationInEffect.map { "presentation state \($0.label)" } ?? "no presentation state"
  case .probe:
    let w = v.slice?.columns ?? 512
    let h = v.slice?.rows ?? 512
    v.probe = v.probe == nil ? (w / 2, h / 2) : nil
    if v.probe == nil { v.measure = nil }
  case .probeLeft, .probeRight, .probeUp, .probeDown:
    guard let p = v.probe else { break }
    let w = v.slice?.columns ?? 512
    let h = v.slice?.rows ?? 512
    let step = max(1, w / 64) * count
    switch action {
    case .probeLeft: v.probe = (max(0, p.x - step), p.y)
    case .probeRight: v.probe = (min(w - 1, p.x + step), p.y)
    case .probeUp: v.probe = (p.x, max(0, p.y - step))
    default: v.probe = (p.x, min(h - 1, p.y + step))
    }
  default:
    if let i = action.presetIndex, let window = Window.presets[Presets.ordered[i].name] {
      v.window = window
      v.windowName = Presets.ordered[i].name
    }
  }
  model.viewer = v
  return []
}

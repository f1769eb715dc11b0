import Archive
import DICOM
import DICOMImaging
import Foundation

/// The workstation's one place of change: a message in, the model changed, effects out. No terminal,
/// no files: the runtime does the effects and sends their answers back as messages.
public func update(_ model: inout Model, _ msg: Msg, keymap: Keymap) -> [Effect] {
  let effects = respond(&model, msg, keymap: keymap)
  updateReferenceLines(&model)
  linkWindows(&model)
  return effects + previewRequests(&model)
}

/// Each slice on its way that a pane shows, from a node retrieving it: its preview asked for once.
func previewRequests(_ model: inout Model) -> [Effect] {
  guard model.screen == .viewer else { return [] }
  var out: [Effect] = []
  for v in model.panes {
    guard let path = v.current?.path, let uid = PendingInstance.sopInstanceUID(ofPath: path),
      !model.previewsAsked.contains(uid), let node = model.retrievingFrom[v.study.studyInstanceUID]
    else { continue }
    model.previewsAsked.insert(uid)
    out.append(
      .fetchPreview(
        node: node, studyInstanceUID: v.study.studyInstanceUID, seriesInstanceUID: v.series.seriesInstanceUID,
        sopInstanceUID: uid, window: v.window))
  }
  return out
}

func respond(_ model: inout Model, _ msg: Msg, keymap: Keymap) -> [Effect] {
  switch msg {
  case .resize(let columns, let rows):
    model.size = (max(20, columns), max(6, rows))
    return []
  case .studiesLoaded(let studies):
    model.localStudyUIDs = Set(studies.map(\.studyInstanceUID))
    guard !model.isRemote else { return [] }
    model.studies = model.sort.apply(studies)
    model.studyIndex = min(model.studyIndex, max(0, studies.count - 1))
    model.status = listStatus(model)
    if let uid = model.openWhenArrived, let i = model.studies.firstIndex(where: { $0.studyInstanceUID == uid }) {
      model.openWhenArrived = nil
      model.studyIndex = i
      model.openSingleSeries = true
      return [.loadSeries(studyInstanceUID: uid)]
    }
    return []
  case .remoteStudiesLoaded(let node, let studies, let local):
    guard model.source == node else { return [] }
    model.studies = model.sort.apply(studies)
    model.localStudyUIDs = local
    model.studyIndex = min(model.studyIndex, max(0, studies.count - 1))
    model.status = listStatus(model)
    return []
  case .previewArrived(let uid):
    for i in model.panes.indices where model.panes[i].slices.contains(where: { $0.path == PendingInstance.path(uid) }) {
      model.panes[i].previews.insert(uid)
    }
    return []
  case .job(let uid, let progress):
    model.jobs[uid] = progress
    if progress.finished { model.retrievingFrom[uid] = nil }
    if progress.finished && progress.error == nil && progress.completed > 0 { model.localStudyUIDs.insert(uid) }
    model.status = "retrieve: " + progress.summary
    // A finished job changes the local list: reload it (the remote list keeps its rows).
    var effects: [Effect] = progress.finished ? [.loadStudies(StudyQuery())] : []
    effects += priorArrived(&model, uid, progress)
    // What has arrived can be read: the study opens with its first image, and what shows it grows.
    guard progress.completed > 0 else { return effects }
    if model.openWhenArrived == uid, model.screen == .studies, model.selectedStudy?.studyInstanceUID == uid {
      model.openWhenArrived = nil
      // As promised: the study opens, in the viewer, on the series its first image belongs to.
      model.openSingleSeries = true
      effects.append(.loadSeries(studyInstanceUID: uid))
    } else if model.screen == .series, model.selectedStudy?.studyInstanceUID == uid {
      effects.append(.loadSeries(studyInstanceUID: uid))
    } else if let v = model.viewer, v.study.studyInstanceUID == uid {
      effects.append(.loadPaths(seriesInstanceUID: v.series.seriesInstanceUID))
    }
    return effects
  case .seriesLoaded(let uid, let series):
    guard model.selectedStudy?.studyInstanceUID == uid else { return [] }
    // Loaded again while images arrive: the selection stays on its series.
    let selected = model.selectedSeries?.seriesInstanceUID
    model.series = series
    model.seriesIndex = selected.flatMap { uid in series.firstIndex { $0.seriesInstanceUID == uid } } ?? 0
    model.screen = .series
    model.seriesAreRemote = false
    // The status line counts the series, unless it says how this study's retrieve goes.
    if model.jobs[uid] == nil { model.status = listStatus(model) }
    if model.openSingleSeries, series.count == 1 {
      model.openSingleSeries = false
      return [.openSeries(studyInstanceUID: uid, seriesInstanceUID: series[0].seriesInstanceUID)]
    }
    model.openSingleSeries = false
    return []
  case .remoteSeriesLoaded(let uid, let series):
    guard model.isRemote, model.selectedStudy?.studyInstanceUID == uid else { return [] }
    model.series = series.sorted { ($0.seriesNumber ?? Int.max) < ($1.seriesNumber ?? Int.max) }
    model.seriesIndex = 0
    model.seriesAreRemote = true
    model.screen = .series
    model.status = listStatus(model)
    return []
  case .pathsLoaded(let seriesUID, let stacks):
    for i in model.panes.indices where model.panes[i].series.seriesInstanceUID == seriesUID {
      var v = model.panes[i]
      let slices = stacks.map(\.slices)
      guard slices.contains(where: { !$0.isEmpty }), slices != v.stacks.map(\.slices) else { continue }
      // The slice shown stays shown, in whichever stack now holds it; the counts grow.
      let shown = v.current
      let (oldStack, oldIndex) = (v.stackIndex, v.index)
      v.stacks = stacks
      if let shown, let s = slices.firstIndex(where: { $0.contains(shown) }) {
        v.stackIndex = s
        v.index = slices[s].firstIndex(of: shown) ?? 0
      } else {
        v.stackIndex = min(oldStack, stacks.count - 1)
        v.index = min(oldIndex, max(0, v.slices.count - 1))
      }
      v.series.instanceCount = Set(slices.joined().map(\.path)).count
      model.panes[i] = v
    }
    return []
  case .seriesOpened(let viewer):
    model.viewer = viewer
    model.screen = .viewer
    // A study opened while it is retrieved keeps saying how that goes (it may even be done by now).
    model.status = model.jobs[viewer.study.studyInstanceUID].map { "retrieve: " + $0.summary } ?? ""
    return fillPanes(&model) + askHistory(&model, for: viewer.study)
  case .backgroundJob(let job):
    if let i = model.backgroundJobs.firstIndex(where: { $0.id == job.id }) {
      model.backgroundJobs[i] = job
    } else {
      model.backgroundJobs.append(job)
    }
    return []
  case .historyLoaded(let key, let node, let studies):
    historyLoaded(&model, key, node: node, studies)
    return []
  case .paneFilled(let index, let viewer):
    guard index < model.layout.paneCount, index <= model.panes.count else { return [] }
    if index == model.panes.count { model.panes.append(viewer) } else { model.panes[index] = viewer }
    return []
  case .drag(let columns, let rows):
    guard model.screen == .viewer, model.viewer != nil, columns != 0 || rows != 0 else { return [] }
    // A fortieth of the width per cell: a drag across an 80-column terminal doubles or halves it.
    model.viewer?.nudgeWindow(width: Double(columns), level: Double(rows), step: 1.0 / 40)
    return []
  case .sliceRendered(let info, let pane):
    if let pane {
      if model.panes.indices.contains(pane) { model.panes[pane].slice = info }
    } else {
      model.viewer?.slice = info
    }
    return []
  case .tick:
    guard var v = model.viewer, v.cineRate != nil, !v.paths.isEmpty else { return [] }
    v.index = (v.index + 1) % v.paths.count
    model.viewer = v
    return []
  case .tagsLoaded(let lines):
    model.tags = lines
    model.tagFilter = ""
    model.tagTop = 0
    model.screen = .tags
    return []
  case .keyImagesLoaded(let study, let marks):
    // Marks the reader changed and has not saved yet stay as they are.
    if !model.keyImagesUnsaved.contains(study) { model.keyImages[study] = marks }
    return []
  case .measurementsLoaded(let series, let kept):
    for i in model.panes.indices where model.panes[i].series.seriesInstanceUID == series { model.panes[i].kept = kept }
    return []
  case .keyImagesSaved(let study):
    model.keyImagesUnsaved.remove(study)
    return []
  case .failed(let message), .notice(let message):
    model.status = message.strippingControlCharacters
    return []
  case .key(let key):
    return handleKey(&model, key, keymap: keymap)
  }
}

private func handleKey(_ model: inout Model, _ key: String, keymap: Keymap) -> [Effect] {
  if model.prompt != nil { return handlePromptKey(&model, key) }
  if model.form != nil { return handleFormKey(&model, key) }
  if model.screen == .help {
    scrollHelp(&model, key: key, keymap: keymap)
    return []
  }
  // Once a count has begun, digits extend it (so `10j` works even where `0` has a binding).
  if !model.count.isEmpty, key.count == 1, key.first?.isNumber == true {
    model.count += key
    return []
  }
  let keys = model.pendingKeys + [key]
  switch keymap.lookup(keys, on: model.screen) {
  case .prefix:
    model.pendingKeys = keys
    return []
  case .action(let action):
    model.pendingKeys = []
    let count = Int(model.count) ?? 1
    model.count = ""
    return perform(&model, action, count: max(1, min(count, 100_000)))
  case .none:
    model.pendingKeys = []
    // Digits without a binding of their own make a count (`15j`).
    if key.count == 1, let d = key.first, d.isNumber, !(model.count.isEmpty && d == "0") {
      model.count += key
    } else {
      model.count = ""
    }
    return []
  }
}

private func handlePromptKey(_ model: inout Model, _ key: String) -> [Effect] {
  guard var prompt = model.prompt else { return [] }
  switch key {
  case "Esc", "C-c":
    model.prompt = nil
    return []
  case "Enter":
    model.prompt = nil
    return prompt.kind == .search ? search(&model, prompt.text) : command(&model, prompt.text)
  case "Backspace":
    if prompt.text.isEmpty {
      model.prompt = nil
    } else {
      prompt.text.removeLast()
      model.prompt = prompt
    }
    return []
  default:
    guard isTypable(key), prompt.text.count < 200 else { return [] }
    prompt.text += key
    model.prompt = prompt
    return []
  }
}

/// A key that types a character: printable ones only; named keys are ignored while typing.
private func isTypable(_ key: String) -> Bool {
  guard key.count == 1, let scalar = key.unicodeScalars.first else { return false }
  return scalar.value >= 0x20 && scalar.value != 0x7F
}

/// The search form: Tab and the arrows move between fields, Enter searches, Esc closes it unchanged.
private func handleFormKey(_ model: inout Model, _ key: String) -> [Effect] {
  guard var form = model.form else { return [] }
  switch key {
  case "Esc", "C-c":
    model.form = nil
    return []
  case "Enter":
    model.form = nil
    return runQuery(&model, form.query(today: model.today))
  case "Tab", "Down":
    form.move(by: 1)
  case "S-Tab", "Up":
    form.move(by: -1)
  case "Backspace":
    if !form[form.focus].isEmpty { form[form.focus].removeLast() }
  case "C-u":
    form[form.focus] = ""
  default:
    guard isTypable(key), form[form.focus].count < 64 else { return [] }
    form[form.focus] += key
  }
  model.form = form
  return []
}

/// Shows the study list for `query`, from the archive or the current remote node.
func runQuery(_ model: inout Model, _ query: StudyQuery) -> [Effect] {
  model.query = query
  model.screen = .studies
  model.studyIndex = 0
  return [model.isRemote ? .findRemote(node: model.source, query) : .loadStudies(query)]
}

private func search(_ model: inout Model, _ text: String) -> [Effect] {
  if model.screen == .tags {
    model.tagFilter = text
    model.tagTop = 0
    return []
  }
  let pattern = text.trimmingCharacters(in: .whitespaces)
  var query = model.query
  query.patientName = pattern.isEmpty ? nil : SearchForm.namePattern(pattern)
  return runQuery(&model, query)
}

/// A layout of `layout.paneCount` panes: extra panes closed, missing ones filled with the next series.
func setLayout(_ model: inout Model, _ layout: Model.Layout) -> [Effect] {
  model.layout = layout
  if model.panes.count > layout.paneCount { model.panes.removeLast(model.panes.count - layout.paneCount) }
  model.activePane = min(model.activePane, max(0, model.panes.count - 1))
  model.status = "layout \(layout.rawValue)"
  return fillPanes(&model)
}

/// Opens, in each empty pane of the layout, the series after the one in the pane before it.
func fillPanes(_ model: inout Model) -> [Effect] {
  guard let last = model.panes.last, !model.series.isEmpty else { return [] }
  let start = model.series.firstIndex { $0.seriesInstanceUID == last.series.seriesInstanceUID } ?? 0
  return (model.panes.count..<max(model.panes.count, model.layout.paneCount)).map { pane in
    let series = model.series[(start + pane - model.panes.count + 1) % model.series.count]
    return .fillPane(
      pane, studyInstanceUID: last.study.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID)
  }
}

func setWindow(_ model: inout Model, _ window: Window, name: String?) -> [Effect] {
  guard model.viewer != nil else { return [] }
  model.viewer?.window = window
  model.viewer?.windowName = name
  return []
}

private func perform(_ model: inout Model, _ action: Action, count: Int) -> [Effect] {
  switch action {
  case .quit:
    model.quit = true
    return [.quit]
  case .help:
    model.previousScreen = model.screen
    model.screen = .help
    model.helpTop = 0
    return []
  case .privacy:
    setPrivacy(&model, !model.privacy)
    return []
  case .search:
    model.prompt = .init(kind: .search, text: "")
    return []
  case .command:
    model.prompt = .init(kind: .command, text: "")
    return []
  case .jobs:
    if model.screen != .jobs { model.screenBeforeJobs = model.screen == .help ? .studies : model.screen }
    model.screen = .jobs
    model.jobIndex = 0
    return []
  case .cancelJob where model.screen == .jobs:
    return cancelSelectedJob(&model)
  case .cancelJob:
    guard model.screen == .studies, let study = model.selectedStudy, let job = model.jobs[study.studyInstanceUID],
      !job.finished
    else { return [] }
    model.status = "cancelling the retrieval"
    return [.cancelRetrieve(studyInstanceUID: study.studyInstanceUID)]
  case .remoteSeries:
    guard model.screen == .studies, model.isRemote, let study = model.selectedStudy else { return [] }
    return [.findRemoteSeries(node: model.source, studyInstanceUID: study.studyInstanceUID)]
  case .searchForm:
    guard model.screen == .studies else { return [] }
    model.form = SearchForm(model.query)
    return []
  case .sort:
    guard model.screen == .studies else { return [] }
    let all = Model.StudySort.allCases
    model.sort = all[((all.firstIndex(of: model.sort) ?? 0) + 1) % all.count]
    model.studies = model.sort.apply(model.studies)
    model.status = "sorted by \(model.sort.rawValue)"
    return []
  case .nextSource:
    guard model.screen == .studies, model.sources.count > 1 else { return [] }
    model.sourceIndex = (model.sourceIndex + 1) % model.sources.count
    model.studies = []
    model.studyIndex = 0
    return [model.isRemote ? .findRemote(node: model.source, model.query) : .loadStudies(model.query)]
  case .back:
    switch model.screen {
    case .tags:
      model.screen = .viewer
      return []
    case .viewer: model.screen = .series
    case .history: model.screen = model.viewer == nil ? .studies : .viewer
    case .jobs: model.screen = model.screenBeforeJobs
    case .series: model.screen = .studies
    default: break
    }
    model.status = listStatus(model)
    return []
  default:
    break
  }
  let page = model.size.rows - 4
  switch model.screen {
  case .studies:
    return studyListAction(&model, action, count: count, page: page)
  case .series:
    return seriesListAction(&model, action, count: count, page: page)
  case .viewer:
    return viewerScreenAction(&model, action, count: count)
  case .history:
    return historyScreenAction(&model, action, count: count, page: page)
  case .jobs:
    return jobsScreenAction(&model, action, count: count, page: page)
  case .tags:
    var top = model.tagTop
    _ = moveSelection(&top, count: model.visibleTags.count, action, by: count, page: page)
    model.tagTop = top
    return []
  case .help: return []
  }
}

/// Moves a list selection; true when the action was `open`.
func moveSelection(_ index: inout Int, count total: Int, _ action: Action, by count: Int, page: Int) -> Bool {
  guard total > 0 else { return false }
  switch action {
  case .down, .nextSlice: index = min(total - 1, index + count)
  case .up, .previousSlice: index = max(0, index - count)
  case .pageDown, .nextPage: index = min(total - 1, index + max(1, page) * count)
  case .pageUp, .previousPage: index = max(0, index - max(1, page) * count)
  case .first, .firstSlice: index = 0
  case .last, .lastSlice: index = total - 1
  case .open: return true
  default: break
  }
  return false
}

/// On the help screen, the arrows and page keys scroll when its lines are more than the screen holds;
/// any other key (every key, when they all fit) returns to the screen it was opened from.
private func scrollHelp(_ model: inout Model, key: String, keymap: Keymap) {
  let total = ScreenText.helpLines(model, keymap: keymap).count
  let rows = ScreenText.helpRows(model)
  let steps = ["Down": 1, "Up": -1, "PageDown": rows - 1, "PageUp": -(rows - 1), " ": rows - 1]
  guard total > rows, let step = steps[key] else {
    model.screen = model.previousScreen
    return
  }
  model.helpTop = max(0, min(model.helpTop + step, total - rows))
}

/// The status line's count for the list on screen: "7 studies" (with the node's name on a remote tab),
/// "3 series, 62 images".
func listStatus(_ model: Model) -> String {
  let node = model.isRemote ? "\(model.source): " : ""
  switch model.screen {
  case .series:
    let images = model.series.reduce(0) { $0 + $1.instanceCount }
    return node + "\(model.series.count) series"
      + (model.seriesAreRemote ? "" : ", \(images) image\(images == 1 ? "" : "s")")
  default:
    return node + "\(model.studies.count) stud\(model.studies.count == 1 ? "y" : "ies")"
  }
}

/// The privacy screen on or off, said on the status line.
func setPrivacy(_ model: inout Model, _ on: Bool) {
  model.privacy = on
  model.status = on ? "privacy screen on: names, IDs, birth dates and accession numbers hidden" : "privacy screen off"
}

import Archive

/// The patient history (split from Update.swift by screen): every study of the patient of the study read,
/// from the archive and each configured node, newest first, in a panel beside the viewer (from 160
/// columns; `:history on|off`) and on a screen of its own (`H`); `o` (Enter on the screen) opens the
/// selected study beside the one read, retrieving it first when it is not here.

/// When a series opens: its patient's history asked of the archive and every node, unless it is shown.
func askHistory(_ model: inout Model, for study: StudyQuery.Study) -> [Effect] {
  let key = PatientKey(study)
  guard model.historyOf != key, !key.patientID.isEmpty else { return [] }
  model.historyOf = key
  model.history = []
  model.historyIndex = 0
  return [.loadHistory(key)] + model.sources.dropFirst().map { .findHistory(node: $0, key) }
}

/// One source's answer merged in; the selection stays on its study, else goes to the newest other one.
func historyLoaded(_ model: inout Model, _ key: PatientKey, node: String?, _ studies: [StudyQuery.Study]) {
  guard model.historyOf == key else { return }
  let reading = model.viewer?.study.studyInstanceUID
  // The selection stays where the reader put it; on the study read (all there was), it moves on to a prior.
  let selected =
    model.history.indices.contains(model.historyIndex) ? model.history[model.historyIndex] : nil
  let kept = selected?.study.studyInstanceUID == reading ? nil : selected
  model.history = PatientHistory.merged(model.history, studies, of: key, node: node)
  model.historyIndex =
    kept.flatMap { s in model.history.firstIndex { $0.study.studyInstanceUID == s.study.studyInstanceUID } }
    ?? model.history.firstIndex { $0.study.studyInstanceUID != reading } ?? 0
}

/// Keys on the history screen: the selection moves; Enter opens the study beside the one read.
func historyScreenAction(_ model: inout Model, _ action: Action, count: Int, page: Int) -> [Effect] {
  guard moveSelection(&model.historyIndex, count: model.history.count, action, by: count, page: page) else {
    return []
  }
  return openPrior(&model)
}

/// Opens the selected history study beside the study read: at once when it is here, else retrieved from
/// the first node that has it (progress on the status line) and opened when it is all here.
func openPrior(_ model: inout Model) -> [Effect] {
  guard let v = model.viewer, model.history.indices.contains(model.historyIndex) else {
    model.status = "no other study of this patient is known"
    return []
  }
  let entry = model.history[model.historyIndex]
  let uid = entry.study.studyInstanceUID
  model.screen = .viewer
  guard uid != v.study.studyInstanceUID else {
    model.status = "that is the study being read: choose another in the history (H)"
    return []
  }
  guard entry.isLocal else {
    guard let node = entry.nodes.first else { return [] }
    if let job = model.jobs[uid], !job.finished {
      model.status = "the prior is being retrieved: it opens beside when it is here"
      return []
    }
    model.jobs[uid] = JobProgress()
    model.retrievingFrom[uid] = node
    model.openBesideWhenArrived = uid
    model.status = "retrieving the prior of \(entry.study.studyDate) from \(node)..."
    return [.retrieve(node: node, studyInstanceUID: uid)]
  }
  return openBeside(&model, uid)
}

/// A local study in the pane beside the active one (the layout widened to two panes when it had one).
func openBeside(_ model: inout Model, _ uid: String) -> [Effect] {
  if model.layout == .single {
    model.layout = .sideBySide
    if model.panes.count > 1 { model.panes.removeLast(model.panes.count - 1) }
    model.activePane = 0
  }
  let pane = model.activePane == 0 ? 1 : 0
  model.status = "opening the prior beside"
  return [.openBeside(min(pane, model.panes.count), studyInstanceUID: uid)]
}

/// `:history on|off`: the panel beside the viewer shown or folded away, whatever the width.
func historyCommand(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard words.count == 1, ["on", "off"].contains(words[0]) else {
    model.status = ":history wants on or off (the panel beside the viewer; H shows the whole history)"
    return []
  }
  model.historyPanel = words[0] == "on"
  model.status = "history panel " + (words[0] == "on" ? "shown" : "folded away")
  return []
}

/// A finished retrieve: its study is here now in the history; a prior waiting for it opens beside.
func priorArrived(_ model: inout Model, _ uid: String, _ progress: JobProgress) -> [Effect] {
  guard progress.finished, progress.error == nil, progress.completed > 0 else {
    if progress.finished, model.openBesideWhenArrived == uid { model.openBesideWhenArrived = nil }
    return []
  }
  for i in model.history.indices where model.history[i].study.studyInstanceUID == uid {
    model.history[i].isLocal = true
  }
  guard model.openBesideWhenArrived == uid, model.viewer != nil else { return [] }
  model.openBesideWhenArrived = nil
  return openBeside(&model, uid)
}

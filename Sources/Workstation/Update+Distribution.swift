/// The commands that pass a local study on: `:send NODE` (as stored), `:media DIR` (DICOM media under a
/// DICOMDIR) and `:anonymize DIR | node NAME` (de-identified). Each acts on what the screen shows: the
/// selected study on the study list, the selected series on the series list, the series in the viewer.

/// `:anonymize DIR` or `:anonymize node NAME`: de-identified copies into a folder or onto a node.
func anonymize(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard let first = words.first else {
    model.status = ":anonymize wants a folder or node NAME, e.g. :anonymize /tmp/consult"
    return []
  }
  let target: Destination
  if first == "node" {
    guard words.count == 2 else {
      model.status = ":anonymize node wants a node's name, e.g. :anonymize node PACS"
      return []
    }
    target = .node(words[1])
  } else {
    target = .folder(words.joined(separator: " "))
  }
  guard let selection = localSelection(model) else { return refuse(&model, "anonymize") }
  model.status = "de-identifying the " + (selection.series == nil ? "study" : "series") + "..."
  return [.anonymize(studyInstanceUID: selection.study, seriesInstanceUID: selection.series, to: target)]
}

/// `:send NODE`: the study or series as stored onto a configured node (C-STORE or STOW-RS).
func send(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard words.count == 1 else {
    model.status = ":send wants a node's name, e.g. :send PACS"
    return []
  }
  guard let selection = localSelection(model) else { return refuse(&model, "send") }
  model.status = "sending the " + (selection.series == nil ? "study" : "series") + " to \(words[0])..."
  return [.passOn(studyInstanceUID: selection.study, seriesInstanceUID: selection.series, to: .node(words[0]))]
}

/// `:media DIR`: the whole study of what is selected, written to a new or empty folder as DICOM media.
func writeMedia(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard !words.isEmpty else {
    model.status = ":media wants a new or empty folder, e.g. :media /tmp/cd"
    return []
  }
  guard let selection = localSelection(model) else { return refuse(&model, "media") }
  let folder = words.joined(separator: " ")
  model.status = "writing the study as media into \(folder)..."
  return [.passOn(studyInstanceUID: selection.study, seriesInstanceUID: nil, to: .folder(folder))]
}

/// The local study (and series, where the screen shows one) a command acts on; nil for a remote study
/// that is not here yet.
private func localSelection(_ model: Model) -> (study: String, series: String?)? {
  switch model.screen {
  case .viewer: return model.viewer.map { ($0.study.studyInstanceUID, $0.series.seriesInstanceUID) }
  case .series:
    return model.selectedStudy.map { ($0.studyInstanceUID, model.selectedSeries?.seriesInstanceUID) }
  default:
    return !model.isRemote || model.localStudyUIDs.contains(model.selectedStudy?.studyInstanceUID ?? "")
      ? model.selectedStudy.map { ($0.studyInstanceUID, nil) } : nil
  }
}

private func refuse(_ model: inout Model, _ command: String) -> [Effect] {
  model.status = ":\(command) acts on a local study or series: select one (retrieve a remote study first)"
  return []
}

/// The patient history as text: its own screen (every study, newest first, with date, modality,
/// description, images and where it is held) and the narrower panel beside the viewer.
enum HistoryScreen {
  /// The history screen.
  static func lines(_ model: Model, width: Int, height: Int) -> [String] {
    let patient =
      model.viewer.map {
        PrivacyScreen.name($0.study.patientName, hidden: model.privacy) + "  "
          + PrivacyScreen.value($0.study.patientID, hidden: model.privacy)
      } ?? ""
    let count = model.history.count
    var out = [
      "History of \(patient)  \(count) stud\(count == 1 ? "y" : "ies") (* the one read; Enter opens beside it)",
      "  " + ScreenText.column("Date", 11) + ScreenText.column("Mod", 9) + ScreenText.column("Description", 34)
        + ScreenText.column("Images", 7) + "Where",
    ]
    let rows = max(1, height - out.count)
    let start = max(0, min(model.historyIndex - rows / 2, count - rows))
    for (i, entry) in model.history.enumerated().dropFirst(start).prefix(rows) {
      out.append(
        marks(model, i) + ScreenText.column(date(entry.study.studyDate), 11)
          + ScreenText.column(imaging(entry.study.modalities), 9) + ScreenText.column(entry.study.description, 34)
          + ScreenText.column(entry.isLocal ? String(entry.study.instanceCount) : "", 7) + entry.whereHeld)
    }
    return out
  }

  /// The panel beside the viewer, `rows` lines of `Model.historyPanelColumns`, a separator first.
  static func panel(_ model: Model, rows: Int) -> [String] {
    let width = Model.historyPanelColumns - 1
    var out = ["History (\(model.history.count))  o opens"]
    let listed = max(0, rows - 1)
    let start = max(0, min(model.historyIndex - listed / 2, model.history.count - listed))
    for (i, entry) in model.history.enumerated().dropFirst(start).prefix(listed) {
      let place = entry.isLocal ? "local" : (entry.nodes.first ?? "")
      let text =
        marks(model, i) + date(entry.study.studyDate) + " " + ScreenText.column(imaging(entry.study.modalities), 4)
        + " "
        + entry.study.description
      out.append(ScreenText.column(text, width - 7) + " " + ScreenText.column(place, 6))
    }
    while out.count < rows { out.append("") }
    return out.map { "\u{2502}" + ScreenText.column($0, width) }
  }

  /// A study's modalities as a reader names it: the imaging ones ("CT/MR"), without the key objects,
  /// presentation states and reports a study also holds (all of them when that is all it holds).
  static func imaging(_ modalities: String) -> String {
    let all = modalities.split(separator: "\\").map(String.init)
    let images = all.filter { !["KO", "PR", "SR"].contains($0) }
    return (images.isEmpty ? all : images).joined(separator: "/")
  }

  /// ">" on the selected study, "*" on the one read.
  static func marks(_ model: Model, _ i: Int) -> String {
    (i == model.historyIndex ? ">" : " ")
      + (model.history[i].study.studyInstanceUID == model.viewer?.study.studyInstanceUID ? "*" : " ")
  }

  /// "2025-01-10" from a DA value; as it is when it is not one.
  static func date(_ da: String) -> String {
    guard da.count == 8, da.allSatisfy(\.isNumber) else { return da }
    return String(da.prefix(4)) + "-" + String(da.dropFirst(4).prefix(2)) + "-" + String(da.suffix(2))
  }
}

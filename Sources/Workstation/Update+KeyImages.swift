import Archive

/// Key images (split from the viewer's update): `*` marks or unmarks the slice shown, `n` and `N` jump
/// between the marked slices of the stack, `:keys` lists the study's marks, `:keys save [NOTE]` keeps them
/// as a Key Object Selection document in the archive (sent on with the study by `:send`), `:keys clear`
/// takes them all away. A study's existing key objects are shown as marks when it opens.

/// The mark of the slice a pane shows.
func keyMark(_ v: Viewer) -> KeyImages.Mark? { v.current.map { KeyImages.Mark(path: $0.path, frame: $0.frame) } }

/// Whether the slice a pane shows is a key image.
func isKeyImage(_ model: Model, _ v: Viewer) -> Bool {
  keyMark(v).map { model.keyImages[v.study.studyInstanceUID, default: []].contains($0) } ?? false
}

func keyImageAction(_ model: inout Model, _ action: Action, count: Int) -> [Effect] {
  guard var v = model.viewer, let here = keyMark(v) else { return [] }
  let study = v.study.studyInstanceUID
  var marks = model.keyImages[study, default: []]
  switch action {
  case .keyImage:
    let added = marks.insert(here).inserted
    if !added { marks.remove(here) }
    model.keyImages[study] = marks
    model.keyImagesUnsaved.insert(study)
    model.status =
      "slice \(v.index + 1) " + (added ? "marked" : "unmarked") + " as a key image; "
      + "\(marks.count) in this study (:keys save keeps them)"
  case .nextKeyImage, .previousKeyImage:
    let marked = v.slices.indices.filter {
      marks.contains(KeyImages.Mark(path: v.slices[$0].path, frame: v.slices[$0].frame))
    }
    guard !marked.isEmpty else {
      model.status = marks.isEmpty ? "no key image in this study" : "no key image in this stack (:keys lists them)"
      return []
    }
    // On to the next marked slice (the count-th), round the stack.
    let forward = action == .nextKeyImage
    var at = v.index
    for _ in 0..<max(1, count) {
      at =
        forward
        ? (marked.first { $0 > at } ?? marked[0]) : (marked.last { $0 < at } ?? marked[marked.count - 1])
    }
    v.index = at
    model.viewer = v
    let n = (marked.firstIndex(of: at) ?? 0) + 1
    model.status = "key image \(n) of \(marked.count) in this stack"
  default:
    break
  }
  return []
}

/// `:keys`, `:keys save [NOTE]`, `:keys clear`.
func keyImagesCommand(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard let v = model.viewer else {
    model.status = ":keys acts on the study in the viewer"
    return []
  }
  let study = v.study.studyInstanceUID
  let marks = model.keyImages[study, default: []]
  switch words.first {
  case nil:
    guard !marks.isEmpty else {
      model.status = "no key image in this study (* marks the slice shown)"
      return []
    }
    return [.listKeyImages(studyInstanceUID: study, marks: sortedMarks(marks))]
  case "save":
    guard !marks.isEmpty else {
      model.status = "no key image to save (* marks the slice shown)"
      return []
    }
    let note = words.dropFirst().joined(separator: " ")
    model.status = "saving \(marks.count) key image\(marks.count == 1 ? "" : "s")..."
    return [.saveKeyImages(studyInstanceUID: study, marks: sortedMarks(marks), note: note.isEmpty ? nil : note)]
  case "clear":
    model.keyImages[study] = []
    model.keyImagesUnsaved.insert(study)
    model.status = "key images of this study cleared (:keys save keeps that)"
    return []
  default:
    model.status = ":keys lists the key images; :keys save [NOTE] keeps them; :keys clear takes them away"
    return []
  }
}

/// Marks in a stable order (by file, then frame): documents and lists come out the same each time.
func sortedMarks(_ marks: Set<KeyImages.Mark>) -> [KeyImages.Mark] {
  marks.sorted { ($0.path, $0.frame) < ($1.path, $1.frame) }
}

/// Panes read together (split from the viewer's update): synchronized scrolling pairs slices by where
/// they lie in the patient, reference lines show where the active pane's slice cuts the others, and
/// `:offset` lines up a prior study whose table positions differ from the current one's.

/// After the active pane moved by `delta` slices: each other pane shows its slice nearest the active
/// slice's place (plus the pane's offset) when their planes are parallel; a pane whose place is not
/// known yet moves by as many slices; a pane across them (a scout, another plane) stays, its reference
/// line moves instead.
func synchronizePanes(_ model: inout Model, delta: Int) {
  let active = model.activePane
  guard model.panes.indices.contains(active) else { return }
  let here = model.panes[active].currentPlane
  for i in model.panes.indices where i != active {
    var pane = model.panes[i]
    if let here, let there = pane.currentPlane ?? pane.slice?.plane {
      guard here.isParallel(to: there), let nearest = nearestSlice(pane, to: there.location(of: here.position)) else {
        continue
      }
      pane.index = nearest
    } else {
      pane.index = max(0, min(pane.slices.count - 1, pane.index + delta))
    }
    model.panes[i] = pane
  }
}

/// The slice of a pane's stack whose place is nearest `location` plus the pane's offset; nil when none
/// has a place.
func nearestSlice(_ pane: Viewer, to location: Double) -> Int? {
  let target = location + pane.syncOffset
  let positions = pane.stacks[pane.stackIndex].positions
  guard positions.count == pane.slices.count else { return nil }
  let placed = positions.enumerated().compactMap { i, p in p.map { (index: i, distance: abs($0 - target)) } }
  return placed.min { $0.distance < $1.distance }?.index
}

/// Each pane's reference line: where the active pane's slice cuts its image (none on the active pane,
/// on panes parallel to it, or while either plane is unknown).
func updateReferenceLines(_ model: inout Model) {
  let here = model.panes.indices.contains(model.activePane) ? model.panes[model.activePane].currentPlane : nil
  for i in model.panes.indices {
    let line =
      i == model.activePane || model.panes.count < 2
      ? nil : here.flatMap { here in model.panes[i].currentPlane?.intersection(with: here) }
    if model.panes[i].referenceLine != line { model.panes[i].referenceLine = line }
  }
}

/// Linked window and level (`:link on`): every pane shows the active pane's window, level and inversion,
/// however they were set (keys, a drag, `:wl`, a preset).
func linkWindows(_ model: inout Model) {
  guard model.linkWindow, let v = model.viewer else { return }
  for i in model.panes.indices where i != model.activePane {
    if model.panes[i].window != v.window || model.panes[i].invert != v.invert || model.panes[i].voiSource != v.voiSource
    {
      model.panes[i].window = v.window
      model.panes[i].windowName = v.windowName
      model.panes[i].voiSource = v.voiSource
      model.panes[i].invert = v.invert
    }
  }
}

/// `:offset` keeps the pairing shown now (each other parallel pane's offset becomes the distance between
/// its slice and the active one's), `:offset MM` sets the other panes' offsets, `:offset clear` zeroes them.
func offsetCommand(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard model.panes.count > 1, let here = model.viewer?.currentPlane else {
    model.status = ":offset pairs the slices of two or more panes once they are drawn (:layout 1x2)"
    return []
  }
  var set = 0
  for i in model.panes.indices where i != model.activePane {
    switch words.first {
    case nil:
      guard let there = model.panes[i].currentPlane, there.isParallel(to: here) else { continue }
      model.panes[i].syncOffset = there.location - there.location(of: here.position)
    case "clear":
      model.panes[i].syncOffset = 0
    case let text?:
      guard words.count == 1, let mm = Double(text), mm.isFinite, abs(mm) <= 10_000 else {
        model.status = ":offset keeps the pairing shown; :offset MM sets it; :offset clear"
        return []
      }
      model.panes[i].syncOffset = mm
    }
    set += 1
  }
  let offsets = model.panes.indices.filter { $0 != model.activePane }.map { model.panes[$0].syncOffset }
  model.status =
    set == 0
    ? "no other pane lies parallel to this one: nothing to pair"
    : "panes paired with offset " + offsets.map { formatOffset($0) }.joined(separator: ", ")
  return []
}

/// An offset as the pane label shows it: "+12.5 mm".
func formatOffset(_ mm: Double) -> String {
  (mm >= 0 ? "+" : "") + String(format: "%.1f", mm) + " mm"
}

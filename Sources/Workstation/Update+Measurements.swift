import Archive

/// Measurements that last (split from the viewer's update): `m` or `r` pressed again keeps the distance
/// or rectangle drawn, filed under its image and frame; `:measurements` lists the study's with their
/// values, `:measurements export FILE` writes them as JSON, `:measurements clear` takes away those of the
/// frame shown. A series' kept measurements are drawn on their frames whenever it opens.

/// Keeps the measurement from `from` to `to` on the frame shown (once its picture says which image it is).
func keepMeasurement(
  _ model: inout Model, kind: KeptMeasurement.Kind, from: (x: Int, y: Int), to: (x: Int, y: Int)
) -> [Effect] {
  guard var v = model.viewer, let here = v.current, let uid = v.slice?.sopInstanceUID, v.slice?.describes == here
  else {
    model.status = "the slice is not drawn yet: measure again once it is"
    return []
  }
  let m = KeptMeasurement(
    sopInstanceUID: uid, frame: here.frame, kind: kind, from: .init(x: from.x, y: from.y), to: .init(x: to.x, y: to.y))
  v.kept[here, default: []].append(m)
  model.viewer = v
  let count = v.kept[here]?.count ?? 1
  model.status = "\(kind.rawValue) kept (\(count) on this image; :measurements lists the study's)"
  return [.keepMeasurement(m)]
}

/// `:measurements`, `:measurements export FILE`, `:measurements clear`.
func measurementsCommand(_ model: inout Model, _ words: [String]) -> [Effect] {
  guard var v = model.viewer else {
    model.status = ":measurements acts on the study in the viewer"
    return []
  }
  let study = v.study.studyInstanceUID
  switch words.first {
  case nil: return [.listMeasurements(studyInstanceUID: study)]
  case "export":
    guard words.count > 1 else {
      model.status = ":measurements export wants a file, e.g. :measurements export /tmp/measurements.json"
      return []
    }
    return [.exportMeasurements(studyInstanceUID: study, to: words.dropFirst().joined(separator: " "))]
  case "clear":
    guard let here = v.current, let uid = v.slice?.sopInstanceUID, let taken = v.kept[here], !taken.isEmpty else {
      model.status = "no measurement is kept on this image"
      return []
    }
    v.kept[here] = nil
    model.viewer = v
    model.status = "\(taken.count) measurement\(taken.count == 1 ? "" : "s") taken away from this image"
    return [.removeMeasurements(sopInstanceUID: uid, frame: here.frame)]
  default:
    model.status = ":measurements lists them; :measurements export FILE writes JSON; :measurements clear"
    return []
  }
}

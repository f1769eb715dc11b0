import Archive
import Audit

extension Runtime {
  /// A prior (any other local study) in pane `pane`: the series most like the active pane's, opened level
  /// with it when both stacks lie in the same plane, with its key images and kept measurements.
  func openBeside(_ pane: Int, study uid: String, model: Model) throws -> [Msg] {
    var query = StudyQuery()
    query.studyInstanceUID = uid
    guard let study = try query.run(on: archive).first else { return [.failed("the study is not in the archive")] }
    let candidates = try archive.series(studyInstanceUID: uid).filter {
      $0.instanceCount > 0 && $0.modality != "KO" && $0.modality != "PR"
    }
    let active = model.viewer
    let likeness = { (s: LocalArchive.SeriesSummary) -> (Int, Int, Int) in
      (
        s.modality == active?.series.modality ? 1 : 0,
        s.description.caseInsensitiveCompare(active?.series.description ?? "") == .orderedSame ? 1 : 0,
        s.instanceCount
      )
    }
    guard let series = candidates.max(by: { likeness($0) < likeness($1) }) else {
      return [.failed("the study has no images to compare")]
    }
    let instances = try instances(series: series.seriesInstanceUID)
    guard !instances.isEmpty else { return [.failed("the study has no images to compare")] }
    var viewer = Self.viewer(study, series, instances)
    viewer.studySeries = candidates
    viewer.presentationStates = presentationStates(studyInstanceUID: uid, seriesInstanceUID: series.seriesInstanceUID)
    // Level with the slice read when both stacks are of one plane (AX beside AX): by place, else by fraction.
    if let active, let here = active.currentPlane,
      active.stacks[active.stackIndex].plane == viewer.stacks[viewer.stackIndex].plane,
      let nearest = nearestSlice(viewer, to: here.location)
    {
      viewer.index = nearest
    } else if let active, active.slices.count > 1 {
      viewer.index = min(viewer.slices.count - 1, active.index * viewer.slices.count / active.slices.count)
    }
    record(AuditEvent(action: .view, source: "workstation", studies: [uid], objects: instances.count))
    let date = study.studyDate.isEmpty ? study.description : study.studyDate
    return [
      .paneFilled(pane, viewer), try keyImagesLoaded(uid), try measurementsLoaded(series.seriesInstanceUID),
      .notice(
        "the study of \(date) beside, series \(series.seriesNumber.map(String.init) ?? "-") \(series.description)"),
    ]
  }
}

/// The study list and the series list (split from Update.swift by screen): what Enter does on each, for
/// a local study (its series), a remote one (retrieved in the background, opened as it arrives), a series
/// (the viewer) and a remote series (retrieved alone).

/// Keys on the study list: the selection moves; Enter opens the study, retrieving it first when remote.
func studyListAction(_ model: inout Model, _ action: Action, count: Int, page: Int) -> [Effect] {
  guard moveSelection(&model.studyIndex, count: model.studies.count, action, by: count, page: page),
    let study = model.selectedStudy
  else { return [] }
  // A remote study not yet here is retrieved (in the background); one already here opens.
  if model.isRemote && !model.localStudyUIDs.contains(study.studyInstanceUID) {
    if let job = model.jobs[study.studyInstanceUID], !job.finished {
      // Under way: open what is here, or as soon as the first image is.
      if job.completed > 0 { return [.loadSeries(studyInstanceUID: study.studyInstanceUID)] }
      model.openWhenArrived = study.studyInstanceUID
      model.status = "the study opens when its first image arrives"
      return []
    }
    model.openWhenArrived = study.studyInstanceUID
    model.jobs[study.studyInstanceUID] = JobProgress()
    model.status = "retrieving from \(model.source)"
    model.retrievingFrom[study.studyInstanceUID] = model.source
    return [.retrieve(node: model.source, studyInstanceUID: study.studyInstanceUID)]
  }
  return [.loadSeries(studyInstanceUID: study.studyInstanceUID)]
}

/// Keys on the series list: the selection moves; Enter opens the series, retrieving it first when remote.
func seriesListAction(_ model: inout Model, _ action: Action, count: Int, page: Int) -> [Effect] {
  guard moveSelection(&model.seriesIndex, count: model.series.count, action, by: count, page: page),
    let study = model.selectedStudy, let series = model.selectedSeries
  else { return [] }
  if model.seriesAreRemote {
    // A remote series: retrieved in the background; the study opens when its first image is here.
    let uid = study.studyInstanceUID
    if let job = model.jobs[uid], !job.finished {
      model.status = "a retrieval of this study is under way"
      return []
    }
    model.jobs[uid] = JobProgress()
    model.openWhenArrived = uid
    model.screen = .studies
    model.status = "retrieving series \(series.seriesNumber.map(String.init) ?? "") from \(model.source)"
    model.retrievingFrom[uid] = model.source
    return [.retrieve(node: model.source, studyInstanceUID: uid, seriesInstanceUID: series.seriesInstanceUID)]
  }
  return [.openSeries(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID)]
}

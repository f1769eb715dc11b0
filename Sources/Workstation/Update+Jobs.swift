/// The jobs screen (split from Update.swift by screen): every retrieval, send, media export and
/// de-identified copy with its progress and errors; `x` cancels the selected one, Enter resumes a send
/// that stopped before the end; `J` (`gj` in the vim keymap) opens it from any screen, Esc returns.

func jobsScreenAction(_ model: inout Model, _ action: Action, count: Int, page: Int) -> [Effect] {
  let rows = model.jobRows
  guard moveSelection(&model.jobIndex, count: rows.count, action, by: count, page: page),
    rows.indices.contains(model.jobIndex)
  else { return [] }
  let row = rows[model.jobIndex]
  guard case .background(let id) = row.source, row.resumable else {
    model.status = row.progress.finished ? "nothing to resume: the job ended" : "the job is under way"
    return []
  }
  model.status = "resuming job \(id)..."
  return [.resumeJob(id: id)]
}

/// `x` on the jobs screen: a retrieval aborted, a send stopped between its batches, and the rest of a send
/// that stopped before the end given up.
func cancelSelectedJob(_ model: inout Model) -> [Effect] {
  let rows = model.jobRows
  guard rows.indices.contains(model.jobIndex),
    !rows[model.jobIndex].progress.finished || rows[model.jobIndex].resumable
  else {
    model.status = "the job has ended already"
    return []
  }
  switch rows[model.jobIndex].source {
  case .retrieval(let uid):
    model.status = "cancelling the retrieval"
    return [.cancelRetrieve(studyInstanceUID: uid)]
  case .background(let id):
    guard rows[model.jobIndex].kind == BackgroundJob.Kind.send.rawValue else {
      model.status = "only retrievals and sends can be cancelled"
      return []
    }
    // A send stopped before the end is given up (it will not be offered again); a running one stops.
    model.status =
      rows[model.jobIndex].progress.finished
      ? "giving up the rest of the send" : "cancelling the send after its batch under way"
    return [.cancelJob(id: id)]
  }
}

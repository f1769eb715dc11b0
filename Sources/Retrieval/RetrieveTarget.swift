public import Archive
public import DICOM
public import DICOMNetwork

/// What to retrieve, at the level of the deepest UID given.
public struct RetrieveTarget: Sendable {
  public var study: String
  public var series: String?
  public var instance: String?
  public var patientId: String?
  public var root: ServiceClasses.Root = .study
  /// Ask for the study's first image on its own before the rest, so a reader sees it at once (the
  /// workstation opens a study while it arrives).
  public var firstImageFirst = false

  public init(
    study: String, series: String? = nil, instance: String? = nil, patientId: String? = nil,
    root: ServiceClasses.Root = .study
  ) {
    self.study = study
    self.series = series
    self.instance = instance
    self.patientId = patientId
    self.root = root
  }

  public func identifier() throws -> Dataset {
    let level: ServiceClasses.Level = instance != nil ? .image : series != nil ? .series : .study
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, level.rawValue)
    if let patientId { try ds.set(Tag.patientID, .LO, patientId) }
    try ds.set(.studyInstanceUID, .UI, study)
    if let series { try ds.set(Tag.seriesInstanceUID, .UI, series) }
    if let instance { try ds.set(Tag.sopInstanceUID, .UI, instance) }
    return ds
  }

  /// What to ask for: a C-FIND at image level lists the instances and their SOP classes; those already
  /// in the archive are left out (an interrupted retrieve resumes with the missing ones), asked for
  /// series by series with UID lists. When the peer does not answer the C-FIND, the whole target is
  /// asked for and the proposal covers every retrievable class.
  public func plan(from remote: any RemoteArchive, archive: LocalArchive, refetch: Bool) async throws
    -> RetrievalPlan
  {
    let whole = try identifier()
    // Nothing of the study here, no reader waiting on it, and a fetch that needs no classes: the listing
    // would skip nothing (a study's listing can take as long as its transfer on a fast link).
    if !firstImageFirst, !remote.fetchNeedsSOPClasses, (try? archive.series(studyInstanceUID: study))?.isEmpty == true {
      return RetrievalPlan(requests: [whole], storageClasses: [], present: 0, total: 0)
    }
    var query = whole
    try query.set(Tag.queryRetrieveLevel, .CS, "IMAGE")
    for tag in [Tag.sopClassUID, Tag.seriesInstanceUID, Tag.sopInstanceUID] where query.string(tag) == nil {
      query.set(Element(tag: tag, vr: .UI, bytes: []))
    }
    if firstImageFirst {
      for tag in [Tag.seriesNumber, Tag.instanceNumber] { query.set(Element(tag: tag, vr: .IS, bytes: [])) }
      // Where each slice lies, so a reader can be shown the whole stack before it has arrived.
      for tag in [Tag.imagePositionPatient, Tag.imageOrientationPatient] {
        query.set(Element(tag: tag, vr: .DS, bytes: []))
      }
      // And its size: a node's rendering of it is asked for at its own aspect.
      for tag in [Tag.rows, Tag.columns] { query.set(Element(tag: tag, vr: .US, bytes: [])) }
    }
    var found:
      [(series: String, instance: String, sopClass: String, order: (Int, Int), place: SlicePlace?, size: (Int, Int)?)] =
        []
    let answered =
      (try? await remote.find(root: root, identifier: query) { match in
        if let series = match.string(Tag.seriesInstanceUID), let instance = match.string(Tag.sopInstanceUID),
          UIDSyntax.isValid(series), UIDSyntax.isValid(instance)
        {
          // Series number, then instance number: the reading order (unknown ones last).
          let order = (match.int(Tag.seriesNumber) ?? Int.max, match.int(Tag.instanceNumber) ?? Int.max)
          let size = match.int(Tag.columns).flatMap { c in match.int(Tag.rows).map { (c, $0) } }
          found.append((series, instance, match.string(Tag.sopClassUID) ?? "", order, SlicePlace(match), size))
        }
        return .proceed
      })?.kind == .success
    let classes = Set(found.map(\.sopClass).filter(UIDSyntax.isValid)).sorted()
    guard answered, !found.isEmpty, !refetch else {
      return RetrievalPlan(requests: [whole], storageClasses: classes, present: 0, total: found.count)
    }
    let missingUIDs = Set(try archive.missing(sopInstanceUIDs: found.map(\.instance)))
    if missingUIDs.count == found.count && !firstImageFirst {
      return RetrievalPlan(requests: [whole], storageClasses: classes, present: 0, total: found.count)
    }
    var missing = found.filter { missingUIDs.contains($0.instance) }
    let pending = missing.map {
      PlannedInstance(
        series: $0.series, instance: $0.instance, seriesNumber: $0.order.0, instanceNumber: $0.order.1,
        sopClass: $0.sopClass, place: $0.place, columns: $0.size?.0, rows: $0.size?.1)
    }
    var requests: [Dataset] = []
    if firstImageFirst,
      let first = missing.min(by: { ($0.order.0, $0.order.1, $0.series) < ($1.order.0, $1.order.1, $1.series) })
    {
      requests.append(try imageRequest(series: first.series, instances: [first.instance]))
      missing.removeAll { $0.instance == first.instance }
    }
    for (series, items) in Dictionary(grouping: missing, by: \.series).sorted(by: { $0.key < $1.key }) {
      requests.append(try imageRequest(series: series, instances: items.map(\.instance)))
    }
    return RetrievalPlan(
      requests: requests, storageClasses: classes, present: found.count - missingUIDs.count, total: found.count,
      pending: pending)
  }

  /// An image-level request for some instances of one series of the target's study.
  func imageRequest(series: String, instances: [String]) throws -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, "IMAGE")
    if let patientId { try ds.set(Tag.patientID, .LO, patientId) }
    try ds.set(.studyInstanceUID, .UI, study)
    try ds.set(Tag.seriesInstanceUID, .UI, series)
    try ds.set(Tag.sopInstanceUID, .UI, instances)
    return ds
  }
}

/// The requests a retrieve will make, and what the archive already had.
public struct RetrievalPlan: Sendable {
  public var requests: [Dataset]
  public var storageClasses: [String]
  public var present: Int
  public var total: Int
  /// The instances to fetch one by one, when the query listed them (empty: the requests alone).
  public var pending: [PlannedInstance] = []

  /// What a command says before it starts, when part of the target was already here.
  public func announcement(_ verb: String) -> String? {
    present > 0 ? "\(verb): \(present) of \(total) instances already in the archive" : nil
  }
}

/// A retrieval recorded in the archive's queue while it runs, so a later look shows what happened.
struct RetrievalRecord {
  let archive: LocalArchive
  let id: Int64?

  init(archive: LocalArchive, node: String, target: RetrieveTarget) {
    self.archive = archive
    id = try? archive.enqueueRetrieval(node: node, studyInstanceUID: target.study, seriesInstanceUID: target.series)
  }

  func finish(_ outcome: RetrieveOutcome?) {
    guard let id else { return }
    let p = outcome?.progress ?? SubOperationProgress()
    try? archive.updateRetrieval(
      id, state: outcome?.isCompleteSuccess == true ? .done : .failed, completed: p.completed, failed: p.failed,
      remaining: p.remaining)
  }
}

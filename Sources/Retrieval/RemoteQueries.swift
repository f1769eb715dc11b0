public import Archive
public import DICOM
import DICOMNetwork

/// The study list and series list of a remote archive: C-FIND identifiers built as datasets from the
/// workstation's query (a typed `\` stays in its value), and matches read back into the archive's own
/// summaries, with every string stripped of control characters before it can reach a screen.
extension StudyQuery {
  /// The study-level identifier: each field the query sets matches, the list's columns come back.
  public func studyIdentifier() throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, ServiceClasses.Level.study.rawValue)
    let keys: [(Tag, VR, String?)] = [
      (Tag.patientName, .PN, patientName), (Tag.patientID, .LO, patientID),
      (Tag.issuerOfPatientID, .LO, issuerOfPatientID), (Tag.studyDate, .DA, studyDate),
      (Tag.studyTime, .TM, nil), (Tag.accessionNumber, .SH, accessionNumber),
      (Tag.studyDescription, .LO, studyDescription), (Tag.modalitiesInStudy, .CS, modality),
      (Tag.studyInstanceUID, .UI, nil), (Tag.numberOfStudyRelatedSeries, .IS, nil),
      (Tag.numberOfStudyRelatedInstances, .IS, nil),
    ]
    for (tag, vr, value) in keys {
      if let value, !value.isEmpty { try ds.set(tag, vr, value) } else { ds.set(Element(tag: tag, vr: vr, bytes: [])) }
    }
    return ds
  }
}

public enum RemoteQueries {
  /// The series-level identifier of one study.
  public static func seriesIdentifier(studyInstanceUID: String) throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, ServiceClasses.Level.series.rawValue)
    try ds.set(Tag.studyInstanceUID, .UI, studyInstanceUID)
    for (tag, vr) in [
      (Tag.seriesInstanceUID, VR.UI), (Tag.seriesNumber, .IS), (Tag.modality, .CS), (Tag.seriesDescription, .LO),
      (Tag.numberOfSeriesRelatedInstances, .IS),
    ] {
      ds.set(Element(tag: tag, vr: vr, bytes: []))
    }
    return ds
  }

  /// A match's string value without control characters ("" when absent): what reaches the screen.
  static func text(_ match: Dataset, _ tag: Tag) -> String { match.string(tag)?.strippingControlCharacters ?? "" }

  static func study(from match: Dataset) -> StudyQuery.Study? {
    let uid = text(match, Tag.studyInstanceUID)
    guard UIDSyntax.isValid(uid) else { return nil }
    var study = StudyQuery.Study(
      studyInstanceUID: uid, patientName: text(match, Tag.patientName), patientID: text(match, Tag.patientID),
      studyDate: text(match, Tag.studyDate), studyTime: text(match, Tag.studyTime),
      accessionNumber: text(match, Tag.accessionNumber), description: text(match, Tag.studyDescription),
      modalities: (match.strings(Tag.modalitiesInStudy) ?? []).map(\.strippingControlCharacters)
        .joined(separator: "\\"),
      seriesCount: match.int(Tag.numberOfStudyRelatedSeries) ?? 0,
      instanceCount: match.int(Tag.numberOfStudyRelatedInstances) ?? 0)
    study.issuerOfPatientID = text(match, Tag.issuerOfPatientID)
    return study
  }

  static func series(from match: Dataset) -> LocalArchive.SeriesSummary? {
    let uid = text(match, Tag.seriesInstanceUID)
    guard UIDSyntax.isValid(uid) else { return nil }
    return LocalArchive.SeriesSummary(
      seriesInstanceUID: uid, seriesNumber: match.int(Tag.seriesNumber), modality: text(match, Tag.modality),
      description: text(match, Tag.seriesDescription),
      instanceCount: match.int(Tag.numberOfSeriesRelatedInstances) ?? 0)
  }

  /// Matches kept at most for a list on screen.
  public static let maxListed = 5000
}

extension RemoteArchive {
  /// The studies that match, newest first.
  public func studies(matching query: StudyQuery) async throws -> [StudyQuery.Study] {
    var found: [StudyQuery.Study] = []
    _ = try await find(root: .study, identifier: try query.studyIdentifier()) { match in
      if let study = RemoteQueries.study(from: match) { found.append(study) }
      return found.count < RemoteQueries.maxListed ? .proceed : .cancel
    }
    return found.sorted { ($0.studyDate, $0.studyTime) > ($1.studyDate, $1.studyTime) }
  }

  /// The series of one study.
  public func series(ofStudy studyInstanceUID: String) async throws -> [LocalArchive.SeriesSummary] {
    var found: [LocalArchive.SeriesSummary] = []
    _ = try await find(
      root: .study, identifier: try RemoteQueries.seriesIdentifier(studyInstanceUID: studyInstanceUID)
    ) { match in
      if let series = RemoteQueries.series(from: match) { found.append(series) }
      return found.count < RemoteQueries.maxListed ? .proceed : .cancel
    }
    return found
  }
}

import GRDB

extension LocalArchive {
  /// One series of a study, for the workstation's series panel.
  public struct SeriesSummary: Sendable, Equatable {
    public var seriesInstanceUID: String
    public var seriesNumber: Int?
    public var modality: String
    public var description: String
    public var instanceCount: Int

    public init(
      seriesInstanceUID: String, seriesNumber: Int?, modality: String, description: String, instanceCount: Int
    ) {
      self.seriesInstanceUID = seriesInstanceUID
      self.seriesNumber = seriesNumber
      self.modality = modality
      self.description = description
      self.instanceCount = instanceCount
    }
  }

  /// The series of a study in series-number order.
  public func series(studyInstanceUID: String) throws(ArchiveError) -> [SeriesSummary] {
    do {
      return try index.database.read { db in
        try Row.fetchAll(
          db,
          sql: """
            SELECT series.seriesInstanceUID, series.seriesNumber, series.modality, series.description,
                   (SELECT COUNT(*) FROM instance WHERE instance.series = series.id) AS n
            FROM series JOIN study ON series.study = study.id
            WHERE study.studyInstanceUID = ?
            ORDER BY series.seriesNumber IS NULL, series.seriesNumber, series.seriesInstanceUID
            """, arguments: [studyInstanceUID]
        ).map {
          SeriesSummary(
            seriesInstanceUID: $0["seriesInstanceUID"], seriesNumber: $0["seriesNumber"], modality: $0["modality"],
            description: $0["description"], instanceCount: $0["n"])
        }
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }
}

import Foundation
import GRDB

/// A local study search with C-FIND's matching rules (PS3.4 C.2.2.2): `*` and `?` wildcards, date
/// ranges `FROM-TO`, `FROM-` and `-TO`; person names matched without regard to case (as Orthanc does by
/// default), other values exactly.
public struct StudyQuery: Sendable, Equatable {
  public var patientName: String?
  public var patientID: String?
  public var studyDate: String?
  public var modality: String?
  public var accessionNumber: String?
  public var studyDescription: String?
  /// Issuer of Patient ID: with a patient ID, studies of that issuer or of none (PS3.4 C.6.1.1.2.3: the
  /// same ID from another issuer is another patient).
  public var issuerOfPatientID: String?
  /// One study by its UID (matched exactly): how the workstation finds a prior it opens beside.
  public var studyInstanceUID: String?
  public var limit: Int?

  public init(
    patientName: String? = nil, patientID: String? = nil, studyDate: String? = nil, modality: String? = nil,
    accessionNumber: String? = nil, studyDescription: String? = nil, limit: Int? = nil
  ) {
    self.patientName = patientName
    self.patientID = patientID
    self.studyDate = studyDate
    self.modality = modality
    self.accessionNumber = accessionNumber
    self.studyDescription = studyDescription
    self.limit = limit
  }

  /// One line of the study list.
  public struct Study: Sendable, Equatable, Codable {
    public var studyInstanceUID, patientName, patientID, studyDate, studyTime, accessionNumber, description: String
    public var modalities: String
    public var seriesCount, instanceCount: Int
    /// Issuer of Patient ID ("" when the objects did not say).
    public var issuerOfPatientID: String

    public init(
      studyInstanceUID: String, patientName: String, patientID: String, studyDate: String, studyTime: String,
      accessionNumber: String, description: String, modalities: String, seriesCount: Int, instanceCount: Int,
      issuerOfPatientID: String = ""
    ) {
      self.issuerOfPatientID = issuerOfPatientID
      self.studyInstanceUID = studyInstanceUID
      self.patientName = patientName
      self.patientID = patientID
      self.studyDate = studyDate
      self.studyTime = studyTime
      self.accessionNumber = accessionNumber
      self.description = description
      self.modalities = modalities
      self.seriesCount = seriesCount
      self.instanceCount = instanceCount
    }
  }

  /// A C-FIND pattern as a GLOB pattern (case-sensitive; GLOB's own specials escaped).
  static func glob(_ pattern: String) -> String {
    var out = ""
    for ch in pattern {
      switch ch {
      case "*": out += "*"
      case "?": out += "?"
      case "[": out += "[[]"
      default: out.append(ch)
      }
    }
    return out
  }

  static func dateRange(_ text: String) throws(ArchiveError) -> (String?, String?) {
    func valid(_ d: Substring) -> Bool { d.count == 8 && d.allSatisfy(\.isNumber) }
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    switch parts.count {
    case 1 where valid(parts[0]): return (String(parts[0]), String(parts[0]))
    case 2
    where (parts[0].isEmpty || valid(parts[0])) && (parts[1].isEmpty || valid(parts[1]))
      && !(parts[0].isEmpty && parts[1].isEmpty):
      return (parts[0].isEmpty ? nil : String(parts[0]), parts[1].isEmpty ? nil : String(parts[1]))
    default:
      throw ArchiveError.invalidQuery("date '\(text)': use YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD")
    }
  }

  public func run(on archive: LocalArchive) throws(ArchiveError) -> [Study] {
    var conditions: [String] = []
    var arguments: [any DatabaseValueConvertible] = []
    func match(_ column: String, _ value: String?) {
      guard let value, !value.isEmpty, value != "*" else { return }
      conditions.append("\(column) GLOB ?")
      arguments.append(Self.glob(value))
    }
    if let name = patientName, !name.isEmpty, name != "*" {
      conditions.append("patient.nameKey GLOB ?")
      arguments.append(Self.glob(name.uppercased()))
    }
    match("patient.patientID", patientID)
    if let issuer = issuerOfPatientID, !issuer.isEmpty {
      conditions.append("(study.issuerOfPatientID = ? OR study.issuerOfPatientID = '')")
      arguments.append(issuer)
    }
    if let uid = studyInstanceUID {
      conditions.append("study.studyInstanceUID = ?")
      arguments.append(uid)
    }
    match("study.accessionNumber", accessionNumber)
    match("study.description", studyDescription)
    if let date = studyDate, !date.isEmpty {
      let (from, to) = try Self.dateRange(date)
      if let from {
        conditions.append("study.studyDate >= ?")
        arguments.append(from)
      }
      if let to {
        conditions.append("study.studyDate <= ?")
        arguments.append(to)
      }
    }
    if let modality, !modality.isEmpty, modality != "*" {
      conditions.append("EXISTS (SELECT 1 FROM series m WHERE m.study = study.id AND m.modality GLOB ?)")
      arguments.append(Self.glob(modality))
    }
    let sql = """
      SELECT study.studyInstanceUID, patient.name, patient.patientID, study.studyDate, study.studyTime,
             study.accessionNumber, study.description,
             (SELECT group_concat(modality, '\\') FROM (SELECT DISTINCT modality FROM series s WHERE s.study = study.id
                                                         ORDER BY modality)) AS modalities,
             (SELECT count(*) FROM series s WHERE s.study = study.id) AS seriesCount,
             (SELECT count(*) FROM instance i JOIN series s ON s.id = i.series WHERE s.study = study.id) AS instanceCount,
             study.issuerOfPatientID
      FROM study JOIN patient ON patient.id = study.patient
      \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
      ORDER BY study.studyDate DESC, study.studyTime DESC, study.id DESC
      \(limit.map { "LIMIT \($0)" } ?? "")
      """
    do {
      return try archive.index.database.read { db in
        try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
          var study = Study(
            studyInstanceUID: row[0], patientName: row[1], patientID: row[2], studyDate: row[3], studyTime: row[4],
            accessionNumber: row[5], description: row[6], modalities: row[7] ?? "", seriesCount: row[8],
            instanceCount: row[9])
          study.issuerOfPatientID = row[10]
          return study
        }
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }
}

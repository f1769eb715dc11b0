public import Archive
import Foundation

/// The study search form: one text field per C-FIND key a reader searches by. Empty fields match all.
public struct SearchForm: Sendable, Equatable {
  public enum Field: Int, Sendable, CaseIterable {
    case patientName, patientID, date, modality, accession, description

    public var label: String {
      switch self {
      case .patientName: "Patient name"
      case .patientID: "Patient ID"
      case .date: "Date"
      case .modality: "Modality"
      case .accession: "Accession"
      case .description: "Description"
      }
    }

    /// What the field takes, shown beside it.
    public var hint: String {
      switch self {
      case .patientName: "DOE* or DOE^J?N*; a name without * matches as a prefix"
      case .patientID: "exact, or with * and ?"
      case .date: "today, yesterday, 7d, 30d, 20260101-20260131, -20251231"
      case .modality: "CT, MR, US, ..."
      case .accession: "exact, or with * and ?"
      case .description: "a word without * or ? matches anywhere in it (case matters)"
      }
    }
  }

  /// The fields that hold a patient's identity, masked behind the privacy screen.
  static let identifying: Set<Field> = [.patientName, .patientID, .accession]

  public var values: [String] = Array(repeating: "", count: Field.allCases.count)
  public var focus: Field = .patientName

  public init() {}

  /// The form showing what `query` asks now, so a search is refined rather than typed again.
  public init(_ query: StudyQuery) {
    values[Field.patientName.rawValue] = query.patientName ?? ""
    values[Field.patientID.rawValue] = query.patientID ?? ""
    values[Field.date.rawValue] = query.studyDate ?? ""
    values[Field.modality.rawValue] = query.modality ?? ""
    values[Field.accession.rawValue] = query.accessionNumber ?? ""
    values[Field.description.rawValue] = query.studyDescription ?? ""
  }

  public subscript(field: Field) -> String {
    get { values[field.rawValue] }
    set { values[field.rawValue] = newValue }
  }

  public mutating func move(by step: Int) {
    let all = Field.allCases
    focus = all[(focus.rawValue + step + all.count) % all.count]
  }

  /// The study query the fields ask for; date shortcuts are read against `today` (YYYYMMDD).
  public func query(today: String) -> StudyQuery {
    func value(_ field: Field) -> String? {
      let text = self[field].trimmingCharacters(in: .whitespaces)
      return text.isEmpty ? nil : text
    }
    var query = StudyQuery()
    query.patientName = value(.patientName).map(Self.namePattern)
    query.patientID = value(.patientID)
    query.studyDate = value(.date).map { dateRange($0, today: today) }
    query.modality = value(.modality)?.uppercased()
    query.accessionNumber = value(.accession)
    query.studyDescription = value(.description).map { Self.hasWildcard($0) ? $0 : "*" + $0 + "*" }
    return query
  }

  static func hasWildcard(_ text: String) -> Bool { text.contains("*") || text.contains("?") }

  /// A typed name as a C-FIND pattern: as typed with a wildcard in it, else a prefix (`DOE` -> `DOE*`).
  static func namePattern(_ text: String) -> String { hasWildcard(text) ? text : text + "*" }
}

/// Studies and C-FIND keys that exercise matching (wildcards, single-character wildcards, exact names,
/// date ranges open at either end, IDs and accession numbers): the archive's local queries are held to
/// dcmqrscp's answers with them, DICOMweb searches to Orthanc's C-FIND answers.
public enum QueryMatchingTable {
  /// Study number, patient name, study date, accession number; the patient ID is "ID" + the number.
  public static let people: [(Int, String, String, String)] = [
    (1, "DOE^JANE", "20260110", "ACC1"), (2, "DOE^JOHN", "20260201", "ACC2"), (3, "SMITH^ANNA", "20251231", "X3"),
    (4, "JONES^JOHN", "20260131", "ACC4"), (5, "DOE^J", "20250615", "ACC5"),
  ]

  /// Queries as findscu keys.
  public static let queries: [(String, String)] = [
    ("PatientName", "DOE*"), ("PatientName", "*JO?N*"), ("PatientName", "DOE^J"), ("StudyDate", "20260101-20260131"),
    ("StudyDate", "-20251231"), ("StudyDate", "20260201-"), ("PatientID", "ID1"), ("PatientID", "ID*"),
    ("AccessionNumber", "ACC*"), ("AccessionNumber", "X?"),
  ]
}

public import Archive

/// Who a history is of: a Patient ID and its issuer (the same ID from another issuer is another patient).
public struct PatientKey: Sendable, Hashable {
  public var patientID: String
  public var issuer: String

  public init(patientID: String, issuer: String = "") {
    self.patientID = patientID
    self.issuer = issuer
  }

  public init(_ study: StudyQuery.Study) {
    self.init(patientID: study.patientID, issuer: study.issuerOfPatientID)
  }

  /// Whether a study found by ID is this patient's: the same ID, and the same issuer unless either
  /// does not say (PS3.4 C.6.1.1.2.3: an empty issuer matches any).
  public func owns(_ study: StudyQuery.Study) -> Bool {
    study.patientID == patientID
      && (issuer.isEmpty || study.issuerOfPatientID.isEmpty || study.issuerOfPatientID == issuer)
  }

  /// The query that finds the patient's studies here or on a node.
  public var query: StudyQuery {
    var q = StudyQuery(patientID: patientID)
    q.issuerOfPatientID = issuer.isEmpty ? nil : issuer
    return q
  }
}

/// One study of the patient's history: where it is (here, on which nodes).
public struct HistoryEntry: Sendable, Equatable {
  public var study: StudyQuery.Study
  public var isLocal: Bool
  /// The configured nodes that answered with it, in the order they answered.
  public var nodes: [String]

  public init(study: StudyQuery.Study, isLocal: Bool, nodes: [String] = []) {
    self.study = study
    self.isLocal = isLocal
    self.nodes = nodes
  }

  /// Where it is, as the history says: "local", "local PACS", "PACS ARCHIVE".
  public var whereHeld: String { ((isLocal ? ["local"] : []) + nodes).joined(separator: " ") }
}

/// The patient history: every study of the patient of the study read, from the archive and every node,
/// newest first; merged as the answers come.
public enum PatientHistory {
  /// A history with one source's answer merged in (`node` nil: the archive's).
  public static func merged(_ history: [HistoryEntry], _ studies: [StudyQuery.Study], of key: PatientKey, node: String?)
    -> [HistoryEntry]
  {
    var out = history
    for study in studies where key.owns(study) {
      if let i = out.firstIndex(where: { $0.study.studyInstanceUID == study.studyInstanceUID }) {
        if let node {
          if !out[i].nodes.contains(node) { out[i].nodes.append(node) }
        } else {
          out[i].isLocal = true
          out[i].study = study  // the archive's counts are of what is here
        }
      } else {
        out.append(HistoryEntry(study: study, isLocal: node == nil, nodes: node.map { [$0] } ?? []))
      }
    }
    return out.sorted {
      ($0.study.studyDate, $0.study.studyTime, $0.study.studyInstanceUID)
        > ($1.study.studyDate, $1.study.studyTime, $1.study.studyInstanceUID)
    }
  }
}

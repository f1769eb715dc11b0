public import Foundation

/// What an audit record says happened: who (user, host, peer), what (action, studies, how many objects)
/// and when, shaped after IHE ATNA's audit messages (DICOM PS3.15 A.5: EventID, EventActionCode,
/// EventOutcomeIndicator, ActiveParticipant, ParticipantObject). Never a patient's name or ID: studies
/// are named by their Study Instance UID, as ATNA's participant objects are.
public struct AuditEvent: Codable, Sendable, Equatable {
  public enum Action: String, Codable, Sendable, CaseIterable {
    case query, retrieve, receive, view, export, `import`, anonymize, send, delete

    /// The ATNA event (DCM code and meaning) this action is reported as.
    public var eventID: String {
      switch self {
      case .query: "110112 Query"
      case .retrieve, .receive, .send: "110104 DICOM Instances Transferred"
      case .view, .delete: "110103 DICOM Instances Accessed"
      case .export, .anonymize: "110106 Export"
      case .import: "110107 Import"
      }
    }

    /// ATNA's EventActionCode: C create, R read, U update, D delete, E execute.
    public var actionCode: String {
      switch self {
      case .receive, .import: "C"
      case .retrieve, .view, .send, .export, .anonymize: "R"
      case .delete: "D"
      case .query: "E"
      }
    }
  }

  /// ATNA's EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure.
  public enum Outcome: Int, Codable, Sendable { case success = 0, minorFailure = 4, seriousFailure = 8 }

  /// The other end: a node's AE title and, when known, its address.
  public struct Peer: Codable, Sendable, Equatable {
    public var aeTitle: String
    public var address: String?
    public init(aeTitle: String, address: String? = nil) {
      self.aeTitle = aeTitle
      self.address = address
    }
  }

  public var time: String
  public var action: Action
  public var eventID: String
  public var actionCode: String
  public var outcome: Outcome
  public var user: String
  public var host: String
  /// The program that did it: "workstation", "listen", "import"...
  public var source: String
  public var peer: Peer?
  public var studies: [String]
  /// Objects involved, when counted.
  public var objects: Int?
  /// What went wrong, or a word more; never patient data.
  public var detail: String?

  public init(
    action: Action, outcome: Outcome = .success, source: String, peer: Peer? = nil, studies: [String] = [],
    objects: Int? = nil, detail: String? = nil, at date: Date = Date(), user: String = AuditEvent.currentUser,
    host: String = AuditEvent.currentHost
  ) {
    self.time = AuditEvent.timestamp(date)
    self.action = action
    self.eventID = action.eventID
    self.actionCode = action.actionCode
    self.outcome = outcome
    self.user = user
    self.host = host
    self.source = source
    self.peer = peer
    self.studies = studies
    self.objects = objects
    self.detail = detail
  }

  /// UTC to the millisecond, as RFC 5424 and ATNA want it: 2026-11-26T18:30:00.123Z.
  public static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
  }

  public static var currentUser: String {
    ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
  }

  public static var currentHost: String { ProcessInfo.processInfo.hostName }
}

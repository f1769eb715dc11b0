import Archive
import ArgumentParser
import Audit
import DICOM
import Foundation

/// `biloba audit`: the archive's audit trail, filtered.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit", abstract: "List the audit trail: who queried, retrieved, received, viewed or deleted what.",
    discussion: """
      Records come from ARCHIVE/audit.jsonl, oldest first: time (UTC), action, outcome, user@host, the \
      program, the peer, the studies (by Study Instance UID) and the objects counted. The file is \
      append-only JSON lines, one record each, shaped after IHE ATNA's audit messages.
      """)

  @OptionGroup var archive: ArchiveOptions

  @Option(
    name: .long, help: "Only this action: query, retrieve, receive, view, export, import, anonymize, send, delete.")
  var action: String?

  @Option(name: .long, help: "Only records about this Study Instance UID.")
  var study: String?

  @Option(name: .long, help: "Only records from this day on (YYYYMMDD or YYYY-MM-DD, UTC).")
  var since: String?

  @Flag(name: .long, help: "Print the records as JSON lines.")
  var json = false

  func validate() throws {
    if let action, AuditEvent.Action(rawValue: action) == nil {
      throw ValidationError(
        "--action wants one of " + AuditEvent.Action.allCases.map(\.rawValue).joined(separator: ", "))
    }
    if let since, Self.day(since) == nil { throw ValidationError("--since wants a day as YYYYMMDD or YYYY-MM-DD") }
  }

  /// "2026-11-26" from "20261126" or "2026-11-26"; nil for anything else.
  static func day(_ text: String) -> String? {
    let digits = text.filter(\.isNumber)
    guard digits.count == 8, text.count == 8 || text.count == 10 else { return nil }
    let d = Array(digits)
    return String(d[0..<4]) + "-" + String(d[4..<6]) + "-" + String(d[6..<8])
  }

  func run() throws {
    let log = AuditLog(path: AuditTrail.path(archiveRoot: archive.root(AuditTrail.settings(nil))))
    let from = since.flatMap(Self.day)
    let unreadable = try { () throws(AuditLog.Failure) in try log.forEach(show) }()
    if unreadable > 0 { StandardError.line("biloba audit: \(unreadable) damaged line(s) skipped in \(log.path)") }
    /// Prints one record, when the filters take it.
    func show(_ event: AuditEvent) {
      guard
        (action.map { event.action.rawValue == $0 } ?? true) && (study.map { event.studies.contains($0) } ?? true)
          && (from.map { event.time >= $0 } ?? true)
      else { return }
      if json {
        StandardOutput.line(TextSafety.json(String(decoding: AuditLog.line(event).dropLast(), as: UTF8.self)))
      } else {
        let peer = event.peer.map { "  peer \($0.aeTitle)" + ($0.address.map { "@\($0)" } ?? "") } ?? ""
        let objects = event.objects.map { "  \($0) objects" } ?? ""
        let studies = event.studies.isEmpty ? "" : "  study " + event.studies.joined(separator: ",")
        let detail = event.detail.map { "  (\($0))" } ?? ""
        StandardOutput.line(
          "\(event.time)  \(event.action.rawValue)  \(event.outcome == .success ? "ok" : "FAILED")  \(event.user)@\(event.host)  \(event.source)\(peer)\(studies)\(objects)\(detail)"
        )
      }
    }
  }
}

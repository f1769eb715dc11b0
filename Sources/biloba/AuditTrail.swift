import Archive
import Audit

/// Where the commands keep their audit records: `audit.jsonl` in the archive folder, unless the
/// configuration turns the trail off. A record that cannot be kept is said on stderr; the action it
/// records has already happened and is not undone.
enum AuditTrail {
  /// The configuration as the trail reads it: a file that does not read leaves the trail on, its
  /// default (the command's own use of the file reports what is wrong with it).
  static func settings(_ config: BilobaConfig?) -> BilobaConfig {
    config ?? (try? BilobaConfig.load(path: nil)) ?? .empty
  }

  /// Where an archive's trail is: beside its index.
  static func path(archiveRoot: String) -> String { archiveRoot + "/audit.jsonl" }

  /// The trail of the archive at `archiveRoot`, unless the configuration turns it off.
  static func log(_ config: BilobaConfig? = nil, archiveRoot: String) -> AuditLog? {
    let config = settings(config)
    guard config.auditEnabled else { return nil }
    return AuditLog(
      path: path(archiveRoot: archiveRoot),
      forwarder: config.audit?.syslog.flatMap { SyslogForwarder(url: $0, ca: config.audit?.syslog_ca) })
  }

  /// The trail of the archive the configuration names (else the default one), for commands that act
  /// on files rather than on an archive of their choosing (`send`, `export`).
  static func defaultLog(_ config: BilobaConfig? = nil) -> AuditLog? {
    let config = settings(config)
    return log(config, archiveRoot: config.archiveRoot)
  }

  /// Records an event of a command that is about to end: it waits for the syslog server's turn too.
  static func record(_ event: AuditEvent, in log: AuditLog?) {
    do { try log?.record(event) } catch { StandardError.line("biloba: warning: audit record not kept: \(error)") }
    log?.waitForForwarding()
  }
}

import Archive
import Audit

/// Where the commands keep their audit records: `audit.jsonl` in the archive folder, unless the
/// configuration turns the trail off. A record that cannot be kept is said on stderr; the action it
/// records has already happened and is not undone.
enum AuditTrail {
  /// The trail of the archive at `archiveRoot`; without `config`, the default file's (a file that does
  /// not read leaves the trail on, its default).
  static func log(_ config: BilobaConfig? = nil, archiveRoot: String) -> AuditLog? {
    let config = config ?? (try? BilobaConfig.load(path: nil)) ?? .empty
    guard config.auditEnabled else { return nil }
    return AuditLog(
      path: archiveRoot + "/audit.jsonl", forwarder: config.audit?.syslog.flatMap { SyslogForwarder(url: $0) })
  }

  /// The trail of the archive the configuration names (else the default one), for commands that act
  /// on files rather than on an archive of their choosing (`send`, `export`).
  static func defaultLog(_ config: BilobaConfig? = nil) -> AuditLog? {
    let config = config ?? (try? BilobaConfig.load(path: nil)) ?? .empty
    return log(config, archiveRoot: config.workstation?.archive ?? FileStore.defaultRoot())
  }

  static func record(_ event: AuditEvent, in log: AuditLog?) {
    do { try log?.record(event) } catch { StandardError.line("biloba: warning: audit record not kept: \(error)") }
  }
}

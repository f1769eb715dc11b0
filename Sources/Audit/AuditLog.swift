import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// The audit trail: an append-only file of JSON lines (0600, in a 0700 folder), each record written
/// whole with one `write` on a descriptor opened with O_APPEND and synced before `record` returns, so a
/// crash keeps every record made before it; each also goes to a syslog server when one is configured.
public final class AuditLog: Sendable {
  public let path: String
  public let forwarder: SyslogForwarder?

  /// Why a record could not be kept.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  public init(path: String, forwarder: SyslogForwarder? = nil) {
    self.path = path
    self.forwarder = forwarder
  }

  /// The line a record takes: its JSON, keys sorted, every string through JSON's escaping.
  public static func line(_ event: AuditEvent) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array((try? encoder.encode(event)) ?? Data("{}".utf8)) + [0x0A]
  }

  /// Appends one record, synced to disk, then forwards it. A record that cannot be kept throws: the
  /// caller says so (an audit trail that fails silently is no audit trail).
  public func record(_ event: AuditEvent) throws(Failure) {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
      try? FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let failure = SystemIO.writeAll(fd, Self.line(event))
    guard failure == 0, fsync(fd) == 0 else {
      throw Failure(description: "\(path): \(String(cString: strerror(failure != 0 ? failure : errno)))")
    }
    forwarder?.send(event)
  }

  /// The records of the file, oldest first; a line that does not read (a disk that failed mid-write)
  /// is counted, not fatal.
  public func read() throws(Failure) -> (events: [AuditEvent], unreadable: Int) {
    guard FileManager.default.fileExists(atPath: path) else { return ([], 0) }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw Failure(description: "\(path): \(error.localizedDescription)")
    }
    var events: [AuditEvent] = []
    var unreadable = 0
    let decoder = JSONDecoder()
    for line in data.split(separator: 0x0A) where !line.isEmpty {
      if let event = try? decoder.decode(AuditEvent.self, from: Data(line)) {
        events.append(event)
      } else {
        unreadable += 1
      }
    }
    return (events, unreadable)
  }
}

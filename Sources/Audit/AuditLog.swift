import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// The audit trail: an append-only file of JSON lines (0600, in a 0700 folder), each record written
/// whole with one `write` on a descriptor opened with O_APPEND and synced before `record` returns, so a
/// crash keeps every record made before it; each then goes to a syslog server, when one is configured,
/// in the background.
public final class AuditLog: Sendable {
  public let path: String
  public let forwarder: SyslogForwarder?
  /// Records go to the syslog server one after another, off the caller's thread: a server that is slow
  /// or down never holds the workstation's keys or an association's release.
  private let forwarding = DispatchQueue(label: "biloba.audit.syslog")

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
    _ = SystemIO.makeParentFolders(of: path)  // if it failed, the open below says why
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let failure = SystemIO.writeAll(fd, Self.line(event))
    guard failure == 0, fsync(fd) == 0 else {
      throw Failure(description: "\(path): \(String(cString: strerror(failure != 0 ? failure : errno)))")
    }
    if let forwarder { forwarding.async { forwarder.send(event) } }
  }

  /// Waits until every record made so far has been offered to the syslog server (a command about to
  /// exit calls it; each offer takes at most the forwarder's timeout).
  public func waitForForwarding() { forwarding.sync {} }

  /// The longest line read as a record; a longer one (not written by us) is counted as unreadable.
  static let maxLineBytes = 64 << 10

  /// Calls `body` with each record of the file, oldest first, reading it a block at a time (a trail of
  /// years is not held in memory). A line that does not read (a disk that failed mid-write, a line not
  /// ours) is counted, not fatal; the count is returned.
  @discardableResult
  public func forEach(_ body: (AuditEvent) -> Void) throws(Failure) -> Int {
    let fd: Int32
    switch SystemIO.openRegularFile(path) {
    case .success(let opened): fd = opened
    case .failure(.openFailed(ENOENT)): return 0
    case .failure(let reason): throw Failure(description: "\(path): \(reason)")
    }
    defer { close(fd) }
    let decoder = JSONDecoder()
    var unreadable = 0
    var line: [UInt8] = []
    var overlong = false
    func finish() {
      defer { (line, overlong) = ([], false) }
      guard overlong || !line.isEmpty else { return }
      if !overlong, let event = try? decoder.decode(AuditEvent.self, from: Data(line)) {
        body(event)
      } else {
        unreadable += 1
      }
    }
    var block = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
      if n == 0 { break }
      for byte in block[..<n] {
        if byte == 0x0A {
          finish()
        } else if line.count < Self.maxLineBytes {
          line.append(byte)
        } else {
          overlong = true
        }
      }
    }
    finish()
    return unreadable
  }

  /// Every record of the file, oldest first, and how many lines did not read.
  public func read() throws(Failure) -> (events: [AuditEvent], unreadable: Int) {
    var events: [AuditEvent] = []
    let unreadable = try forEach { events.append($0) }
    return (events, unreadable)
  }
}

import Foundation
import TerminalGraphics

#if canImport(Glibc)
  import Glibc
#endif

/// The controlling terminal, when there is one, and what it can do.
enum TerminalSession {
  /// Probes /dev/tty; without a terminal, capabilities come from the environment alone.
  static func capabilities(timeoutMilliseconds: Int = 500) -> TerminalCapabilities {
    let environment = ProcessInfo.processInfo.environment
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return TerminalCapabilities(environment: environment) }
    defer { close(fd) }
    return TerminalProbe.probe(fd: fd, timeoutMilliseconds: timeoutMilliseconds, environment: environment)
  }

  /// The link to the controlling terminal, measured (inside tmux with passthrough allowed, the link to
  /// the outer terminal, the one pictures cross); nil without a terminal.
  static func link(inTmux: Bool) -> LinkEstimate? {
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return LinkProbe.measure(fd: fd, passthrough: inTmux && TmuxPassthrough.isAllowed())
  }

  static func writeStandardOutput(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
  }
}

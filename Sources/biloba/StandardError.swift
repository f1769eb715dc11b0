import DICOM
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Messages for the user on stderr, one line each (stdout stays for data). Every line passes the one
/// text-safety rule: a file's or a peer's text can never put an escape sequence on the terminal.
enum StandardError {
  static func line(_ text: String) {
    SystemIO.writeAll(2, Array((TextSafety.lines(text) + "\n").utf8))
  }

  /// Rewrites the current line on a terminal (progress): our own control sequence, then the safe text.
  static func rewrite(_ text: String) {
    SystemIO.writeAll(2, Array(("\r\u{1B}[K" + TextSafety.text(text)).utf8))
  }

  /// Clears the line `rewrite` wrote.
  static func clearLine() { SystemIO.writeAll(2, Array("\r\u{1B}[K".utf8)) }
}

/// Data for stdout, under the same rule (JSON is escaped before it gets here, so nothing of it changes).
enum StandardOutput {
  /// Written unbuffered, for output that must appear as it is produced.
  static func write(_ text: String) {
    // A reader that went away (`biloba dump | head`): stop quietly, as a filter does.
    if SystemIO.writeAll(1, Array(TextSafety.lines(text).utf8)) == EPIPE { exit(0) }
  }

  static func line(_ text: String) { write(text + "\n") }
}

import Foundation

/// Messages for the user on stderr, one line each (stdout stays for data).
enum StandardError {
  static func line(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}

/// Data for stdout written unbuffered, for output that must appear as it is produced.
enum StandardOutput {
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}

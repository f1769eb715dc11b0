import Foundation

/// Messages for the user on stderr, one line each (stdout stays for data).
enum StandardError {
  static func line(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}

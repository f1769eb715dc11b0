import Foundation

#if canImport(Glibc)
  import Glibc
#endif
import Spawn
import TestSupport

/// A private X display (Xvfb) with one terminal window running a shell script, and screenshots of it.
final class XvfbSession: @unchecked Sendable {
  let display: String
  private let server: ChildProcess
  private var clients: [ChildProcess] = []

  struct Failure: Error, CustomStringConvertible { let description: String }

  init() throws {
    for tool in ["Xvfb", "xterm", "import"] where !ProcessRunner.isInstalled(tool) {
      throw Failure(description: "\(tool) is needed (apt-get install xvfb xterm imagemagick)")
    }
    var chosen: Int? = nil
    for _ in 0..<20 {
      let n = Int.random(in: 100...899)
      if !FileManager.default.fileExists(atPath: "/tmp/.X\(n)-lock") {
        chosen = n
        break
      }
    }
    guard let n = chosen else { throw Failure(description: "no free X display number") }
    display = ":\(n)"
    server = try ChildProcess(["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
    let socket = "/tmp/.X11-unix/X\(n)"
    let deadline = Date().addingTimeInterval(10)
    while !FileManager.default.fileExists(atPath: socket) {
      guard Date() < deadline, server.isRunning else { throw Failure(description: "Xvfb did not start") }
      usleep(50_000)
    }
  }

  /// Starts xterm with `arguments` running `script` in sh.
  func xterm(_ arguments: [String], script: String) throws {
    var environment = ProcessInfo.processInfo.environment
    environment["DISPLAY"] = display
    environment.removeValue(forKey: "TMUX")
    environment.removeValue(forKey: "COLORTERM")
    let p = try ChildProcess(["xterm"] + arguments + ["-e", "sh", "-c", script], environment: environment)
    clients.append(p)
  }

  /// Waits for a file the script creates when it is done drawing.
  static func waitFor(_ path: String, seconds: Double = 20) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if FileManager.default.fileExists(atPath: path) { return true }
      usleep(100_000)
    }
    return false
  }

  /// The whole screen as 8-bit gray (luma), from ImageMagick's `import`.
  func screenshot(to path: String) throws -> (width: Int, height: Int, gray: [UInt8]) {
    let out = try ProcessRunner.run("import", ["-display", display, "-window", "root", "-depth", "8", path])
    guard out.status == 0 else { throw Failure(description: "import: \(out.stderr)") }
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    // Binary PPM: "P6\nW H\n255\n" then RGB.
    var fields: [String] = []
    var i = 0
    while fields.count < 4 {
      while data[i] == 0x20 || data[i] == 0x0A { i += 1 }
      var token = ""
      while data[i] != 0x20 && data[i] != 0x0A {
        token.append(Character(UnicodeScalar(data[i])))
        i += 1
      }
      fields.append(token)
    }
    i += 1
    let w = Int(fields[1])!
    let h = Int(fields[2])!
    var gray = [UInt8](repeating: 0, count: w * h)
    for k in 0..<(w * h) {
      let r = Int(data[i + 3 * k])
      let g = Int(data[i + 3 * k + 1])
      let b = Int(data[i + 3 * k + 2])
      gray[k] = UInt8((r * 299 + g * 587 + b * 114) / 1000)
    }
    return (w, h, gray)
  }

  deinit {
    for c in clients {
      c.send(SIGKILL)
      c.wait()
    }
    server.send(SIGKILL)
    server.wait()
  }
}

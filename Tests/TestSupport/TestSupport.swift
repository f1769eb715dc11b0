public import Foundation

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
  public let path: String

  public init() throws {
    path = NSTemporaryDirectory() + "biloba-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// What a finished process printed.
public struct ProcessOutput: Sendable {
  public let status: Int32
  public let stdout: String
  public let stderr: String
}

public enum ProcessRunner {
  /// Runs a program found on PATH with arguments and waits for it.
  public static func run(_ program: String, _ arguments: [String], input: Data? = nil) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let input {
      let inPipe = Pipe()
      process.standardInput = inPipe
      try process.run()
      inPipe.fileHandleForWriting.write(input)
      try inPipe.fileHandleForWriting.close()
    } else {
      process.standardInput = FileHandle.nullDevice
      try process.run()
    }
    // Read both pipes before waiting so a chatty child cannot block on a full pipe.
    let errData = LockedData()
    let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    errThread.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return ProcessOutput(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData.value, as: UTF8.self))
  }

  public static func isInstalled(_ program: String) -> Bool {
    (try? run("which", [program]).status) == 0
  }
}

final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  private var done = false
  func set(_ d: Data) {
    lock.withLock {
      data = d; done = true
    }
  }
  var isSet: Bool { lock.withLock { done } }
  var value: Data { lock.withLock { data } }
}

/// The built `biloba` executable: beside the test runner in the build products directory.
public enum BuiltProducts {
  public struct Missing: Error, CustomStringConvertible {
    public let description = "the biloba executable is not built (swift build)"
  }

  public static func biloba() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let path = candidate.appendingPathComponent("biloba").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let fallback = root.appendingPathComponent(".build/debug/biloba").path
    guard FileManager.default.isExecutableFile(atPath: fallback) else { throw Missing() }
    return fallback
  }
}

/// Runs a shell script that starts network peers, in a private network namespace when the machine
/// allows it (`unshare -n`, loopback up), so that nothing it opens is reachable from elsewhere.
public enum IsolatedNetwork {
  public static func run(_ script: String) throws -> ProcessOutput {
    let isolated = try ProcessRunner.run(
      "unshare", ["-n", "sh", "-c", "ip link set lo up && echo '#isolated' && " + script])
    if isolated.stdout.hasPrefix("#isolated") { return isolated }
    return try ProcessRunner.run("sh", ["-c", script])
  }

  /// A port for a peer: any port works inside a namespace; outside, one from a wide random range.
  public static func port() -> Int { Int.random(in: 20000...60000) }
}

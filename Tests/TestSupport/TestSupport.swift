public import Foundation
import Spawn

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
  /// Runs a program found on PATH with arguments and waits for it (through `ChildProcess`: Foundation's
  /// `Process` can miss a child's exit and wait forever).
  public static func run(
    _ program: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil
  ) throws -> ProcessOutput {
    let run = try ChildProcess.run([program] + arguments, input: input.map { [UInt8]($0) }, environment: environment)
    return ProcessOutput(
      status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self),
      stderr: String(decoding: run.stderr, as: UTF8.self))
  }

  public static func isInstalled(_ program: String) -> Bool {
    (try? run("which", [program]).status) == 0
  }
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

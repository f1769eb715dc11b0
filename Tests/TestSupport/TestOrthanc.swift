import Foundation
import Spawn

#if canImport(Glibc)
  import Glibc
#endif

/// Orthanc started by a test on loopback (its configuration keeps remote access off), ready once its
/// REST API answers; stopped when the test ends.
public final class TestOrthanc: Sendable {
  let process: ChildProcess

  /// Starts Orthanc with the configuration file `config`, its REST API on `httpPort`; nil when it does
  /// not answer within ten seconds.
  public init?(config: String, httpPort: Int) async throws {
    process = try ChildProcess(["Orthanc", config])
    for _ in 0..<100 {
      if (try? ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(httpPort)/system"]))?.status == 0 { return }
      try await Task.sleep(for: .milliseconds(100))
    }
    stop()
    return nil
  }

  public func stop() {
    process.send(SIGTERM)
    _ = process.wait()
  }
}

import Foundation
import TestSupport
import Testing

/// `biloba anonymize` as a user runs it: the key it makes, what it says, what it leaves on disk, and
/// the audit record it keeps.
@Suite struct AnonymizeCommandTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  static func environment(_ dir: TemporaryDirectory) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["XDG_DATA_HOME"] = dir.file("data")
    env["XDG_CONFIG_HOME"] = dir.file("config")
    return env
  }

  @Test func the_samples_are_written_under_pseudonyms_with_a_private_key_and_one_audit_record() throws {
    let dir = try TemporaryDirectory()
    let out = try ProcessRunner.run(
      try BuiltProducts.biloba(), ["anonymize", Self.root + "/Samples/ct-head", "-o", dir.file("out")],
      environment: Self.environment(dir))
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stdout.contains("objects de-identified (1 studies, 1 patients)"), "\(out.stdout)")
    let key = dir.file("data/biloba/deidentification.key")
    let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let keyText = try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    let files = try FileManager.default.subpathsOfDirectory(atPath: dir.file("out")).filter { $0.hasSuffix(".dcm") }
    #expect(!files.isEmpty && files.allSatisfy { $0.hasPrefix("ANON-") && !$0.contains("PHANTOM") })
    for file in files {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("out/" + file)))
      let text = String(decoding: bytes, as: UTF8.self)
      #expect(!text.contains("PHANTOM") && !text.contains("BILOBA-0001") && !text.contains(keyText), "\(file)")
    }
    let audit = try String(contentsOfFile: dir.file("data/biloba/audit.jsonl"), encoding: .utf8)
    let records = audit.split(separator: "\n").filter { $0.contains("\"anonymize\"") }
    #expect(records.count == 1 && records[0].contains("\"objects\":\(files.count)"), "\(audit)")
  }

  @Test func a_read_only_output_folder_is_said_and_nothing_is_left() throws {
    let dir = try TemporaryDirectory()
    let target = dir.file("readonly")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let b = try BuiltProducts.biloba()
    let command = "'\(b)' anonymize '\(Self.root)/Samples/ct-head' -o '\(target)/out'"
    // Root writes through file modes: a read-only mount in a private mount namespace stops it.
    let out =
      getuid() == 0
      ? try ProcessRunner.run(
        "unshare", ["-m", "sh", "-c", "mount -t tmpfs -o ro tmpfs '\(target)' && " + command],
        environment: Self.environment(dir))
      : try {
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: target)
        return try ProcessRunner.run("sh", ["-c", command], environment: Self.environment(dir))
      }()
    #expect(out.status == 1)
    #expect(
      out.stderr.contains("nothing written: cannot write to") && out.stderr.contains("Read-only file system")
        || out.stderr.contains("Permission denied"), "\(out.stderr)")
    #expect((try? FileManager.default.contentsOfDirectory(atPath: target))?.isEmpty ?? true)
  }

  @Test func a_bad_blank_region_is_a_usage_error_naming_the_option() throws {
    let dir = try TemporaryDirectory()
    let out = try ProcessRunner.run(
      try BuiltProducts.biloba(),
      ["anonymize", Self.root + "/Samples/ct-head", "-o", dir.file("out"), "--blank", "1,2,-3,4"],
      environment: Self.environment(dir))
    #expect(out.status == 1 && out.stderr.contains("--blank takes x,y,w,h"), "\(out.stderr)")
  }
}

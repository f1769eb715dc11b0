import Foundation
import TestSupport
import Testing

@testable import biloba

/// What a new user meets first: the version, a mistyped subcommand, the configuration file written for
/// them, and the doctor's verdicts against a live Orthanc and a closed port.
@Suite(.serialized) struct FirstContactTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (ProcessOutput, Int32) {
    let output = try ProcessRunner.run(
      try BuiltProducts.biloba(), arguments,
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    return (output, output.status)
  }

  @Test func version_names_the_release_of_the_changelog_and_the_commit_built_from() throws {
    let (out, status) = try run(["--version"])
    #expect(status == 0)
    let line = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(line.hasPrefix("biloba \(bilobaVersion) (commit "), "\(line)")
    let changelog = try String(contentsOfFile: Self.root + "/CHANGELOG.md", encoding: .utf8)
    let latest = changelog.split(separator: "\n").first { $0.hasPrefix("## ") }
    #expect(
      latest?.hasPrefix("## \(bilobaVersion) ") == true, "CHANGELOG's newest release is the version: \(latest ?? "")")
    // Built from this checkout: the commit is git's own, a dirty tree marked as such.
    let head = try ProcessRunner.run("git", ["-C", Self.root, "rev-parse", "HEAD"]).stdout
    guard !head.isEmpty else { return }
    let commit = line.split(separator: " ").last?.dropLast().replacingOccurrences(of: "-dirty", with: "") ?? ""
    #expect(commit.count >= 12 && head.hasPrefix(commit), "\(commit) is HEAD \(head)")
  }

  @Test func a_first_argument_that_is_no_subcommand_and_no_path_is_an_error_naming_the_subcommands() throws {
    let (out, status) = try run(["anonymise", "--help"])
    #expect(status == 1)
    #expect(out.stderr.contains("anonymise is neither a subcommand nor a file or folder"), "\(out.stderr)")
    #expect(out.stderr.contains("dump") && out.stderr.contains("doctor") && out.stderr.contains("open"))
    #expect(!out.stdout.contains("The workstation"), "the workstation's help is not printed for it")
    // A subcommand and `help` still work; an existing path still opens (here: fails for want of a terminal).
    #expect(try run(["help", "doctor"]).0.stdout.contains("biloba doctor"))
    let dir = try TemporaryDirectory()
    let (opened, _) = try run([dir.path, "--archive", dir.file("archive")])
    #expect(opened.stderr.contains("needs a terminal"), "\(opened.stderr)")
  }

  @Test func config_init_writes_every_key_at_its_default_and_never_overwrites() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("cfg/biloba/config.toml")
    let (out, status) = try run(["config", "init", "--config", path])
    #expect(status == 0, "\(out.stderr)")
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    // It reads back as the defaults, through the program's own reader (with its checks)...
    let written = try BilobaConfig.load(path: path)
    let none = BilobaConfig.empty
    #expect(written.aeTitle == none.aeTitle && written.listenPort == none.listenPort)
    #expect(written.listenBind == none.listenBind && written.moveBind == none.moveBind)
    #expect(written.maxAssociations == none.maxAssociations && written.maxPDU == none.maxPDU)
    #expect(written.maxObjectSize == none.maxObjectSize)
    #expect(written.graphics == none.graphics && written.keymap == none.keymap && written.privacy == none.privacy)
    #expect(written.auditEnabled == none.auditEnabled && written.audit?.syslog == nil)
    #expect(written.workstation?.archive == nil && written.workstation?.budget == nil && written.nodes == nil)
    // ...and through Python's tomllib, a second TOML reader.
    let python = try ProcessRunner.run(
      "python3", ["-c", "import tomllib,sys,json; print(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))", path])
    #expect(python.status == 0, "\(python.stderr)")
    #expect(python.stdout.contains("\"listen_port\": \(BilobaConfig.Defaults.listenPort)"), "\(python.stdout)")
    // Every key the reader knows is in the file, set or commented with its meaning.
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let keys =
      Mirror(reflecting: BilobaConfig.Network()).children.compactMap(\.label)
      + Mirror(reflecting: BilobaConfig.WorkstationSettings()).children.compactMap(\.label)
      + Mirror(reflecting: BilobaConfig.Node(host: "", port: 0, aet: "")).children.compactMap(\.label)
      + Mirror(reflecting: BilobaConfig.AuditSettings()).children.compactMap(\.label)
    for key in keys {
      #expect(text.contains("\n\(key) = ") || text.contains("\n# \(key) = "), "\(key) is in the file")
    }
    // Never over an existing file.
    let again = try run(["config", "init", "--config", path])
    #expect(again.1 == 1 && again.0.stderr.contains("exists"), "\(again.0.stderr)")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    // Where no file can be made: a clear error, and nothing left behind beside it.
    let blocked = try run(["config", "init", "--config", path + "/inside.toml"])
    #expect(blocked.1 == 1 && blocked.0.stderr.contains(path), "\(blocked.0.stderr)")
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.file("cfg/biloba"))
    #expect(left == ["config.toml"], "no temporary file: \(left)")
  }

  @Test func doctor_says_which_node_answers_and_which_does_not_and_what_is_wrong_with_the_archive() throws {
    for tool in ["Orthanc", "curl"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install orthanc curl)")
      return
    }
    let dir = try TemporaryDirectory()
    let d = dir.path
    let (http, dicom, closed) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1, IsolatedNetwork.port() + 2)
    try """
    { "Name": "biloba-doctor", "StorageDirectory": "\(d)/orthanc-storage", "IndexDirectory": "\(d)/orthanc-index",
      "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
      "AuthenticationEnabled": false, "Plugins": [] }
    """.write(toFile: dir.file("orthanc.json"), atomically: true, encoding: .utf8)
    try """
    [nodes.orthanc]
    host = "127.0.0.1"
    port = \(dicom)
    aet = "ORTHANC"

    [nodes.closed]
    host = "127.0.0.1"
    port = \(closed)
    aet = "NOBODY"
    """.write(toFile: dir.file("config.toml"), atomically: true, encoding: .utf8)
    let b = "'\(try BuiltProducts.biloba())'"
    let script = """
      cd '\(d)'
      Orthanc orthanc.json > orthanc.log 2>&1 & opid=$!
      for i in $(seq 100); do curl -sf http://127.0.0.1:\(http)/system >/dev/null && break; sleep 0.1; done
      mkdir -m 700 archive
      \(b) import --archive archive '\(Self.root)/Samples/ct-head' > /dev/null
      \(b) doctor --no-terminal --config config.toml --archive archive > doctor.out 2>&1; echo $? > doctor.status
      chmod 755 archive
      \(b) doctor --no-terminal --config config.toml --archive archive > open.out 2>&1; echo $? > open.status
      kill $opid
      wait
      true
      """
    _ = try IsolatedNetwork.run(script)
    let out = (try? String(contentsOfFile: dir.file("doctor.out"), encoding: .utf8)) ?? ""
    let lines = out.split(separator: "\n").map(String.init)
    let orthanc = lines.first { $0.contains("node orthanc:") } ?? ""
    #expect(orthanc.hasPrefix("ok ") && orthanc.contains("answered C-ECHO in ") && orthanc.hasSuffix(" ms"), "\(out)")
    let refused = lines.first { $0.contains("node closed:") } ?? ""
    #expect(refused.hasPrefix("PROBLEM") && refused.contains("did not answer C-ECHO"), "\(out)")
    #expect(
      refused.contains("cannot connect to 127.0.0.1:\(closed): connection refused: nothing listens"), "\(refused)")
    #expect(lines.contains { $0.hasPrefix("ok ") && $0.contains("config.toml read") }, "\(out)")
    #expect(lines.contains { $0.hasPrefix("ok ") && $0.contains("1 studies") && $0.contains("index sound") }, "\(out)")
    #expect(lines.contains { $0.hasPrefix("ok ") && $0.contains("free on its disk") }, "\(out)")
    #expect(
      lines.contains { $0.hasPrefix("ok ") && $0.contains("audit.jsonl: 1 records") }, "the import's record: \(out)")
    #expect(lines.last == "1 problem found", "\(out)")
    #expect((try? String(contentsOfFile: dir.file("doctor.status"), encoding: .utf8))?.hasPrefix("1") == true)
    // An archive open to other users is a problem, said with the fix.
    let open = (try? String(contentsOfFile: dir.file("open.out"), encoding: .utf8)) ?? ""
    #expect(open.contains("PROBLEM archive:") && open.contains("chmod 700"), "\(open)")
    #expect(open.contains("2 problems found"), "\(open)")
  }

  @Test func doctor_in_a_terminal_says_how_images_will_be_drawn_and_measures_the_link() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    let tmux = ["-L", "biloba-doctor-\(UInt32.random(in: 0...UInt32.max))"]
    _ = try ProcessRunner.run(
      "tmux",
      tmux + [
        "new-session", "-d", "-x", "200", "-y", "20",
        "XDG_CONFIG_HOME='\(dir.file("cfg"))' '\(try BuiltProducts.biloba())' doctor --archive '\(dir.file("a"))'; sleep 30",
      ])
    defer { _ = try? ProcessRunner.run("tmux", tmux + ["kill-server"]) }
    var screen = ""
    for _ in 0..<50 where !screen.contains("problem found") {
      Thread.sleep(forTimeInterval: 0.1)
      screen = try ProcessRunner.run("tmux", tmux + ["capture-pane", "-p"]).stdout
    }
    // tmux without passthrough draws in blocks: said as a note, with what to do for full pictures.
    #expect(
      screen.contains("note    terminal: tmux") && screen.contains("images drawn with blocks (inside tmux)"),
      "\(screen)")
    #expect(screen.contains("allow-passthrough"), "\(screen)")
    #expect(screen.contains("terminal: link: round trip"), "\(screen)")
    #expect(screen.contains("no problem found"), "\(screen)")
  }

  @Test func doctor_with_nothing_set_up_has_no_problem_and_creates_nothing() throws {
    let dir = try TemporaryDirectory()
    let (out, status) = try run(
      ["doctor", "--no-terminal", "--archive", dir.file("none")], environment: ["XDG_CONFIG_HOME": dir.file("cfg")])
    #expect(status == 0, "\(out.stdout)")
    #expect(out.stdout.contains("defaults in effect") && out.stdout.contains("does not exist yet"), "\(out.stdout)")
    #expect(out.stdout.contains("none configured"))
    #expect(!FileManager.default.fileExists(atPath: dir.file("none")), "the doctor only looks")
  }
}

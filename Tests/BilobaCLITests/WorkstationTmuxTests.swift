import Foundation
import Spawn
import TestSupport
import Testing
import Workstation

/// The workstation driven as a person would, in tmux: keys in with `send-keys`, the screen read back with
/// `capture-pane`, on an archive holding the bundled samples.
@Suite(.serialized) struct WorkstationTmuxTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  final class Session {
    let name = "biloba-test-\(UInt32.random(in: 0...UInt32.max))"

    init(_ command: String, columns: Int = 100, rows: Int = 30) throws {
      // Not through pipes: the tmux server this may start would keep them open, and a reader waiting
      // for their end would wait forever.
      // A few tries: the shared tmux server may be exiting as its last session (another test's) ends,
      // and a client that reaches it then is refused (CI saw one such start fail).
      for attempt in 1...3 {
        let tmux = try ChildProcess([
          "tmux", "new-session", "-d", "-s", name, "-x", String(columns), "-y", String(rows), command,
        ])
        let ended = tmux.wait()
        if ended == .exited(0) { return }
        guard attempt < 3 else { throw StartFailure(description: "tmux new-session ended \(ended) three times") }
        usleep(300_000)
      }
    }

    struct StartFailure: Error, CustomStringConvertible { let description: String }

    func keys(_ keys: String...) throws { _ = try ProcessRunner.run("tmux", ["send-keys", "-t", name] + keys) }

    /// A mouse report as a terminal sends it in X10 encoding (what tmux's terminal type declares):
    /// button 0 pressed, moved with it held (32), released (3), at 0-based cells.
    func mouse(_ button: Int, x: Int, y: Int) throws {
      let bytes = [0x1B, 0x5B, 0x4D, 32 + button, 33 + x, 33 + y]
      _ = try ProcessRunner.run("tmux", ["send-keys", "-t", name, "-H"] + bytes.map { String($0, radix: 16) })
    }

    func screen() throws -> String { try ProcessRunner.run("tmux", ["capture-pane", "-p", "-t", name]).stdout }

    /// Waits until the screen shows `text` (or 5 s pass) and returns the screen.
    @discardableResult
    func wait(for text: String) throws -> String {
      try wait(text) { $0.contains(text) }
    }

    /// Waits until `shown` holds for the screen (or 5 s pass) and returns the screen.
    @discardableResult
    func wait(_ what: String, until shown: (String) -> Bool) throws -> String {
      var last = ""
      for _ in 0..<100 {
        last = try screen()
        if shown(last) { return last }
        usleep(50_000)
      }
      Issue.record("the screen never showed \(what):\n\(last)")
      return last
    }

    var isRunning: Bool { (try? ProcessRunner.run("tmux", ["has-session", "-t", name]).status) == 0 }

    deinit { _ = try? ProcessRunner.run("tmux", ["kill-session", "-t", name]) }
  }

  /// Whether tmux is here to drive the workstation; its absence is a recorded issue, not a pass.
  func tmuxIsInstalled() -> Bool {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return false
    }
    return true
  }

  /// The workstation on a new archive of `folders` (imported in turn), opened on its first study's first
  /// series: the way the multi-frame, stack and presentation-state tests start.
  static func openFirstSeries(
    importing folders: [String], in dir: TemporaryDirectory, graphics: String = "ascii", columns: Int = 140,
    rows: Int = 30
  ) throws -> Session {
    let b = try BuiltProducts.biloba()
    for folder in folders {
      let imported = try ProcessRunner.run(b, ["import", folder, "--archive", dir.file("archive")])
      try #require(imported.status == 0, "\(imported.stderr)")
    }
    // exec: the pane's process is the workstation itself (its memory can be read).
    let session = try Session(
      "XDG_CONFIG_HOME='\(dir.file("config"))' XDG_DATA_HOME='\(dir.file("data"))' exec '\(b)' --archive '\(dir.file("archive"))' --graphics \(graphics)",
      columns: columns, rows: rows)
    try session.wait(for: "PHANTOM")
    try session.keys("Enter")
    try session.wait("the series list", until: { $0.contains("#") })
    try session.keys("Enter")
    return session
  }

  func archiveWithSamples() throws -> (TemporaryDirectory, String) {
    let dir = try TemporaryDirectory()
    let archive = dir.file("archive")
    let out = try ProcessRunner.run(
      try BuiltProducts.biloba(), ["import", Self.root + "/Samples", "--archive", archive])
    #expect(out.status == 0, "\(out.stderr)")
    return (dir, archive)
  }

  @Test func the_study_list_opens_a_series_and_the_viewer_scrolls_and_windows_from_the_keyboard() throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics blocks")
    let list = try session.wait(for: "PHANTOM, HEAD")
    #expect(list.contains("Müller, Jürgen"))
    #expect(list.contains("Yamada, Tarou"))
    try session.keys("End")
    try session.keys("Enter")
    // The series screen: the list, and under it each series' thumbnail above its label (the picture
    // follows the text, which is drawn first).
    func thumbnail(_ screen: String) -> Bool {
      let series = screen.split(separator: "\n", omittingEmptySubsequences: false)
      guard let label = series.firstIndex(where: { $0.hasPrefix(">#1 AXIAL 2.5MM") }) else { return false }
      return series[max(0, label - 6)..<label].map { $0.prefix(16) }.joined().contains { "▀▄█".contains($0) }
    }
    try session.wait("a thumbnail in half blocks above the label", until: thumbnail)
    try session.keys("Enter")
    try session.wait(for: "Im 1/24")
    try session.keys("Down", "Down", "Down")
    try session.wait(for: "Im 4/24")
    try session.keys("Right")
    try session.wait(for: "W 440 L 40")
    // Dragging with the button held: 5 cells right widens by 5 x 440/40, 4 cells up lowers the level
    // by 4 x 495/40.
    try session.mouse(0, x: 30, y: 12)
    try session.mouse(32, x: 35, y: 12)
    try session.wait(for: "W 495 L 40")
    try session.mouse(32, x: 35, y: 8)
    try session.mouse(3, x: 35, y: 8)
    try session.wait(for: "W 495 L -9.5")
    try session.keys("2")
    let lung = try session.wait(for: "W 1500 L -600 (lung)")
    #expect(lung.contains("PHANTOM, HEAD"))
    try session.keys("t")
    try session.wait(for: "Tags of slice 4")
    try session.keys("/", "slicelocation", "Enter")
    try session.wait(for: "(0020,1041) DS [-22.5]")
    try session.keys("Escape")
    try session.wait(for: "Im 4/24")
    try session.keys("?")
    try session.wait(for: "Keys of the viewer screen")
    try session.keys("x")
    try session.wait(for: "Im 4/24")
    try session.keys("Escape")
    try session.wait(for: "AXIAL 2.5MM")
    try session.keys("q")
    for _ in 0..<40 where session.isRunning { usleep(50_000) }
    #expect(!session.isRunning, "q quits")
  }

  @Test func vim_keys_search_and_the_command_line_work_in_a_small_terminal() throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics ascii --keymap vim",
      columns: 80, rows: 24)
    try session.wait(for: "PHANTOM, HEAD")
    try session.keys("/", "phan", "Enter")
    let found = try session.wait(for: "1 study")
    #expect(!found.contains("Müller"))
    try session.keys("l")
    try session.wait(for: "AXIAL 2.5MM")
    try session.keys("l")
    try session.wait(for: "Im 1/24")
    try session.keys("1", "5", "j")
    try session.wait(for: "Im 16/24")
    try session.keys("G")
    try session.wait(for: "Im 24/24")
    try session.keys("g", "g")
    try session.wait(for: "Im 1/24")
    try session.keys("p")
    #expect(try session.screen().contains("10 GRAYS"), "ASCII's ramp is marked as reduced gray levels")
    let probed = try session.wait(for: "Probe 128,128: ")
    #expect(probed.contains(" HU"), "the probe reads CT values in HU")
    try session.keys("L", "L")
    try session.wait(for: "Probe 136,128: ")
    // A distance from there: 16 pixels right at 240/256 mm each.
    try session.keys("m", "4", "L")
    try session.wait(for: "Dist 15.0 mm")
    // A rectangle one column wide and 17 rows high.
    try session.keys("r", "4", "J")
    let roi = try session.wait(for: "(n 17)")
    #expect(roi.contains("ROI mean") && roi.contains(" HU area 14.9 mm2"), "\(roi)")
    try session.keys("=")
    try session.wait(for: "Zoom 1:1")
    try session.keys("f")
    try session.wait(for: "Zoom 100%")
    try session.keys("p")
    try session.keys("c")
    try session.wait(for: "Cine 10/s")
    usleep(600_000)
    #expect(!(try session.screen()).contains("Im 1/24"), "cine moves on by itself")
    try session.keys("c")
    try session.keys(":", "wl 80 35", "Enter")
    try session.wait(for: "W 80 L 35")
    try session.keys(":", "q", "Enter")
    for _ in 0..<40 where session.isRunning { usleep(50_000) }
    #expect(!session.isRunning)
  }

  /// Every screen line the help shows, paged through with PageDown until it shows no new line.
  func helpLines(_ session: Session) throws -> [String] {
    var seen: [String] = []
    var last = ""
    for _ in 0..<10 {
      let screen = try session.screen()
      if screen == last { break }
      last = screen
      seen += screen.split(separator: "\n").map(String.init)
      // A help that fits says so and returns on any key: nothing more to page through.
      guard screen.split(separator: "\n").first?.contains("scroll") == true else { break }
      try session.keys("PageDown")
      usleep(150_000)
    }
    return seen
  }

  @Test(arguments: [(80, 24), (160, 48)])
  func the_help_screen_shows_every_key_name_whole(size: (columns: Int, rows: Int)) throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics ascii",
      columns: size.columns, rows: size.rows)
    try session.wait(for: "PHANTOM, HEAD")
    try session.keys("End", "Enter")
    try session.wait(for: "AXIAL 2.5MM")
    try session.keys("Enter")
    try session.wait(for: "Im 1/24")
    try session.keys("?")
    try session.wait(for: "Keys of the viewer screen")
    let lines = try helpLines(session).map { " " + $0 + " " }
    let keymap = try Keymap.shipped("default", searching: [Self.root])
    for entry in keymap.help(for: .viewer) {
      #expect(lines.contains { $0.contains(" \(entry.keys) ") }, "\(entry.keys) whole at \(size)")
      let last = entry.summary.split(separator: " ").last.map(String.init) ?? ""
      #expect(lines.contains { $0.contains(" \(last) ") }, "the end of '\(entry.summary)' at \(size)")
    }
    // Any other key returns to the viewer.
    try session.keys("x")
    try session.wait(for: "Im 1/24")
    try session.keys("q")
  }

  @Test func behind_the_privacy_screen_no_name_id_birth_date_or_accession_shows_on_any_screen() throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    // What must not show: every sample patient's family name (each character set), IDs, accession
    // numbers, and the phantom's birth date, as `studies --json` and the file give them.
    let json = try ProcessRunner.run(try BuiltProducts.biloba(), ["studies", "--archive", archive, "--json"]).stdout
    let studies = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    var secrets = Set(["19700101"])
    for study in studies {
      for key in ["patientID", "accessionNumber"] { if let v = study[key] as? String, !v.isEmpty { secrets.insert(v) } }
      // As the screens would show it, "Family, Given" (the alphabetic group), and as the file holds it.
      if let name = study["patientName"] as? String {
        let parts = (name.split(separator: "=").first ?? "").split(separator: "^").map(String.init)
        secrets.insert(parts.prefix(2).joined(separator: ", "))
        secrets.insert(parts.prefix(2).joined(separator: "^"))
      }
    }
    #expect(secrets.contains("BILOBA-0001") && secrets.contains("Müller, Jürgen"), "\(secrets)")
    try FileManager.default.createDirectory(atPath: dir.file("biloba"), withIntermediateDirectories: true)
    try "[workstation]\nprivacy = true\n".write(
      toFile: dir.file("biloba/config.toml"), atomically: true, encoding: .utf8)
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics ascii",
      columns: 120, rows: 40)
    var screens = [try session.wait(for: "PRIVACY")]
    try session.keys("End", "Enter")
    screens.append(try session.wait(for: "AXIAL 2.5MM"))
    try session.keys("Enter")
    screens.append(try session.wait(for: "Im 1/24"))
    try session.keys("t")
    // The patient's name line, not the title alone: a capture between the two showed no masked value.
    screens.append(try session.wait(for: "(0010,0010)"))
    for _ in 0..<3 {
      try session.keys("PageDown")
      usleep(100_000)
      screens.append(try session.screen())
    }
    #expect(screens.joined().contains("[***]"), "the tag browser shows masked values")
    for (i, screen) in screens.enumerated() {
      for secret in secrets { #expect(!screen.contains(secret), "\(secret) on screen \(i):\n\(screen)") }
    }
    // F12 lifts it: the same screens show the patient again.
    try session.keys("Escape")
    try session.wait(for: "Im 1/24")
    try session.keys("F12")
    let open = try session.wait(for: "PHANTOM, HEAD")
    #expect(open.contains("BILOBA-0001"))
    try session.keys("q")
  }

  @Test func an_empty_archive_opens_on_how_to_import_and_add_a_node() throws {
    guard tmuxIsInstalled() else { return }
    let dir = try TemporaryDirectory()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(dir.file("empty"))' --graphics ascii",
      columns: 80, rows: 24)
    let screen = try session.wait(for: "holds no study yet")
    #expect(
      screen.contains("biloba import PATH") && screen.contains("[nodes.pacs]") && screen.contains("biloba doctor"))
    #expect(!screen.contains("Patient"), "no empty table: \(screen)")
    try session.keys("q")
  }

  @Test func the_search_form_finds_studies_by_several_keys_at_once() throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics ascii")
    try session.wait(for: "Yamada, Tarou")
    try session.keys("s")
    try session.wait(for: "> Patient name")
    try session.keys("y", "a", "m", "Tab", "Tab", "Tab", "o", "t")
    try session.wait(for: "> Modality      ot_")
    try session.keys("Enter")
    let found = try session.wait(for: "name yam*  modality OT")
    #expect(found.contains("Yamada, Tarou") && !found.contains("Müller"), "\(found)")
    // The form opens with the search in effect: refine it to nothing, then to the phantom.
    try session.keys("s", "Tab", "Tab", "Tab", "C-u", "C", "T", "Enter")
    try session.wait(for: "no study matches")
    try session.keys("s", "C-u", "P", "H", "A", "N", "Enter")
    let named = try session.wait(for: "PHANTOM, HEAD")
    #expect(!named.contains("Yamada") && !named.contains("Müller"), "\(named)")
    try session.keys("q")
  }

  @Test func biloba_with_a_path_imports_it_and_opens_its_one_series_in_the_viewer() throws {
    guard tmuxIsInstalled() else { return }
    let dir = try TemporaryDirectory()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(dir.file("archive"))'"
        + " --graphics ascii '\(Self.root)/Samples/ct-head'")
    let screen = try session.wait(for: "Im 1/24")
    #expect(screen.contains("PHANTOM, HEAD"))
    try session.keys("Escape")
    try session.wait(for: ">#1 AXIAL 2.5MM")
    try session.keys("q")
  }

  @Test func a_300_by_100_terminal_gets_the_list_and_the_viewer_laid_out_to_its_size() throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics blocks",
      columns: 300, rows: 100)
    try session.wait(for: "PHANTOM, HEAD")
    try session.keys("End")
    try session.keys("Enter")
    try session.wait(for: "AXIAL 2.5MM")
    try session.keys("Enter")
    let screen = try session.wait(for: "Im 1/24")
    let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
    // The corner text sits at the bottom of a 100-row screen, the study's description at the top right.
    #expect(lines.firstIndex { $0.contains("Im 1/24") } == 96, "\(lines.count) lines")
    #expect(lines.first?.hasSuffix("CT HEAD PHANTOM  20260115") == true)
    // 2x2: four panes, each with its label; the panes scroll together.
    try session.keys("|", "|")
    try session.wait(for: "*Se 1 AXIAL 2.5MM  1/24")
    try session.keys("Down")
    let grid = try session.wait(for: "*Se 1 AXIAL 2.5MM  2/24")
    let labels = grid.split(separator: "\n").filter { $0.contains("Se ") && $0.contains("/") }
    #expect(labels.count == 2 && labels.allSatisfy { $0.components(separatedBy: "Se ").count == 3 }, "\(grid)")
    #expect(labels.joined().components(separatedBy: "2.5MM  2/24").count == 3, "the two CT panes moved together")
    try session.keys("q")
  }

  @Test func the_shipped_keymaps_are_found_from_any_working_folder() throws {
    guard tmuxIsInstalled() else { return }
    let (dir, archive) = try archiveWithSamples()
    let session = try Session(
      "cd / && XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(archive)' --graphics ascii --keymap vim"
        + " || sleep 5")
    let list = try session.wait(for: "PHANTOM, HEAD")
    #expect(!list.contains("not found"), "the keymap was found: \(list)")
    // The vim keymap is the one in effect: j moves the selection down a row.
    let selected = { (screen: String) in screen.split(separator: "\n").first { $0.hasPrefix(">") }.map(String.init) }
    let before = selected(list)
    try session.keys("j")
    let after = try session.wait("the selection one row down") { selected($0) != before }
    #expect(before != nil && selected(after) != before, "\(after)")
    try session.keys("q")
  }

  @Test func a_config_error_shows_in_the_terminal_with_its_file_and_line() throws {
    guard tmuxIsInstalled() else { return }
    let dir = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir.file("biloba"), withIntermediateDirectories: true)
    try "[nodes.pacs]\nhost = \"pacs\"\nport = 0\naet = \"PACS\"\n".write(
      toFile: dir.file("biloba/config.toml"), atomically: true, encoding: .utf8)
    // The pane stays open after biloba exits, so the message can be read as the user reads it.
    let session = try Session(
      "XDG_CONFIG_HOME=\(dir.path) '\(try BuiltProducts.biloba())' --archive '\(dir.file("archive"))'; sleep 5",
      columns: 200)
    let screen = try session.wait(for: "config.toml:3: nodes.pacs.port must be 1 to 65535")
    #expect(screen.contains(dir.file("biloba/config.toml")))
  }

  @Test func a_broken_user_keymap_is_reported_with_its_file_and_line() throws {
    let (dir, archive) = try archiveWithSamples()
    try FileManager.default.createDirectory(atPath: dir.file("biloba"), withIntermediateDirectories: true)
    try "[viewer]\n\"j\" = \"explode\"\n".write(
      toFile: dir.file("biloba/keymap.toml"), atomically: true, encoding: .utf8)
    let run = try ChildProcess.run(
      [try BuiltProducts.biloba(), "--archive", archive],
      environment: ProcessInfo.processInfo.environment.merging(["XDG_CONFIG_HOME": dir.path]) { $1 })
    let text = String(decoding: run.stderr, as: UTF8.self)
    #expect(run.status != 0)
    #expect(text.contains("keymap.toml") && text.contains("unknown action"), "\(text)")
  }
}

/// Every mistake in config.toml is named with its file, its line and what is wrong, before any screen.
@Suite struct ConfigErrorTests {
  @Test(arguments: [
    ("[nodes.pacs]\nhost = \"10.0.0.5\"\nport = 70000\naet = \"PACS\"\n", ":3: nodes.pacs.port must be 1 to 65535"),
    ("# mine\n[workstation]\ngraphics = \"svga\"\n", ":3: workstation.graphics must be auto, sixel"),
    ("[network]\naet = \"BILOBA\"\nlisten_port = \"x\"\n", ":3: network.listen_port"),
    ("[nodes.x]\nhost = \"h\"\nport = 104\naet = \"SEVENTEEN-LETTERS\"\n", ":4: nodes.x.aet is not a valid AE title"),
    (
      "[nodes.main] # the PACS\nhost = \"h\"\nport = 104\naet = \"A\"\nretrieve = \"push\" # typo\n",
      ":5: nodes.main.retrieve must be"
    ),
    ("[network\naet = 1\n", ": Error while parsing table header: expected ']', saw '\\n' at line 1"),
  ])
  func a_config_mistake_is_reported_with_file_line_and_what_is_wrong(text: String, expected: String) throws {
    let dir = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir.file("biloba"), withIntermediateDirectories: true)
    try text.write(toFile: dir.file("biloba/config.toml"), atomically: true, encoding: .utf8)
    let run = try ChildProcess.run(
      [try BuiltProducts.biloba(), "--archive", dir.file("archive")],
      environment: ProcessInfo.processInfo.environment.merging(["XDG_CONFIG_HOME": dir.path]) { $1 })
    let said = String(decoding: run.stderr, as: UTF8.self)
    #expect(run.status != 0)
    #expect(said.contains(dir.file("biloba/config.toml") + expected), "\(said)")
  }
}

import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Numbers, paths and configuration values a hostile user or file could give: each one ends in exit
/// status 1 and a message naming the option or `file:line: key`, within two seconds, never a signal.
@Suite struct HostileInputTests {
  static let hostileNumbers = ["-1", "0", "nan", "inf", "1e300", "99999999999G", "9223372036854775808"]

  /// Runs biloba under `timeout 2`: a hang shows as status 124, a trap as a signal status.
  func run(_ arguments: [String]) throws -> ProcessOutput {
    try ProcessRunner.run("timeout", ["-s", "KILL", "2", try BuiltProducts.biloba()] + arguments)
  }

  /// Every numeric option, with the arguments it needs and the values it legitimately takes.
  static let numericOptions: [(option: String, arguments: [String], valid: Set<String>)] = [
    ("--connect-timeout", ["echo", "--host", "127.0.0.1", "--port", "1"], []),
    ("--artim-timeout", ["echo", "--host", "127.0.0.1", "--port", "1"], []),
    // 0 means no limit, as DCMTK's -td.
    ("--dimse-timeout", ["echo", "--host", "127.0.0.1", "--port", "1"], ["0"]),
    ("--max-pdu", ["echo", "--host", "127.0.0.1", "--port", "1"], []),
    ("--port", ["echo", "--host", "127.0.0.1"], []),
    ("--idle-timeout", ["listen", "--archive", "ARCHIVE", "--port", "1"], []),
    ("--max-associations", ["listen", "--archive", "ARCHIVE", "--port", "1"], []),
    ("--listen-port", ["move", "--archive", "ARCHIVE", "--host", "127.0.0.1", "--port", "1", "--study", "1.2.3"], []),
    ("--limit", ["find", "--host", "127.0.0.1", "--port", "1"], []),
    ("--parallel", ["send", "--host", "127.0.0.1", "--port", "1", "/nonexistent"], []),
    ("--frame", ["export", "/nonexistent", "-o", "/tmp/x.png"], []),
    ("--cols", ["show", "--protocol", "ascii", "/nonexistent"], []),
    ("--rows", ["show", "--protocol", "ascii", "/nonexistent"], []),
    ("--registers", ["show", "--protocol", "ascii", "/nonexistent"], []),
    ("--budget", ["import", "--archive", "ARCHIVE", "/nonexistent"], []),
  ]

  @Test func every_numeric_option_refuses_hostile_numbers_with_status_1_and_its_name() throws {
    let dir = try TemporaryDirectory()
    for (option, arguments, valid) in Self.numericOptions {
      for value in Self.hostileNumbers where !valid.contains(value) {
        let out = try run(arguments.map { $0 == "ARCHIVE" ? dir.file("a") : $0 } + ["\(option)=\(value)"])
        #expect(out.status == 1, "\(option)=\(value): status \(out.status), \(out.stderr)")
        #expect(out.stderr.contains(option), "\(option)=\(value): \(out.stderr)")
      }
    }
  }

  @Test func archive_evict_refuses_hostile_budgets() throws {
    let dir = try TemporaryDirectory()
    for value in Self.hostileNumbers + ["1e300G", "-5G", "12Q"] {
      let out = try run(["archive", "evict", "--archive", dir.file("a"), "--budget", value])
      #expect(out.status == 1, "\(value): \(out.status) \(out.stderr)")
      #expect(out.stderr.contains("--budget"), "\(value): \(out.stderr)")
    }
  }

  @Test func a_window_with_numbers_that_are_not_finite_is_refused() throws {
    for window in ["nan,400", "40,inf", "1e300,400", "40,1e300", "40,-1"] {
      let out = try run(["export", "/nonexistent", "--window", window, "-o", "/tmp/x.png"])
      #expect(out.status == 1, "\(window): \(out.status) \(out.stderr)")
      #expect(out.stderr.contains("--window"), "\(window): \(out.stderr)")
    }
  }

  /// Configuration keys: each hostile value names the file, the line and the key.
  @Test func configuration_numbers_out_of_range_name_file_line_and_key() throws {
    let dir = try TemporaryDirectory()
    let cases: [(text: String, key: String)] = [
      ("[network]\nlisten_port = -1\n", "network.listen_port"),
      ("[network]\nlisten_port = 0\n", "network.listen_port"),
      ("[network]\nlisten_port = 9223372036854775807\n", "network.listen_port"),
      ("[network]\nmax_associations = 0\n", "network.max_associations"),
      ("[network]\nmax_pdu = -1\n", "network.max_pdu"),
      ("[network]\nmax_pdu = nan\n", "network.max_pdu"),
      ("[network]\nmax_object_size = \"99999999999G\"\n", "network.max_object_size"),
      ("[network]\nmax_object_size = \"nan\"\n", "network.max_object_size"),
      ("[workstation]\nbudget = \"99999999999G\"\n", "workstation.budget"),
      ("[workstation]\nbudget = \"1e300G\"\n", "workstation.budget"),
      ("[workstation]\nbudget = \"0\"\n", "workstation.budget"),
      ("[nodes.pacs]\nhost = \"h\"\nport = 99999999999\naet = \"PACS\"\n", "nodes.pacs.port"),
      ("[nodes.pacs]\nhost = \"h\"\nport = inf\naet = \"PACS\"\n", "nodes.pacs.port"),
    ]
    for (i, c) in cases.enumerated() {
      let file = dir.file("c\(i).toml")
      try c.text.write(toFile: file, atomically: true, encoding: .utf8)
      let out = try run(["echo", "--config", file, "--host", "127.0.0.1", "--port", "1"])
      #expect(out.status == 1, "\(c.text): \(out.status) \(out.stderr)")
      #expect(out.stderr.contains(c.key), "\(c.text): \(out.stderr)")
      #expect(out.stderr.contains(file + ":"), "\(c.text): \(out.stderr)")
    }
  }

  /// Named pipes, devices, sockets and links are never opened for reading: a FIFO would block forever.
  @Test func fifos_devices_and_links_are_refused_at_once_by_every_reading_command() throws {
    let dir = try TemporaryDirectory()
    let fifo = dir.file("pipe.dcm")
    #expect(mkfifo(fifo, 0o600) == 0)
    let target = dir.file("real.dcm")
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 0, of: 1, rows: 4, columns: 4), transferSyntax: .explicitVRLittleEndian
    ).write(to: target)
    let link = dir.file("link.dcm")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    for input in [fifo, "/dev/zero", link] {
      for arguments in [
        ["dump", input], ["show", "--protocol", "ascii", input], ["export", input, "-o", dir.file("x.png")],
        ["import", "--archive", dir.file("a"), input],
      ] {
        let out = try run(arguments)
        #expect(out.status == 1, "\(arguments): \(out.status) \(out.stderr)")
        #expect(!out.stderr.isEmpty, "\(arguments)")
      }
    }
  }

  /// A deflated file of about half a megabyte holding 512 MiB of zeros: refused at its inflate cap
  /// (64 MiB here), so `dump` and `show` stay within a 600 MiB address space.
  @Test func a_deflate_bomb_file_is_refused_before_it_inflates_far() throws {
    let dir = try TemporaryDirectory()
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 4, columns: 4)
    ds.set(Element(tag: Tag(0x0009, 0x1010), vr: .OB, bytes: [UInt8](repeating: 0, count: 512 << 20)))
    let path = dir.file("bomb.dcm")
    try DICOMFile(dataset: ds, transferSyntax: .deflatedExplicitVRLittleEndian).write(to: path)
    ds = Dataset()
    #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 < 1 << 20)
    for arguments in [["dump", path], ["show", "--protocol", "ascii", path]] {
      let out = try ProcessRunner.run(
        "prlimit", ["--as=\(600 << 20)", "timeout", "-s", "KILL", "5", try BuiltProducts.biloba()] + arguments)
      #expect(out.status == 1, "\(arguments): \(out.status) \(out.stderr)")
      #expect(out.stderr.contains("inflates past the limit"), "\(out.stderr)")
    }
  }

  @Test func import_of_a_folder_skips_and_counts_fifos_and_links() throws {
    let dir = try TemporaryDirectory()
    let folder = dir.file("in")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try DICOMFile(
      dataset: try SyntheticData.ctSlice(index: 0, of: 1, rows: 4, columns: 4), transferSyntax: .explicitVRLittleEndian
    ).write(to: folder + "/a.dcm")
    #expect(mkfifo(folder + "/pipe", 0o600) == 0)
    try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: "/etc/passwd")
    let out = try run(["import", "--archive", dir.file("a"), folder])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stdout.contains("imported 1"), "\(out.stdout)")
    #expect(out.stdout.contains("skipped 2"), "\(out.stdout)")
  }

  @Test func a_new_archive_is_private_and_an_open_one_gets_a_warning() throws {
    let dir = try TemporaryDirectory()
    let root = dir.file("a")
    let first = try run(["studies", "--archive", root])
    #expect(first.status == 0)
    var st = stat()
    #expect(stat(root, &st) == 0 && st.st_mode & 0o777 == 0o700)
    #expect(!first.stderr.contains("warning"))
    chmod(root, 0o755)
    let second = try run(["studies", "--archive", root])
    #expect(second.stderr.contains("can be read by other users"), "\(second.stderr)")
  }
}

import Foundation
import TestSupport
import Testing

/// Our DICOMweb client against a server that misbehaves on purpose (hostile_dicomweb.py): a multipart body
/// without its boundary, a part longer than it announced, a part without end, a redirect to another host,
/// a part that is not DICOM, a body cut inside a part, a search answer without end, pages without end, JSON nested
/// without bound. Each gives one typed error, the process stays small, and the archive keeps nothing partial.
@Suite(.serialized) struct HostileDICOMwebTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("hostile_dicomweb.py").path
  static let good = AuditTrailTests.root + "/Samples/ct-head/slice001.dcm"
  /// The study the good object belongs to: its UID ends in .1, the server's control case.
  static let goodStudy = "2.25.98230487216347812364012873645001.1"

  /// Retrieve cases: the last component of the study UID asked for, and what the error must say.
  static let retrieves: [(String, String)] = [
    ("2", "not multipart"), ("3", "announced 100 bytes and sent more"), ("4", "larger than 1048576 bytes"),
    ("5", "redirects to elsewhere.example; not followed"), ("6", "not a DICOM Part 10 object"),
    ("7", "ended inside a part"),
  ]
  /// Search cases: the PatientID asked for, and what the error must say.
  static let searches: [(String, String)] = [
    ("HUGE", "larger than 67108864 bytes"), ("DEEP", "deeper than"), ("REDIRECT", "not followed"),
    ("PAGES", "ignores offset"),
  ]

  /// Runs biloba with the server up; its output, and the largest resident size it reached (KiB).
  static func run(_ arguments: String, in dir: TemporaryDirectory, port: Int) throws -> (String, Int) {
    let script = """
      cd '\(dir.path)'
      python3 '\(Self.script)' \(port) '\(Self.good)' & spid=$!
      for i in $(seq 50); do python3 -c 'import socket; socket.create_connection(("127.0.0.1", \(port)))' 2>/dev/null && break; sleep 0.1; done
      XDG_CONFIG_HOME='\(dir.path)/config' timeout 60 python3 -c 'import resource, subprocess, sys
      r = subprocess.run(sys.argv[1:])
      print("maxrss", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "rc", r.returncode)' \
        '\(try BuiltProducts.biloba())' \(arguments) > out 2>&1
      kill $spid
      wait
      true
      """
    _ = try IsolatedNetwork.run(script)
    let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
    let rss = out.components(separatedBy: "maxrss ").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? .max
    return (out, rss)
  }

  static func configure(_ dir: TemporaryDirectory, port: Int, compress: Bool = false) throws {
    try FileManager.default.createDirectory(atPath: dir.file("config/biloba"), withIntermediateDirectories: true)
    try """
    [network]
    max_object_size = "1M"

    [nodes.evil]
    url = "http://127.0.0.1:\(port)/dicom-web"
    compress = \(compress)
    """.write(toFile: dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
  }

  /// Files under a folder of the archive (nothing partial may stay in incoming/).
  static func files(_ folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter {
      $0.hasSuffix(".dcm") || $0.hasSuffix(".part")
    }
  }

  @Test func the_control_case_retrieves_the_object() throws {
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port)
    let (out, _) = try Self.run("get --node evil --study \(Self.goodStudy) --archive a", in: dir, port: port)
    #expect(out.contains("1 completed, 0 failed") && out.contains("rc 0"), "\(out)")
    #expect(Self.files(dir.file("a/objects")).count == 1, "\(out)")
  }

  @Test func an_answer_whose_epilogue_never_ends_is_whole_at_its_closing_boundary() throws {
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port)
    // The good object under a study UID ending in .8: refused as not asked for (it belongs to .1), but
    // the retrieve ends at the closing boundary instead of reading the endless epilogue.
    let (out, rss) = try Self.run(
      "get --node evil --study 2.25.98230487216347812364012873645001.8 --archive a", in: dir, port: port)
    #expect(out.contains("rc "), "the retrieve ended: \(out)")
    #expect(out.contains("0 completed, 1 failed"), "\(out)")
    #expect(rss < 200_000, "bounded memory: \(rss) KiB")
    #expect(Self.files(dir.file("a")).isEmpty, "nothing kept: \(Self.files(dir.file("a")))")
  }

  @Test func a_node_asked_to_compress_that_cannot_sends_the_object_as_stored() throws {
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port, compress: true)
    let (out, _) = try Self.run("get --node evil --study \(Self.goodStudy) --archive a", in: dir, port: port)
    // The server answers 406 to the JPEG-LS asked for; asked again as stored, it sends the object as it is.
    #expect(out.contains("1 completed, 0 failed") && out.contains("rc 0"), "\(out)")
    let stored = Self.files(dir.file("a/objects")).map { dir.file("a/objects/" + $0) }
    #expect(stored.count == 1, "\(out)")
    // The dataset as sent (the archive writes its own file meta): what follows the original's meta group,
    // whose length (0002,0000) is the UL value at bytes 140..<144.
    let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.good)))
    let metaLength = good[140..<144].reversed().reduce(0) { $0 << 8 | Int($1) }
    let dataset = good[(144 + metaLength)...]
    let kept = try stored.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
    #expect(kept.count == 1 && kept[0].count > dataset.count && kept[0].suffix(dataset.count) == dataset)
  }

  @Test(arguments: 0..<HostileDICOMwebTests.retrieves.count)
  func a_hostile_retrieve_is_one_typed_error_and_leaves_nothing_partial(index: Int) throws {
    let (suffix, says) = Self.retrieves[index]
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port)
    let (out, rss) = try Self.run("get --node evil --study 1.2.3.\(suffix) --archive a", in: dir, port: port)
    #expect(out.contains(says), "case \(suffix): \(out)")
    #expect(!out.contains("rc 0"), "case \(suffix) succeeded: \(out)")
    #expect(rss < 200_000, "case \(suffix): \(rss) KiB resident")
    #expect(Self.files(dir.file("a/incoming")).isEmpty, "case \(suffix): a partial file stayed")
    #expect(Self.files(dir.file("a/objects")).isEmpty, "case \(suffix): an object not asked for was kept")
  }

  @Test(arguments: 0..<HostileDICOMwebTests.searches.count)
  func a_hostile_search_answer_is_one_typed_error_in_bounded_memory(index: Int) throws {
    let (patient, says) = Self.searches[index]
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    try Self.configure(dir, port: port)
    let (out, rss) = try Self.run("find --node evil -k PatientID=\(patient)", in: dir, port: port)
    #expect(out.contains(says), "\(patient): \(out)")
    #expect(!out.contains("rc 0"), "\(patient) succeeded: \(out)")
    #expect(rss < 200_000, "\(patient): \(rss) KiB resident")
  }
}

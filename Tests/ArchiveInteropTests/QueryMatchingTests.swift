import Archive
import GRDB
import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// The local study query must find what DCMTK's Q/R SCP finds for the same C-FIND keys over the same
/// files. dcmqrscp runs in a private network namespace (unshare -n) when the machine allows it.
@Suite struct QueryMatchingTests {
  static let people = QueryMatchingTable.people
  static let queries = QueryMatchingTable.queries

  @Test func local_queries_find_what_dcmqrscp_finds() throws {
    for tool in ["dcmqrscp", "dcmqridx", "findscu"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install dcmtk)")
      return
    }
    let dir = try TemporaryDirectory()
    let storage = dir.file("storage")
    try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
    for (n, name, date, accession) in Self.people {
      var subject = SyntheticData.Subject()
      subject.patientName = name
      subject.patientID = "ID\(n)"
      subject.studyDate = date
      subject.studyNumber = n
      subject.accession = accession
      let ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8, subject: subject)
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: storage + "/s\(n).dcm")
    }
    let archive = try LocalArchive(root: dir.file("archive"))
    #expect(try Importer(archive: archive).run([storage]).imported == Self.people.count)

    let port = Int.random(in: 20000...40000)
    try """
    NetworkTCPPort = \(port)
    MaxPDUSize = 16384
    MaxAssociations = 16
    HostTable BEGIN
    HostTable END
    VendorTable BEGIN
    VendorTable END
    AETable BEGIN
    QRSCP \(storage) RW (200, 1024mb) ANY
    AETable END
    """.write(toFile: dir.file("qr.cfg"), atomically: true, encoding: .utf8)
    var script = "cd '\(storage)' && dcmqridx '\(storage)' s*.dcm || exit 1\n"
    script += "dcmqrscp -c '\(dir.file("qr.cfg"))' \(port) & server=$!\n"
    script +=
      "for i in $(seq 50); do findscu -aec QRSCP 127.0.0.1 \(port) -k QueryRetrieveLevel=STUDY >/dev/null 2>&1 && break; sleep 0.1; done\n"
    for (i, q) in Self.queries.enumerated() {
      script += "echo '### \(i)'\n"
      script +=
        "findscu -S -aec QRSCP 127.0.0.1 \(port) -k QueryRetrieveLevel=STUDY -k '\(q.0)=\(q.1)' -k StudyInstanceUID 2>&1 | grep -a '(0020,000d)'\n"
    }
    script += "kill $server\n"
    // A private network namespace when possible, so the server is reachable from nowhere else.
    var run = try ProcessRunner.run("unshare", ["-n", "sh", "-c", "ip link set lo up && " + script])
    if run.status != 0 && !run.stdout.contains("###") { run = try ProcessRunner.run("sh", ["-c", script]) }
    var peer: [Int: Set<String>] = [:]
    var current = -1
    for line in run.stdout.split(separator: "\n") {
      if line.hasPrefix("### ") {
        current = Int(line.dropFirst(4)) ?? -1; peer[current] = []
      } else if let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") {
        // dcmqrscp pads UIDs with a space inside the brackets.
        let uid = line[line.index(after: open)..<close].trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        peer[current, default: []].insert(uid)
      }
    }
    #expect(peer.count == Self.queries.count, "findscu output: \(run.stdout) \(run.stderr)")
    for (i, (key, value)) in Self.queries.enumerated() {
      var q = StudyQuery()
      switch key {
      case "PatientName": q.patientName = value
      case "StudyDate": q.studyDate = value
      case "PatientID": q.patientID = value
      default: q.accessionNumber = value
      }
      let ours = Set(try q.run(on: archive).map(\.studyInstanceUID))
      #expect(ours == peer[i] ?? [], "\(key)=\(value): biloba \(ours.count), dcmqrscp \(peer[i]?.count ?? 0)")
    }
  }
}

@Suite struct TranscodedImportTests {
  @Test func transcoded_variants_import_with_their_transfer_syntax_and_count_as_the_same_instances() throws {
    guard ProcessRunner.isInstalled("dcmcjpls") else {
      Issue.record("dcmcjpls is needed (apt-get install dcmtk)")
      return
    }
    let dir = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir.file("plain"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: dir.file("jls"), withIntermediateDirectories: true)
    for i in 0..<3 {
      let ds = try SyntheticData.ctSlice(index: i, of: 3, rows: 16, columns: 16)
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("plain/\(i).dcm"))
      #expect(try ProcessRunner.run("dcmcjpls", [dir.file("plain/\(i).dcm"), dir.file("jls/\(i).dcm")]).status == 0)
    }
    let archive = try LocalArchive(root: dir.file("archive"))
    let first = try Importer(archive: archive).run([dir.file("jls")])
    #expect(first.imported == 3)
    let second = try Importer(archive: archive).run([dir.file("plain")])
    #expect(second.duplicates == 3)
    let syntaxes = try archive.index.database.read { db in
      try String.fetchAll(db, sql: "SELECT DISTINCT transferSyntaxUID FROM instance")
    }
    #expect(syntaxes == ["1.2.840.10008.1.2.4.80"])
    let study = try #require(try StudyQuery().run(on: archive).first)
    #expect(study.patientName == "PHANTOM^HEAD" && study.instanceCount == 3 && study.modalities == "CT")
  }
}

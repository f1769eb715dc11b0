import DICOM
import Foundation
import TestSupport
import Testing

/// Our SCUs against DCMTK's Q/R SCP (dcmqrscp), and DCMTK's SCUs against our Storage SCP, on loopback in
/// a private network namespace. Everything retrieved is compared byte for byte with the original
/// dataset (the file meta group is the receiver's own).
@Suite(.serialized) struct DCMTKNetworkInteropTests {
  static let tools = ["dcmqrscp", "dcmqridx", "echoscu", "findscu", "movescu", "storescu", "storescp"]

  @Test func find_move_and_get_against_dcmqrscp_and_dcmtk_scus_against_our_scp() throws {
    for tool in Self.tools where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install dcmtk)")
      return
    }
    let f = try InteropFixture()
    let b = "'\(f.biloba)'"
    let d = f.dir.path
    let (qr, ours, theirs) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1, IsolatedNetwork.port() + 2)
    let (study1, study2) = (f.studyUIDs[0], f.studyUIDs[1])
    let series1 = try #require(f.hierarchy[study1]?.keys.sorted().first)
    let instance1 = try #require(f.hierarchy[study1]?[series1]?.sorted().first)
    try f.writeDCMQRSCPConfig(port: qr, moveTo: ours)
    let peer = "--host 127.0.0.1 --port \(qr) --called-aet QRSCP"
    let script = """
      cd '\(d)'
      dcmqridx '\(f.filesDirectory)' '\(f.filesDirectory)'/*.dcm || exit 1
      # dcmqrscp offers one syntax per SOP class on an association: the default one serves the
      # uncompressed study 1; a second one proposing JPEG-LS (-xt) moves study 2 as it is stored.
      dcmqrscp -c qr.cfg \(qr) & qrpid=$!
      dcmqrscp -xt -c qr.cfg \(qr + 3) & jlspid=$!
      for i in $(seq 50); do echoscu -aec QRSCP 127.0.0.1 \(qr) 2>/dev/null && echoscu -aec QRSCP 127.0.0.1 \(qr + 3) 2>/dev/null && break; sleep 0.1; done
      \(b) find \(peer) --root patient --level patient --json -k PatientID > find-patient.json 2>find.err
      \(b) find \(peer) --level study --json -k PatientName='INTEROP^*' > find-study.json 2>>find.err
      \(b) find \(peer) --level series --json -k StudyInstanceUID=\(study1) > find-series.json 2>>find.err
      \(b) find \(peer) --level image --json -k StudyInstanceUID=\(study1) -k SeriesInstanceUID=\(series1) > find-image.json 2>>find.err
      \(b) find \(peer) --level study --json -k StudyDate=20260101-20260131 > find-range.json 2>>find.err
      \(b) move \(peer) --study \(study1) --listen-port \(ours) --archive moved > /dev/null 2>>move.err || echo "move 1 failed" >> failures
      \(b) move --host 127.0.0.1 --port \(qr + 3) --called-aet QRSCP --study \(study2) --listen-port \(ours) --archive moved > /dev/null 2>>move.err || echo "move 2 failed" >> failures
      \(b) get \(peer) --study \(study1) --archive got >/dev/null 2>>get.err || echo "get failed" >> failures
      \(b) get \(peer) --study \(study1) --series \(series1) --instance \(instance1) --archive got-one 2>>get.err || echo "get one failed" >> failures
      # An interrupted retrieve resumes with the missing instances only.
      cp -r got-one resumed && \(b) get \(peer) --study \(study1) --archive resumed 2>resume.err || echo "resume failed" >> failures
      cp -r got-one resumed-move && \(b) move \(peer) --study \(study1) --listen-port \(ours) --archive resumed-move 2>resume-move.err || echo "resume move failed" >> failures
      \(b) listen --port \(ours) --archive listened > listen.out 2>listen.err & lpid=$!
      for i in $(seq 50); do echoscu -aec BILOBA 127.0.0.1 \(ours) 2>/dev/null && break; sleep 0.1; done
      echoscu -aec BILOBA 127.0.0.1 \(ours) || echo "echoscu failed" >> failures
      storescu -R -xt -aec BILOBA 127.0.0.1 \(ours) '\(f.filesDirectory)'/*.dcm 2>storescu.err || echo "storescu failed" >> failures
      movescu -S -aec QRSCP -aem BILOBA -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=\(study1) 127.0.0.1 \(qr) 2>movescu.err || echo "movescu failed" >> failures
      findscu -S -aec BILOBA -k QueryRetrieveLevel=STUDY 127.0.0.1 \(ours) 2>findscu.err && echo "findscu was served" >> failures
      kill $lpid
      mkdir -p stored
      storescp +xa -aet STORESCP -od stored \(theirs) & spid=$!
      for i in $(seq 50); do echoscu -aec STORESCP 127.0.0.1 \(theirs) 2>/dev/null && break; sleep 0.1; done
      \(b) send --host 127.0.0.1 --port \(theirs) --called-aet STORESCP '\(f.filesDirectory)'/*.dcm > send.out 2>send.err || echo "send failed" >> failures
      kill $spid $qrpid $jlspid
      wait
      true
      """
    let run = try IsolatedNetwork.run(script)
    #expect(
      f.read("failures").isEmpty,
      "failures: \(f.read("failures")) \(f.read("move.err")) \(f.read("get.err")) \(run.stderr)")

    // C-FIND at every level, in both information models.
    let patients = try InteropFixture.jsonValues(f.read("find-patient.json"), tag: "00100020")
    #expect(Set(patients) == ["BILOBA-IOP1", "BILOBA-IOP2"], "\(f.read("find.err"))")
    #expect(Set(try InteropFixture.jsonValues(f.read("find-study.json"), tag: "0020000D")) == Set(f.studyUIDs))
    #expect(
      Set(try InteropFixture.jsonValues(f.read("find-series.json"), tag: "0020000E"))
        == Set(f.hierarchy[study1]!.keys))
    #expect(
      Set(try InteropFixture.jsonValues(f.read("find-image.json"), tag: "00080018"))
        == Set(f.hierarchy[study1]![series1]!))
    #expect(Set(try InteropFixture.jsonValues(f.read("find-range.json"), tag: "0020000D")) == Set(f.studyUIDs))

    // C-MOVE into our SCP and C-GET, every study, byte for byte.
    let all = f.studyUIDs.flatMap { f.instances(study: $0) }
    try f.expectRetrieved(all, in: f.dir.file("moved/objects"), "biloba move from dcmqrscp")
    try f.expectRetrieved(f.instances(study: study1), in: f.dir.file("got/objects"), "biloba get from dcmqrscp")
    try f.expectRetrieved([instance1], in: f.dir.file("got-one/objects"), "biloba get of one instance")

    // Resuming: one instance was there, the other five came, by C-GET and by C-MOVE.
    let others = f.instances(study: study1).count - 1
    for (log, folder) in [("resume.err", "resumed"), ("resume-move.err", "resumed-move")] {
      #expect(f.read(log).contains("1 of \(others + 1) instances already in the archive"), "\(f.read(log))")
      #expect(f.read(log).contains("\(others) completed, 0 failed"), "\(f.read(log))")
      try f.expectRetrieved(f.instances(study: study1), in: f.dir.file(folder + "/objects"), "resumed into \(folder)")
    }

    // DCMTK's SCUs against our SCP: storescu stores all, movescu has dcmqrscp send study 1 to us again.
    try f.expectRetrieved(all, in: f.dir.file("listened/objects"), "storescu and movescu into biloba listen")
    // findscu is refused cleanly: we serve no C-FIND.
    #expect(f.read("findscu.err").contains("Rejected") || f.read("findscu.err").contains("No Acceptable"))

    // Our SCU to DCMTK's storescp.
    #expect(f.read("send.out").contains("\(all.count) sent, 0 failed"), "\(f.read("send.err"))")
    try f.expectRetrieved(all, in: f.dir.file("stored"), "biloba send to storescp")
  }
}

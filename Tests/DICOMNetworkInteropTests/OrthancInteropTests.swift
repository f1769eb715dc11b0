import DICOM
import Foundation
import TestSupport
import Testing

/// Our SCUs against Orthanc on loopback in a private network namespace: send, find, move into our SCP
/// (our AE registered as a modality), get. Retrieved datasets must equal the originals byte for byte.
@Suite(.serialized) struct OrthancInteropTests {
  @Test func send_find_move_and_get_against_orthanc() throws {
    for tool in ["Orthanc", "curl"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install orthanc curl)")
      return
    }
    let f = try InteropFixture()
    let b = "'\(f.biloba)'"
    let d = f.dir.path
    let (http, dicom, ours) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1, IsolatedNetwork.port() + 2)
    try """
    {
      "Name": "biloba-interop", "StorageDirectory": "\(d)/orthanc-storage", "IndexDirectory": "\(d)/orthanc-index",
      "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
      "AuthenticationEnabled": false, "DicomModalities": { "biloba": ["BILOBA", "127.0.0.1", \(ours)] },
      "Plugins": []
    }
    """.write(toFile: f.dir.file("orthanc.json"), atomically: true, encoding: .utf8)
    let peer = "--host 127.0.0.1 --port \(dicom) --called-aet ORTHANC"
    let (study1, study2) = (f.studyUIDs[0], f.studyUIDs[1])
    let script = """
      cd '\(d)'
      Orthanc orthanc.json > orthanc.log 2>&1 & opid=$!
      for i in $(seq 100); do curl -sf http://127.0.0.1:\(http)/system >/dev/null && break; sleep 0.1; done
      \(b) echo \(peer) > echo.out 2>&1 || echo "echo failed" >> failures
      \(b) send --parallel 3 \(peer) '\(f.filesDirectory)' > send.out 2>send.err || echo "send failed" >> failures
      \(b) find \(peer) --level study --json -k NumberOfStudyRelatedInstances > find-study.json 2>find.err || echo "find failed" >> failures
      \(b) find \(peer) --level image --json -k StudyInstanceUID=\(study1) > find-image.json 2>>find.err || echo "find image failed" >> failures
      \(b) find \(peer) --level study --limit 1 --json > find-limit.json 2>>find.err || echo "find limit failed" >> failures
      for s in \(study1) \(study2); do
        \(b) move \(peer) --study $s --listen-port \(ours) --archive moved >/dev/null 2>>move.err || echo "move $s failed" >> failures
        \(b) get \(peer) --study $s --archive got >/dev/null 2>>get.err || echo "get $s failed" >> failures
      done
      \(b) move \(peer) --study \(study1) --listen-port \(ours) --destination UNKNOWN --archive unknown >/dev/null 2>unknown.err && echo "move to an unknown AE succeeded" >> failures
      kill $opid
      wait
      true
      """
    let run = try IsolatedNetwork.run(script)
    #expect(
      f.read("failures").isEmpty,
      "\(f.read("failures")) \(f.read("send.err")) \(f.read("move.err")) \(f.read("get.err")) \(run.stderr)")
    #expect(f.read("echo.out").contains("Success"))
    let all = f.studyUIDs.flatMap { f.instances(study: $0) }
    #expect(f.read("send.out").contains("\(all.count) sent, 0 failed"))

    // Orthanc counts the instances we sent.
    let counts = try InteropFixture.jsonValues(f.read("find-study.json"), tag: "00201208")
    #expect(counts.sorted() == f.studyUIDs.map { "\(f.instances(study: $0).count)" }.sorted())
    #expect(
      Set(try InteropFixture.jsonValues(f.read("find-image.json"), tag: "00080018")) == Set(f.instances(study: study1)))
    // --limit 1 cancels after the first match (C-CANCEL); Orthanc has two studies.
    #expect(try InteropFixture.jsonValues(f.read("find-limit.json"), tag: "0020000D").count == 1)

    try f.expectRetrieved(all, in: f.dir.file("moved/objects"), "biloba move from Orthanc")
    try f.expectRetrieved(all, in: f.dir.file("got/objects"), "biloba get from Orthanc")
    // A move to an AE Orthanc does not know fails, and says so.
    #expect(f.read("unknown.err").contains("move:"))
  }

  /// The workstation in tmux lists Orthanc's studies on its remote tab and retrieves one with Enter.
  @Test func the_workstation_lists_orthanc_and_retrieves_a_study_with_enter() throws {
    for tool in ["Orthanc", "curl", "tmux"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install orthanc curl tmux)")
      return
    }
    let f = try InteropFixture()
    let b = "'\(f.biloba)'"
    let d = f.dir.path
    let (http, dicom, ours) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1, IsolatedNetwork.port() + 2)
    try """
    { "Name": "biloba-ws", "StorageDirectory": "\(d)/orthanc-storage", "IndexDirectory": "\(d)/orthanc-index",
      "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
      "AuthenticationEnabled": false, "DicomModalities": { "biloba": ["BILOBA", "127.0.0.1", \(ours)] }, "Plugins": [] }
    """.write(toFile: f.dir.file("orthanc.json"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: f.dir.file("config/biloba"), withIntermediateDirectories: true)
    try """
    [network]
    aet = "BILOBA"
    listen_port = \(ours)

    [nodes.orthanc]
    host = "127.0.0.1"
    port = \(dicom)
    aet = "ORTHANC"
    retrieve = "move"
    """.write(toFile: f.dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
    let study1 = f.studyUIDs[0]
    let tmux = "tmux -L biloba-\(UInt32.random(in: 0...UInt32.max))"
    let script = """
      cd '\(d)'
      Orthanc orthanc.json > orthanc.log 2>&1 & opid=$!
      for i in $(seq 100); do curl -sf http://127.0.0.1:\(http)/system >/dev/null && break; sleep 0.1; done
      \(b) send --host 127.0.0.1 --port \(dicom) --called-aet ORTHANC '\(f.filesDirectory)' > send.out 2>&1
      \(f.remoteTabRetrieveAndOpen(tmux: tmux, archive: "ws"))
      # One series of a study: the search form finds the study on the node, Right lists its series,
      # Enter on the last one (series 2) retrieves that series alone.
      mkdir -p ws2
      \(tmux) new-session -d -x 110 -y 30 "XDG_CONFIG_HOME='\(d)/config' \(b) --archive '\(d)/ws2' --graphics ascii"
      sleep 1
      \(tmux) send-keys Tab
      for i in $(seq 50); do \(tmux) capture-pane -p > remote2.txt; grep -q 'INTEROP, ONE' remote2.txt && break; sleep 0.1; done
      \(tmux) send-keys s I N T E R O P ^ O N E Enter
      for i in $(seq 50); do \(tmux) capture-pane -p > found.txt; grep -q 'name INTEROP^ONE' found.txt && ! grep -q 'INTEROP, TWO' found.txt && break; sleep 0.1; done
      \(tmux) send-keys Right
      for i in $(seq 50); do \(tmux) capture-pane -p > series.txt; grep -q 'Enter retrieves a series' series.txt && break; sleep 0.1; done
      \(tmux) send-keys End Enter
      for i in $(seq 100); do \(tmux) capture-pane -p > series-done.txt; grep -q 'done' series-done.txt && break; sleep 0.1; done
      \(tmux) send-keys q
      sleep 0.3
      \(tmux) kill-server 2>/dev/null
      kill $opid
      wait $opid
      true
      """
    _ = try IsolatedNetwork.run(script)
    #expect(f.read("remote.txt").contains("[orthanc]"), "\(f.read("remote.txt"))")
    #expect(f.read("remote.txt").contains("INTEROP, ONE") && f.read("remote.txt").contains("INTEROP, TWO"))
    let retrieved = f.read("retrieved.txt")
    #expect(
      retrieved.contains("retrieve: \(f.instances(study: study1).count) done")
        || retrieved.contains("retrieve: \(f.instances(study: f.studyUIDs[1]).count) done"), "\(retrieved)")
    // The study opened on its own, in the viewer, with its first image.
    #expect(retrieved.contains("Im 1/"), "\(retrieved)")
    // Home selects the first row; whichever study it is, all of its instances came, byte for byte.
    let got = try InteropFixture.contents(of: f.dir.file("ws/objects"))
    let study = f.studyUIDs.first { f.instances(study: $0).contains(got.keys.first ?? "") } ?? study1
    try f.expectRetrieved(f.instances(study: study), in: f.dir.file("ws/objects"), "the workstation's retrieve")
    // The series list of study one on the node, and series 2 (two instances) retrieved alone.
    let series = f.read("series.txt")
    #expect(series.contains("(on orthanc: Enter retrieves a series)") && series.contains(" 4"), "\(series)")
    let two = try #require(f.hierarchy.values.first { $0.count == 2 }?.values.first { $0.count == 2 })
    #expect(f.read("series-done.txt").contains("retrieve: 2 done"), "\(f.read("series-done.txt"))")
    try f.expectRetrieved(two, in: f.dir.file("ws2/objects"), "the workstation's series retrieve")
  }
}

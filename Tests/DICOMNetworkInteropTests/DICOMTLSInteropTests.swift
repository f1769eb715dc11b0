import DICOM
import Foundation
import TestSupport
import Testing

/// DICOM TLS (PS3.15 B.9) against DCMTK on loopback in a private network namespace, with a test PKI made
/// by openssl: DCMTK's SCUs with `+tls` against `biloba listen --tls` (mutual TLS, the client certificate
/// deciding which AE title may call), our SCUs against `storescp +tls` and against `dcmqrscp` behind a
/// TLS terminator (socat; dcmqrscp has no TLS of its own), C-MOVE's sub-operations coming back over TLS,
/// and every way a handshake goes wrong said in one line within seconds. Every object that crosses is
/// compared byte for byte with its original.
@Suite(.serialized) struct DICOMTLSInteropTests {
  static let tools = ["openssl", "echoscu", "findscu", "storescu", "storescp", "dcmqrscp", "dcmqridx", "socat"]

  static func missingTool() -> String? { tools.first { !ProcessRunner.isInstalled($0) } }

  @Test func dcmtk_scus_store_into_biloba_listen_over_mutual_tls_and_the_certificate_decides_the_ae_title() throws {
    if let tool = Self.missingTool() {
      Issue.record("\(tool) is needed (apt-get install dcmtk openssl socat)")
      return
    }
    let f = try InteropFixture()
    let d = f.dir.path
    let port = IsolatedNetwork.port()
    try FileManager.default.createDirectory(atPath: f.dir.file("config/biloba"), withIntermediateDirectories: true)
    // The node whose client certificate is named pacs.test may call as PACS, and only as PACS.
    try """
    [nodes.pacs]
    host = "127.0.0.1"
    port = 104
    aet = "PACS"
    tls = true
    tls_name = "pacs.test"
    """.write(toFile: f.dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
    let tls = "+tls client.key client.pem +cf ca.pem"
    let script = """
      cd '\(d)'
      \(TestCertificates.shell)
      export XDG_CONFIG_HOME='\(d)/config'
      '\(f.biloba)' listen --port \(port) --archive listened --tls --tls-cert server.pem --tls-key server.key \
        --tls-ca ca.pem > listen.out 2> listen.err & lpid=$!
      for i in $(seq 50); do echoscu \(tls) -aet PACS -aec BILOBA 127.0.0.1 \(port) 2>/dev/null && break; sleep 0.1; done
      echoscu \(tls) -aet PACS -aec BILOBA 127.0.0.1 \(port) 2> echo.err || echo "echoscu failed" >> failures
      storescu -R -xt \(tls) -aet PACS -aec BILOBA 127.0.0.1 \(port) '\(f.filesDirectory)'/*.dcm 2> store.err \
        || echo "storescu failed" >> failures
      findscu \(tls) -aet PACS -aec BILOBA -S -k QueryRetrieveLevel=STUDY 127.0.0.1 \(port) > find.out 2>&1
      echoscu \(tls) -aet OTHER -aec BILOBA 127.0.0.1 \(port) > other-ae.out 2>&1 && echo "OTHER let in" >> failures
      echoscu +tla +cf ca.pem -aet PACS -aec BILOBA 127.0.0.1 \(port) > anonymous.out 2>&1 \
        && echo "anonymous TLS let in" >> failures
      echoscu +tls stranger.key stranger.pem +cf ca.pem -aet PACS -aec BILOBA 127.0.0.1 \(port) > stranger.out 2>&1 \
        && echo "a certificate of another CA let in" >> failures
      echoscu -aet PACS -aec BILOBA 127.0.0.1 \(port) > plain.out 2>&1 && echo "plaintext let in" >> failures
      sleep 0.3
      kill $lpid
      wait
      true
      """
    let run = try IsolatedNetwork.run(script)
    #expect(f.read("failures").isEmpty, "failures: \(f.read("failures")) \(f.read("store.err")) \(run.stderr)")
    let all = f.studyUIDs.flatMap { f.instances(study: $0) }
    try f.expectRetrieved(all, in: f.dir.file("listened/objects"), "storescu +tls into biloba listen --tls")
    // findscu's association is made over TLS and its C-FIND context refused (we serve storage only).
    #expect(f.read("find.out").contains("No Acceptable Presentation Contexts"), "\(f.read("find.out"))")
    #expect(f.read("other-ae.out").contains("Calling AE Title Not Recognized"), "\(f.read("other-ae.out"))")
    #expect(f.read("listen.err").contains("the client certificate is not mapped to the calling AE title"))
    // A client without a certificate, or with one of another CA, never gets an association.
    #expect(f.read("listen.err").contains("TLS handshake failed"), "\(f.read("listen.err"))")
  }

  @Test func our_scus_echo_send_find_get_and_move_over_tls_and_the_move_comes_back_over_tls() throws {
    if let tool = Self.missingTool() {
      Issue.record("\(tool) is needed (apt-get install dcmtk openssl socat)")
      return
    }
    let f = try InteropFixture()
    let d = f.dir.path
    let b = "'\(f.biloba)'"
    let base = IsolatedNetwork.port()
    let (storePort, qrPlain, qrTLS, ours, moveRelay) = (base, base + 1, base + 2, base + 3, base + 4)
    // dcmqrscp serves study 1 (the uncompressed one; it offers one syntax per SOP class).
    let study1 = f.studyUIDs[0]
    // dcmqrscp moves to a plaintext relay that carries the sub-operations to our SCP over TLS, with
    // the client certificate named pacs.test, the name the node `qr` is known by.
    try f.writeDCMQRSCPConfig(port: qrPlain, moveTo: moveRelay)
    try FileManager.default.createDirectory(atPath: f.dir.file("config/biloba"), withIntermediateDirectories: true)
    try """
    [network]
    tls_ca = "\(d)/ca.pem"
    tls_cert = "\(d)/server.pem"
    tls_key = "\(d)/server.key"

    [nodes.qr]
    host = "127.0.0.1"
    port = \(qrTLS)
    aet = "QRSCP"
    tls = true
    tls_name = "pacs.test"
    """.write(toFile: f.dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
    let tls = "--tls --tls-ca ca.pem --tls-cert client.pem --tls-key client.key"
    let script = """
      cd '\(d)'
      \(TestCertificates.shell)
      export XDG_CONFIG_HOME='\(d)/config'
      mkdir -p stored
      storescp +xa +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored \(storePort) & spid=$!
      dcmqridx '\(f.filesDirectory)' '\(f.filesDirectory)'/*.dcm || exit 1
      dcmqrscp -c qr.cfg \(qrPlain) & qrpid=$!
      socat OPENSSL-LISTEN:\(qrTLS),reuseaddr,fork,cert=server.pem,key=server.key,cafile=ca.pem,verify=1 \
        TCP:127.0.0.1:\(qrPlain) & tpid=$!
      socat TCP-LISTEN:\(moveRelay),reuseaddr,fork \
        OPENSSL:127.0.0.1:\(ours),cert=client.pem,key=client.key,cafile=ca.pem,verify=1 & rpid=$!
      for i in $(seq 50); do echoscu -aec QRSCP 127.0.0.1 \(qrPlain) 2>/dev/null && break; sleep 0.1; done
      for i in $(seq 50); do \(b) echo --host 127.0.0.1 --port \(storePort) --called-aet STORESCP \(tls) >/dev/null 2>&1 && break; sleep 0.1; done
      \(b) echo --host 127.0.0.1 --port \(storePort) --called-aet STORESCP \(tls) > echo.out 2>&1 || echo "echo failed" >> failures
      \(b) send --host 127.0.0.1 --port \(storePort) --called-aet STORESCP \(tls) '\(f.filesDirectory)'/*.dcm \
        > send.out 2> send.err || echo "send failed" >> failures
      \(b) echo --node qr > echo-qr.out 2>&1 || echo "echo qr failed" >> failures
      \(b) find --node qr --level study --json -k PatientName='INTEROP^*' > find.json 2> find.err || echo "find failed" >> failures
      \(b) get --node qr --study \(study1) --archive got > /dev/null 2> get.err || echo "get failed" >> failures
      \(b) move --node qr --study \(study1) --listen-port \(ours) --archive moved > /dev/null 2> move.err || echo "move failed" >> failures
      kill $spid $qrpid $tpid $rpid
      wait
      true
      """
    let run = try IsolatedNetwork.run(script)
    #expect(
      f.read("failures").isEmpty,
      "failures: \(f.read("failures")) \(f.read("send.err")) \(f.read("find.err")) \(f.read("get.err")) \(f.read("move.err")) \(run.stderr)"
    )
    #expect(f.read("echo.out").contains("Success"), "\(f.read("echo.out"))")
    let all = f.studyUIDs.flatMap { f.instances(study: $0) }
    #expect(f.read("send.out").contains("\(all.count) sent, 0 failed"), "\(f.read("send.err"))")
    try f.expectRetrieved(all, in: f.dir.file("stored"), "biloba send --tls to storescp +tls")
    #expect(Set(try InteropFixture.jsonValues(f.read("find.json"), tag: "0020000D")) == Set(f.studyUIDs))
    try f.expectRetrieved(f.instances(study: study1), in: f.dir.file("got/objects"), "biloba get over TLS")
    try f.expectRetrieved(f.instances(study: study1), in: f.dir.file("moved/objects"), "biloba move over TLS")
  }

  /// Orthanc 1.10 with DICOM TLS on and client certificates required: our SCUs send, find, get and move
  /// over TLS, and Orthanc's C-MOVE sub-operations reach our SCP over TLS (its modality entry has
  /// `UseDicomTls`), its certificate naming it as the node it is.
  @Test func send_find_get_and_move_against_orthanc_with_dicom_tls() throws {
    for tool in ["Orthanc", "curl", "openssl"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install orthanc curl openssl)")
      return
    }
    let f = try InteropFixture()
    let d = f.dir.path
    let b = "'\(f.biloba)'"
    let (http, dicom, ours) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1, IsolatedNetwork.port() + 2)
    try """
    {
      "Name": "biloba-tls", "StorageDirectory": "\(d)/orthanc-storage", "IndexDirectory": "\(d)/orthanc-index",
      "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
      "AuthenticationEnabled": false, "Plugins": [],
      "DicomTlsEnabled": true, "DicomTlsCertificate": "\(d)/server.pem", "DicomTlsPrivateKey": "\(d)/server.key",
      "DicomTlsTrustedCertificates": "\(d)/ca.pem", "DicomTlsRemoteCertificateRequired": true,
      "DicomModalities": { "biloba": { "AET": "BILOBA", "Host": "127.0.0.1", "Port": \(ours), "UseDicomTls": true } }
    }
    """.write(toFile: f.dir.file("orthanc.json"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: f.dir.file("config/biloba"), withIntermediateDirectories: true)
    try """
    [network]
    tls_ca = "\(d)/ca.pem"
    tls_cert = "\(d)/client.pem"
    tls_key = "\(d)/client.key"

    [nodes.orthanc]
    host = "127.0.0.1"
    port = \(dicom)
    aet = "ORTHANC"
    tls = true
    tls_name = "localhost"
    """.write(toFile: f.dir.file("config/biloba/config.toml"), atomically: true, encoding: .utf8)
    let (study1, study2) = (f.studyUIDs[0], f.studyUIDs[1])
    let script = """
      cd '\(d)'
      \(TestCertificates.shell)
      export XDG_CONFIG_HOME='\(d)/config'
      Orthanc orthanc.json > orthanc.log 2>&1 & opid=$!
      for i in $(seq 100); do curl -sf http://127.0.0.1:\(http)/system >/dev/null && break; sleep 0.1; done
      \(b) echo --node orthanc > echo.out 2>&1 || echo "echo failed" >> failures
      \(b) echo --host 127.0.0.1 --port \(dicom) --called-aet ORTHANC > plain.out 2>&1 && echo "plaintext echo answered" >> failures
      \(b) send --node orthanc '\(f.filesDirectory)' > send.out 2> send.err || echo "send failed" >> failures
      \(b) find --node orthanc --level study --json > find.json 2> find.err || echo "find failed" >> failures
      for s in \(study1) \(study2); do
        \(b) get --node orthanc --study $s --archive got > /dev/null 2>> get.err || echo "get $s failed" >> failures
        \(b) move --node orthanc --study $s --listen-port \(ours) --archive moved > /dev/null 2>> move.err \
          || echo "move $s failed" >> failures
      done
      kill $opid
      wait
      true
      """
    let run = try IsolatedNetwork.run(script)
    #expect(
      f.read("failures").isEmpty,
      "\(f.read("failures")) \(f.read("echo.out")) \(f.read("send.err")) \(f.read("move.err")) \(f.read("get.err")) \(run.stderr)"
    )
    #expect(f.read("echo.out").contains("Success"), "\(f.read("echo.out"))")
    #expect(f.read("plain.out").contains("try --tls"), "\(f.read("plain.out"))")
    let all = f.studyUIDs.flatMap { f.instances(study: $0) }
    #expect(f.read("send.out").contains("\(all.count) sent, 0 failed"), "\(f.read("send.err"))")
    #expect(Set(try InteropFixture.jsonValues(f.read("find.json"), tag: "0020000D")) == Set(f.studyUIDs))
    try f.expectRetrieved(all, in: f.dir.file("got/objects"), "biloba get from Orthanc over TLS")
    try f.expectRetrieved(all, in: f.dir.file("moved/objects"), "biloba move from Orthanc over TLS")
  }

  /// Each case: the server started, the biloba command, and words its one-line error must hold.
  static let failures: [(name: String, server: String, command: String, says: String)] = [
    (
      "wrong CA", "storescp +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo --tls --tls-ca other.pem --tls-cert client.pem --tls-key client.key", "is not signed by a CA in other.pem"
    ),
    (
      "expired certificate", "storescp +tls expired.key expired.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo --tls --tls-ca ca.pem --tls-cert client.pem --tls-key client.key", "expired on 2020-02-01"
    ),
    (
      "another host's certificate",
      "storescp +tls elsewhere.key elsewhere.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo --tls --tls-ca ca.pem --tls-cert client.pem --tls-key client.key", "for another host name"
    ),
    (
      "not the pinned certificate", "storescp +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo --tls-pin $(openssl x509 -in client.pem -noout -fingerprint -sha256 | cut -d= -f2) --tls-cert client.pem --tls-key client.key",
      "not the pinned one"
    ),
    (
      "no client certificate", "storescp +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo --tls --tls-ca ca.pem", "refused our certificate or wants one"
    ),
    (
      "plaintext to a TLS port", "storescp +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo", "a DICOM TLS port? try --tls"
    ),
    (
      "TLS to a plaintext port", "storescp -aet STORESCP -od stored PORT",
      "echo --tls --tls-ca ca.pem", "during the TLS handshake"
    ),
    (
      "a port that never answers",
      "python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\", PORT)); s.listen(5); c=s.accept(); time.sleep(30)'",
      "echo --tls --tls-ca ca.pem --connect-timeout 2", "no TLS handshake within 2.0 s"
    ),
    (
      "a key others can read", "storescp +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored PORT",
      "echo --tls --tls-ca ca.pem --tls-cert client.pem --tls-key open.key", "chmod 600 it"
    ),
  ]

  @Test(arguments: 0..<DICOMTLSInteropTests.failures.count)
  func a_failed_handshake_is_one_clear_line_within_seconds(index: Int) throws {
    if let tool = Self.missingTool() {
      Issue.record("\(tool) is needed (apt-get install dcmtk openssl socat)")
      return
    }
    let c = Self.failures[index]
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    let script = """
      cd '\(dir.path)'
      \(TestCertificates.shell)
      cp client.key open.key && chmod 644 open.key
      mkdir -p stored
      \(c.server.replacingOccurrences(of: "PORT", with: "\(port)")) > server.log 2>&1 & spid=$!
      sleep 0.5
      start=$(date +%s%N)
      '\(try BuiltProducts.biloba())' \(c.command) --host 127.0.0.1 --port \(port) --called-aet STORESCP > out 2>&1
      echo "rc=$? ms=$(( ($(date +%s%N) - start) / 1000000 ))" >> out
      kill $spid 2>/dev/null
      wait
      true
      """
    _ = try IsolatedNetwork.run(script)
    let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
    #expect(out.contains(c.says), "\(c.name): \(out)")
    #expect(!out.contains("rc=0"), "\(c.name) succeeded: \(out)")
    let ms = Int(out.components(separatedBy: "ms=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .max
    #expect(ms < 5000, "\(c.name) took \(ms) ms")
    #expect(out.split(separator: "\n").count == 2, "\(c.name): one line of error, then the status: \(out)")
  }

  @Test func a_pinned_certificate_is_accepted_without_a_ca() throws {
    if let tool = Self.missingTool() {
      Issue.record("\(tool) is needed (apt-get install dcmtk openssl socat)")
      return
    }
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    let script = """
      cd '\(dir.path)'
      \(TestCertificates.shell)
      mkdir -p stored
      storescp +tls server.key server.pem +cf ca.pem -aet STORESCP -od stored \(port) > server.log 2>&1 & spid=$!
      sleep 0.5
      '\(try BuiltProducts.biloba())' echo --host 127.0.0.1 --port \(port) --called-aet STORESCP \
        --tls-pin $(openssl x509 -in server.pem -noout -fingerprint -sha256 | cut -d= -f2) \
        --tls-cert client.pem --tls-key client.key > out 2>&1
      kill $spid
      wait
      true
      """
    _ = try IsolatedNetwork.run(script)
    let out = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
    #expect(out.contains("Success"), "\(out)")
  }
}

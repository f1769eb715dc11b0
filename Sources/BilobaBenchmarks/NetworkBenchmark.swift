import DICOM
import Foundation
import Spawn

/// Issue 5's figures, on loopback, each beside its peer in the same run: receiving the 200-slice CT
/// study over C-STORE (our `biloba listen` into the archive, against DCMTK's storescp with default
/// options, the same sender for both), and a C-MOVE of that study out of Orthanc (`biloba move` into
/// the archive against DCMTK's `movescu --port` receiving into itself).
enum NetworkBenchmark {
  struct Server {
    let process: ChildProcess
    func stop() {
      process.send(SIGTERM)
      process.wait()
    }
  }

  static func start(_ arguments: [String], log: String? = nil) throws -> Server {
    Server(process: try ChildProcess(arguments, stderr: log.map { .file($0) } ?? .null))
  }

  /// Waits until a DICOM peer answers C-ECHO (DCMTK's echoscu).
  static func waitForEcho(aet: String, port: Int) throws {
    for _ in 0..<100 {
      if (try? GraphicsBenchmark.runProcess(["echoscu", "-aec", aet, "127.0.0.1", String(port)])) != nil { return }
      usleep(50_000)
    }
    throw BenchmarkError.peerFailed("nothing answers C-ECHO on port \(port)")
  }

  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return (clock.now - start).seconds
  }

  static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

  static func run(paths: [String], repeats: Int, directory: String) throws -> [Figure] {
    for tool in ["storescp", "storescu", "echoscu", "movescu"]
    where (try? GraphicsBenchmark.runProcess(["which", tool])) == nil {
      print("network: \(tool) missing (apt-get install dcmtk); skipped")
      return []
    }
    let biloba = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "biloba"
    ).path
    guard FileManager.default.isExecutableFile(atPath: biloba) else {
      print("network: \(biloba) missing (swift build -c release); skipped")
      return []
    }
    let megabytes =
      Double(paths.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) })
      / 1e6
    let count = Double(paths.count)
    let port = Int.random(in: 30000...50000)
    var figures: [Figure] = []

    // Receiving: the same sender against each receiver; a fresh store each run.
    func receive(sender: [String], receiver: (String) -> [String], aet: String) throws -> Double {
      var runs: [Double] = []
      // storescp takes about 10 s a run: at most three runs of the peer.
      for _ in 0..<(receiver("").contains("storescp") ? min(repeats, 3) : repeats) {
        let target = directory + "-received"
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        // Each run starts with nothing of the previous one waiting to be written back (storescp never
        // syncs; its 100 MB would otherwise land on the next run's disk flushes).
        sync()
        let server = try start(receiver(target))
        defer { server.stop() }
        try waitForEcho(aet: aet, port: port)
        runs.append(try seconds { _ = try GraphicsBenchmark.runProcess(sender) })
      }
      return median(runs)
    }
    let storescp = { (dir: String) in ["storescp", "-aet", "STORESCP", "-od", dir, String(port)] }
    let listen = { (dir: String) in [biloba, "listen", "--port", String(port), "--archive", dir, "--aet", "BILOBA"] }
    for (name, sender) in [
      (
        "biloba send",
        { (aet: String) in [biloba, "send", "--host", "127.0.0.1", "--port", String(port), "--called-aet", aet] + paths
        }
      ),
      (
        "biloba send --parallel 4",
        { (aet: String) in
          [biloba, "send", "--parallel", "4", "--host", "127.0.0.1", "--port", String(port), "--called-aet", aet]
            + paths
        }
      ),
      ("storescu", { (aet: String) in ["storescu", "-aec", aet, "127.0.0.1", String(port)] + paths }),
    ] {
      let theirs = try receive(sender: sender("STORESCP"), receiver: storescp, aet: "STORESCP")
      let ours = try receive(sender: sender("BILOBA"), receiver: listen, aet: "BILOBA")
      figures.append(
        Figure(
          name: "receive 200 CT, sent by \(name): images/s", ours: count / ours, peer: count / theirs,
          peerName: "storescp", unit: "img/s", higherIsBetter: true))
      figures.append(
        Figure(
          name: "receive 200 CT, sent by \(name): MB/s", ours: megabytes / ours, peer: megabytes / theirs,
          peerName: "storescp", unit: "MB/s", higherIsBetter: true))
    }
    figures += try tlsCost(paths: paths, directory: directory, biloba: biloba, receive: receive, port: port)
    figures += try moveFromOrthanc(
      paths: paths, repeats: repeats, directory: directory, biloba: biloba, port: port + 10)
    figures += try wadoFromOrthanc(
      paths: paths, repeats: repeats, directory: directory, biloba: biloba, port: port + 20)
    return figures
  }

  /// C-MOVE of the study from Orthanc: into `biloba move`'s archive, and into DCMTK's movescu.
  static func moveFromOrthanc(paths: [String], repeats: Int, directory: String, biloba: String, port: Int) throws
    -> [Figure]
  {
    guard (try? GraphicsBenchmark.runProcess(["which", "Orthanc"])) != nil else {
      print("network: Orthanc missing (apt-get install orthanc); C-MOVE skipped")
      return []
    }
    let (http, dicom, ours, theirs) = (port, port + 1, port + 2, port + 3)
    let home = directory + "-orthanc"
    try? FileManager.default.removeItem(atPath: home)
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    try """
    { "Name": "bench", "StorageDirectory": "\(home)/storage", "IndexDirectory": "\(home)/index",
      "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
      "AuthenticationEnabled": false, "Plugins": [],
      "DicomModalities": { "biloba": ["BILOBA", "127.0.0.1", \(ours)], "movescu": ["MOVESCU", "127.0.0.1", \(theirs)] } }
    """.write(toFile: home + "/orthanc.json", atomically: true, encoding: .utf8)
    let orthanc = try start(["Orthanc", home + "/orthanc.json"])
    defer { orthanc.stop() }
    try waitForEcho(aet: "ORTHANC", port: dicom)
    _ = try GraphicsBenchmark.runProcess(
      [biloba, "send", "--host", "127.0.0.1", "--port", String(dicom), "--called-aet", "ORTHANC"] + paths)
    let file = try DICOMFile.read(path: paths[0], options: ReadOptions(stopBeforePixelData: true))
    let study = file.dataset.string(Tag.studyInstanceUID) ?? ""
    var oursRuns: [Double] = []
    var theirRuns: [Double] = []
    for _ in 0..<repeats {
      let archive = directory + "-moved"
      try? FileManager.default.removeItem(atPath: archive)
      oursRuns.append(
        try seconds {
          _ = try GraphicsBenchmark.runProcess([
            biloba, "move", "--host", "127.0.0.1", "--port", String(dicom), "--called-aet", "ORTHANC", "--study", study,
            "--listen-port", String(ours), "--archive", archive,
          ])
        })
      let target = directory + "-movescu"
      try? FileManager.default.removeItem(atPath: target)
      try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
      theirRuns.append(
        try seconds {
          _ = try GraphicsBenchmark.runProcess([
            "movescu", "-S", "-aec", "ORTHANC", "-aet", "MOVESCU", "-aem", "MOVESCU", "--port", String(theirs), "-od",
            target,
            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=\(study)", "127.0.0.1", String(dicom),
          ])
        })
    }
    let count = Double(paths.count)
    return [
      Figure(
        name: "C-MOVE 200 CT from Orthanc: images/s", ours: count / median(oursRuns), peer: count / median(theirRuns),
        peerName: "movescu", unit: "img/s", higherIsBetter: true)
    ]
  }

  /// The cost of DICOM TLS: `biloba send` into `biloba listen --tls` beside the same pair in plaintext
  /// (the peer column), with a test certificate made by openssl for the run.
  static func tlsCost(
    paths: [String], directory: String, biloba: String,
    receive: (_ sender: [String], _ receiver: (String) -> [String], _ aet: String) throws -> Double, port: Int
  ) throws -> [Figure] {
    guard (try? GraphicsBenchmark.runProcess(["which", "openssl"])) != nil else {
      print("network: openssl missing; the TLS cost skipped")
      return []
    }
    let pki = directory + "-pki"
    try? FileManager.default.removeItem(atPath: pki)
    try FileManager.default.createDirectory(atPath: pki, withIntermediateDirectories: true)
    _ = try GraphicsBenchmark.runProcess([
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki + "/key.pem", "-out",
      pki + "/cert.pem", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
    ])
    chmod(pki + "/key.pem", 0o600)
    let tls = ["--tls", "--tls-ca", pki + "/cert.pem"]
    let peer = ["--host", "127.0.0.1", "--port", String(port), "--called-aet", "BILOBA"]
    let send = [biloba, "send"] + peer
    let listen = { (dir: String) in [biloba, "listen", "--port", String(port), "--archive", dir, "--aet", "BILOBA"] }
    // listen's echo check is plaintext (echoscu); a TLS listener answers biloba's.
    let plain = try receive(send + paths, listen, "BILOBA")
    let secure = try receiveOverTLS(
      sender: send + tls + paths,
      receiver: listen(directory + "-received") + [
        "--tls", "--tls-cert", pki + "/cert.pem", "--tls-key", pki + "/key.pem",
      ],
      echo: [biloba, "echo"] + peer + tls, directory: directory)
    let count = Double(paths.count)
    return [
      Figure(
        name: "receive 200 CT over DICOM TLS: images/s", ours: count / secure, peer: count / plain,
        peerName: "plaintext", unit: "img/s", higherIsBetter: true)
    ]
  }

  /// One timed send into a TLS listener (three runs, the median), ready once `echo` succeeds.
  static func receiveOverTLS(sender: [String], receiver: [String], echo: [String], directory: String) throws -> Double {
    var runs: [Double] = []
    for _ in 0..<3 {
      try? FileManager.default.removeItem(atPath: directory + "-received")
      sync()
      let server = try start(receiver)
      defer { server.stop() }
      var up = false
      for _ in 0..<100 where !up {
        up = (try? GraphicsBenchmark.runProcess(echo)) != nil
        if !up { usleep(50_000) }
      }
      guard up else { throw BenchmarkError.peerFailed("biloba listen --tls does not answer") }
      runs.append(try seconds { _ = try GraphicsBenchmark.runProcess(sender) })
    }
    return median(runs)
  }

  /// WADO-RS of the study from Orthanc's DICOMweb plugin into `biloba get`'s archive (planning search,
  /// parsing, archive writes and sync included), beside curl writing the same multipart answer to one file
  /// (the limit: no parsing, no sync), and beside our own C-GET from the same Orthanc.
  static func wadoFromOrthanc(paths: [String], repeats: Int, directory: String, biloba: String, port: Int) throws
    -> [Figure]
  {
    let plugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
    guard (try? GraphicsBenchmark.runProcess(["which", "Orthanc"])) != nil,
      (try? GraphicsBenchmark.runProcess(["which", "curl"])) != nil, FileManager.default.fileExists(atPath: plugin)
    else {
      print("network: Orthanc, orthanc-dicomweb or curl missing; WADO-RS skipped")
      return []
    }
    let (http, dicom) = (port, port + 1)
    let home = directory + "-orthanc-web"
    try? FileManager.default.removeItem(atPath: home)
    try FileManager.default.createDirectory(atPath: home + "/config/biloba", withIntermediateDirectories: true)
    try """
    { "Name": "bench-web", "StorageDirectory": "\(home)/storage", "IndexDirectory": "\(home)/index",
      "HttpPort": \(http), "DicomPort": \(dicom), "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
      "AuthenticationEnabled": false, "Plugins": ["\(plugin)"], "DicomWeb": { "Enable": true, "Root": "/dicom-web/" },
      "DicomModalities": { "biloba": ["BILOBA", "127.0.0.1", 104] } }
    """.write(toFile: home + "/orthanc.json", atomically: true, encoding: .utf8)
    try "[nodes.web]\nurl = \"http://127.0.0.1:\(http)/dicom-web\"\n".write(
      toFile: home + "/config/biloba/config.toml", atomically: true, encoding: .utf8)
    let orthanc = try start(["Orthanc", home + "/orthanc.json"])
    defer { orthanc.stop() }
    try waitForEcho(aet: "ORTHANC", port: dicom)
    let peer = ["--host", "127.0.0.1", "--port", String(dicom), "--called-aet", "ORTHANC"]
    _ = try GraphicsBenchmark.runProcess([biloba, "send"] + peer + paths)
    let file = try DICOMFile.read(path: paths[0], options: ReadOptions(stopBeforePixelData: true))
    let study = file.dataset.string(Tag.studyInstanceUID) ?? ""
    let config = ["--config", home + "/config/biloba/config.toml"]
    var (web, curl, get): ([Double], [Double], [Double]) = ([], [], [])
    // Every run writes into a folder of its own, all removed after the last: removing a 200-file archive
    // just before the next run made each file that run created cost ext4 a search past the inodes freed
    // a moment ago (a quarter of the retrieve's CPU in `perf`), which curl's one file hardly paid and a
    // reader retrieving into their archive does not. Each run starts with nothing of another waiting to
    // be written back: ours syncs the file system at its end, and would otherwise pay for curl's 100 MB.
    let runs = directory + "-wado-runs"
    try? FileManager.default.removeItem(atPath: runs)
    try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: runs) }
    for run in 0..<repeats {
      sync()
      web.append(
        try seconds {
          _ = try GraphicsBenchmark.runProcess(
            [biloba, "get", "--node", "web", "--study", study, "--archive", "\(runs)/wado-\(run)"] + config)
        })
      sync()
      curl.append(
        try seconds {
          _ = try GraphicsBenchmark.runProcess([
            "curl", "-sf", "-H", #"Accept: multipart/related; type="application/dicom"; transfer-syntax=*"#, "-o",
            "\(runs)/curl-\(run).multipart", "http://127.0.0.1:\(http)/dicom-web/studies/\(study)",
          ])
        })
      sync()
      get.append(
        try seconds {
          _ = try GraphicsBenchmark.runProcess(
            [biloba, "get"] + peer + ["--study", study, "--archive", "\(runs)/cget-\(run)"])
        })
    }
    let count = Double(paths.count)
    return [
      Figure(
        name: "WADO-RS 200 CT from Orthanc: images/s", ours: count / median(web), peer: count / median(curl),
        peerName: "curl", unit: "img/s", higherIsBetter: true),
      Figure(
        name: "WADO-RS 200 CT beside our C-GET: images/s", ours: count / median(web), peer: count / median(get),
        peerName: "C-GET", unit: "img/s", higherIsBetter: true),
    ]
  }
}

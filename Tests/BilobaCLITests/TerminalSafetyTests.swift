import DICOM
import DICOMNetwork
import Foundation
import Spawn
import SyntheticData
import TestSupport
import Testing

/// The one text-safety rule on every output path: whatever a file or a peer carries (ESC, CSI and OSC
/// sequences, a raw 0x9B byte, an encoded U+009B, U+202E), no output holds an escape, a C1 control or a
/// bidi control, and every output is valid UTF-8 (a lone 0x9B is CSI to an 8-bit terminal).
@Suite struct TerminalSafetyTests {
  /// What a hostile string carries, as UTF-8 text.
  static let payload = "A\u{1B}]0;pwned\u{07}B\u{1B}[31mC\u{9B}2JD\u{202E}E\u{2066}F\u{7F}G"
  /// The same, plus a raw 0x9B byte, for byte-valued strings in the default repertoire.
  static var rawPayload: [UInt8] { Array("A\u{1B}[31mB".utf8) + [0x9B] + Array("2JC".utf8) }

  /// Checks one output: valid UTF-8 with no unsafe scalar (line feeds and tabs allowed; carriage returns
  /// where the output is our own picture).
  static func check(_ bytes: [UInt8], _ what: String, picture: Bool = false) {
    guard let text = String(validating: bytes, as: UTF8.self) else {
      Issue.record("\(what): not valid UTF-8 (a raw C1 byte?)")
      return
    }
    for s in text.unicodeScalars where !(TextSafety.isSafe(s) || s == "\n" || s == "\t" || (picture && s == "\r")) {
      Issue.record("\(what): U+\(String(s.value, radix: 16, uppercase: true)) in the output")
      return
    }
  }

  static func run(_ arguments: [String]) throws -> CapturedRun {
    try ChildProcess.run([try BuiltProducts.biloba()] + arguments)
  }

  /// A file with the payload in every string VR (UIDs and the transfer syntax UID too), in UTF-8.
  static func hostileFile(_ path: String, rawBytes: Bool) throws {
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 4, columns: 4)
    let value: [UInt8] = rawBytes ? rawPayload : Array(payload.utf8)
    if !rawBytes { try ds.set(.specificCharacterSet, .CS, "ISO_IR 192") }
    let tags: [(UInt16, UInt16, VR)] = [
      (0x0008, 0x0050, .SH), (0x0008, 0x0060, .CS), (0x0008, 0x0080, .LO), (0x0008, 0x0090, .PN),
      (0x0008, 0x1030, .LO), (0x0008, 0x103E, .LO), (0x0010, 0x0010, .PN), (0x0010, 0x0020, .LO),
      (0x0010, 0x1010, .AS), (0x0010, 0x4000, .LT), (0x0018, 0x0015, .CS), (0x0020, 0x0010, .SH),
      (0x0008, 0x0020, .DA), (0x0008, 0x0030, .TM), (0x0018, 0x1030, .LO), (0x0008, 0x0054, .AE),
      (0x0040, 0x0280, .ST), (0x0008, 0x0119, .UC), (0x0008, 0x0120, .UR), (0x0020, 0x4000, .LT),
      (0x0028, 0x1050, .DS), (0x0020, 0x0013, .IS), (0x0008, 0x002A, .DT), (0x0018, 0x9152, .UT),
      // A UID the index keys on keeps working; a referenced one carries the payload.
      (0x0008, 0x1155, .UI),
    ]
    for (g, e, vr) in tags {
      ds.set(Element(tag: Tag(g, e), vr: vr, bytes: value.count % 2 == 0 ? value : value + [0x20]))
    }
    var file = DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian)
    file.meta = file.completedMeta()
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    // The meta group's transfer syntax UID with an OSC sequence: rewrite the file's bytes in place.
    var bytes = try DICOMFile.bytes(path: path)
    let ts = Array("1.2.840.10008.1.2.1".utf8)
    if let at = bytes.firstRange(of: ts) {
      bytes.replaceSubrange(at, with: Array("\u{1B}]2;x\u{07}.2.1.....".utf8).prefix(ts.count))
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path + ".ts.dcm"))
  }

  @Test func dump_studies_and_errors_show_no_control_from_a_hostile_file() throws {
    let dir = try TemporaryDirectory()
    for raw in [false, true] {
      let path = dir.file("hostile-\(raw).dcm")
      try Self.hostileFile(path, rawBytes: raw)
      for file in [path, path + ".ts.dcm"] {
        for arguments in [["dump", file], ["dump", "--json", file], ["dump", "--all", file]] {
          let out = try Self.run(arguments)
          Self.check(out.stdout, "\(arguments) stdout")
          Self.check(out.stderr, "\(arguments) stderr")
        }
        for arguments in [
          ["show", "--protocol", "ascii", file], ["export", file, "-o", dir.file("x.png")],
          ["export", file, "-o", dir.file("x.\u{1B}[31m")],
        ] {
          let out = try Self.run(arguments)
          Self.check(out.stdout, "\(arguments) stdout", picture: true)
          Self.check(out.stderr, "\(arguments) stderr")
        }
      }
      let archive = dir.file("archive-\(raw)")
      let imported = try Self.run(["import", "--archive", archive, path])
      Self.check(imported.stdout + imported.stderr, "import")
      for arguments in [["studies", "--archive", archive], ["studies", "--archive", archive, "--json"]] {
        let out = try Self.run(arguments)
        #expect(out.status == 0)
        #expect(!out.stdout.isEmpty, "\(arguments) listed nothing")
        Self.check(out.stdout + out.stderr, "\(arguments)")
      }
    }
    // An error naming a hostile path, and a hostile option value.
    for arguments in [
      ["dump", dir.file("no\u{1B}]0;x\u{07}such\u{202E}file")],
      ["export", "--window", "\u{1B}[31m", "x", "-o", "y.png"],
      ["echo", "--host", "\u{1B}[31mhost", "--port", "104"], ["\u{1B}[2Jnot-a-command"],
    ] {
      let out = try Self.run(arguments)
      #expect(out.status != 0)
      Self.check(out.stdout + out.stderr, "\(arguments)")
    }
  }

  @Test func find_text_and_json_show_no_control_from_a_hostile_peer() throws {
    for json in [false, true] {
      let peer = try ScriptedPeer { _, a in
        guard a.acceptAssociation(), let find = a.readMessage() else { return }
        var match = Dataset(byteOrder: .little)
        try? match.set(.specificCharacterSet, .CS, "ISO_IR 192")
        match.set(Element(tag: Tag(0x0008, 0x0052), vr: .CS, bytes: Array("STUDY ".utf8)))
        for (g, e, vr) in [
          (0x0010, 0x0010, VR.PN), (0x0010, 0x0020, .LO), (0x0008, 0x1030, .LO), (0x0020, 0x000D, .UI),
        ] {
          let value = Array(Self.payload.utf8)
          match.set(
            Element(tag: Tag(UInt16(g), UInt16(e)), vr: vr, bytes: value.count % 2 == 0 ? value : value + [0x20]))
        }
        let syntax = TransferSyntax.from(uid: a.accepted[find.contextID]?.transferSyntax ?? "1.2.840.10008.1.2")
        let bytes = try? DatasetWriter(transferSyntax: syntax).encode(match)
        guard var pending = try? DIMSECommand.response(to: find.command, status: .pending) else { return }
        pending.dataset.set(Tag(0x0000, 0x0800), .US, integers: [0])
        a.send(pending, dataset: bytes, contextID: find.contextID)
        a.respond(to: find.command, contextID: find.contextID, status: .success)
        a.answerRelease()
      }
      let out = try Self.run(
        ["find", "--host", "127.0.0.1", "--port", String(peer.port), "--called-aet", "PACS", "-v"]
          + (json ? ["--json"] : []))
      #expect(out.status == 0, "\(String(decoding: out.stderr, as: UTF8.self))")
      #expect(out.stdout.count > 40)
      Self.check(out.stdout, "find json=\(json) stdout")
      Self.check(out.stderr, "find json=\(json) stderr")
    }
  }

  @Test func listen_logs_show_no_control_from_a_hostile_peer_at_any_level() throws {
    let dir = try TemporaryDirectory()
    let port = IsolatedNetwork.port()
    let log = dir.file("listen.log")
    let listener = try ChildProcess(
      [try BuiltProducts.biloba(), "listen", "-v", "--port", String(port), "--archive", dir.file("a")],
      stderr: .file(log))
    let peer = try #require(connectWhenReady(port: port))
    let a = ScriptedAssociation(peer: peer)
    let hostileClass = "1.2.840.10008.5.1.4.1.1.2\u{1B}]0;x\u{07}\u{9B}"
    let contexts = [
      ProposedContext(id: 1, abstractSyntax: "1.2.840.10008.5.1.4.1.1.2", transferSyntaxes: ["1.2.840.10008.1.2.1"]),
      ProposedContext(id: 3, abstractSyntax: hostileClass, transferSyntaxes: ["1.2.840.10008.1.2.1\u{1B}[31m"]),
    ]
    #expect(a.requestAssociation(calledAE: "BILOBA", callingAE: "X\u{1B}[2J\u{9B}Y", contexts: contexts))
    let ds = try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(
      try SyntheticData.ctSlice(index: 0, of: 1, rows: 4, columns: 4))
    _ = a.store(ds, sopClass: hostileClass, instance: "1.2.3\u{1B}[31m", contextID: 1)
    _ = a.store(ds, sopClass: "1.2.840.10008.5.1.4.1.1.2", instance: "1.2.3\u{202E}", contextID: 1, messageID: 2)
    a.release()
    listener.send(SIGTERM)
    listener.wait()
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: log)))
    #expect(bytes.count > 100, "listen logged nothing")
    Self.check(bytes, "listen log")
  }
}

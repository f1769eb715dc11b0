import DICOM
import DICOMNetwork
import Foundation
import Spawn
import Synchronization
import SyntheticData
import TestSupport
import Testing

/// Memory per association is bounded whatever peers send: `listen`, limited to 1 GiB of address space,
/// takes 16 hostile peers at once (partial P-DATA of up to 1 GiB, deflate bombs) and then a 2 GB
/// multi-frame object whole, its resident size staying under the documented bound.
@Suite(.serialized) struct ReceiveMemoryTests {
  /// The README's figure for `listen` with 16 associations at once.
  static let residentBound = 256 << 20
  static let us = "1.2.840.10008.5.1.4.1.1.3.1"
  static let explicitLE = "1.2.840.10008.1.2.1"
  static let deflated = "1.2.840.10008.1.2.1.99"

  static func residentPeak(_ pid: Int32) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) * 1024
  }

  /// The header of a multi-frame ultrasound object whose pixel data (`pixelBytes` of it) follows.
  static func header(instance: String, frames: Int, pixelBytes: Int) throws -> [UInt8] {
    var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 480, columns: 640)
    ds.remove(.pixelData)
    try ds.set(.sopClassUID, .UI, us)
    try ds.set(.sopInstanceUID, .UI, instance)
    try ds.set(.numberOfFrames, .IS, String(frames))
    ds.set(Tag(0x0028, 0x0002), .US, integers: [3])
    try ds.set(Tag(0x0028, 0x0004), .CS, "RGB")
    ds.set(Tag(0x0028, 0x0006), .US, integers: [0])
    ds.set(Tag(0x0028, 0x0100), .US, integers: [8])
    ds.set(Tag(0x0028, 0x0101), .US, integers: [8])
    ds.set(Tag(0x0028, 0x0102), .US, integers: [7])
    ds.set(Tag(0x0028, 0x0103), .US, integers: [0])
    var bytes = try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds)
    // (7FE0,0010) OB, explicit length: the value is streamed after this.
    bytes += [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0, 0]
    let length = UInt32(pixelBytes)
    bytes += [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
    return bytes
  }

  /// Sends a C-STORE whose dataset is `header` then `bodyBytes` of generated data, in 1 MiB PDUs;
  /// `complete` false stops before the last fragment and drops the connection.
  static func stream(
    _ a: ScriptedAssociation, header: [UInt8], bodyBytes: Int, instance: String, contextID: UInt8, complete: Bool
  ) -> DIMSEStatus? {
    guard var rq = try? DIMSECommand.storeRequest(messageID: 1, sopClass: us, sopInstance: instance),
      let _ = Optional(rq.dataset.set(Tag(0x0000, 0x0800), .US, integers: [0])), let command = try? rq.encoded()
    else { return nil }
    a.peer.send(
      PDU.dataTF([PresentationDataValue(contextID: contextID, isCommand: true, isLast: true, data: command)]).encoded())
    a.peer.send(
      PDU.dataTF([PresentationDataValue(contextID: contextID, isCommand: false, isLast: false, data: header)]).encoded()
    )
    let chunk = [UInt8](repeating: 0x5A, count: (1 << 20) - 64)
    var sent = 0
    while sent < bodyBytes {
      let n = min(chunk.count, bodyBytes - sent)
      sent += n
      let last = complete && sent == bodyBytes
      let pdv = PresentationDataValue(contextID: contextID, isCommand: false, isLast: last, data: Array(chunk[0..<n]))
      a.peer.send(PDU.dataTF([pdv]).encoded())
    }
    guard complete else { return nil }
    return a.readMessage(timeout: 120)?.command.status
  }

  @Test func listen_stays_bounded_under_sixteen_hostile_peers_and_receives_a_2_GB_object_whole() throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let port = IsolatedNetwork.port()
    let listener = try ChildProcess(
      [
        "prlimit", "--as=\(1 << 30)", biloba, "listen", "--port", String(port), "--archive", dir.file("archive"),
        "--max-associations", "20",
      ], stderr: .file(dir.file("listen.log")))
    defer {
      listener.send(SIGTERM)
      listener.wait()
    }
    let contexts = [
      ProposedContext(id: 1, abstractSyntax: Self.us, transferSyntaxes: [Self.explicitLE]),
      ProposedContext(id: 3, abstractSyntax: Self.us, transferSyntaxes: [Self.deflated]),
    ]
    _ = connectWhenReady(port: port)
    // A deflate bomb: a private value of 1 GiB of zeros in the header, about 1 MB deflated.
    var bombSet = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8)
    try bombSet.set(.sopClassUID, .UI, Self.us)
    bombSet.set(Element(tag: Tag(0x0009, 0x1010), vr: .OB, bytes: [UInt8](repeating: 0, count: 1 << 30)))
    let bomb = try DatasetWriter(transferSyntax: .deflatedExplicitVRLittleEndian).encode(bombSet)
    bombSet = Dataset()
    let bombInstance = SyntheticData.uid(9, 9)
    let group = DispatchGroup()
    let statuses = StatusList()
    for peer in 0..<16 {
      group.enter()
      Thread {
        defer { group.leave() }
        guard let raw = try? RawPeer(port: port) else { return }
        let a = ScriptedAssociation(peer: raw)
        guard a.requestAssociation(calledAE: "BILOBA", callingAE: "HOSTILE\(peer)", contexts: contexts) else { return }
        if peer < 8 {
          // Partial P-DATA: the first peer 1 GiB, the others 64 MiB, then the connection drops.
          let body = peer == 0 ? 1 << 30 : 64 << 20
          let header =
            (try? Self.header(instance: SyntheticData.uid(8, peer + 1), frames: 2000, pixelBytes: 1 << 31)) ?? []
          _ = Self.stream(
            a, header: header, bodyBytes: body, instance: SyntheticData.uid(8, peer + 1), contextID: 1, complete: false)
        } else {
          statuses.append(a.store(bomb, sopClass: Self.us, instance: bombInstance, contextID: 3))
          a.release()
        }
      }.start()
    }
    #expect(group.wait(timeout: .now() + 300) == .success)
    #expect(listener.isRunning, "listen did not survive")
    #expect(statuses.values.count == 8)
    #expect(statuses.values.allSatisfy { $0 != nil && $0 != .success }, "\(statuses.values)")
    let afterHostile = Self.residentPeak(listener.pid)
    #expect(afterHostile > 0 && afterHostile < Self.residentBound, "peak resident \(afterHostile >> 20) MiB")

    // A 2 GB multi-frame object (2,330 frames of 640x480 RGB) is received whole with the same bound.
    let frames = 2330
    let pixelBytes = frames * 640 * 480 * 3
    let instance = SyntheticData.uid(7, 1)
    let raw = try #require(try? RawPeer(port: port))
    let a = ScriptedAssociation(peer: raw)
    #expect(a.requestAssociation(calledAE: "BILOBA", callingAE: "MODALITY", contexts: contexts))
    let header = try Self.header(instance: instance, frames: frames, pixelBytes: pixelBytes)
    let status = Self.stream(a, header: header, bodyBytes: pixelBytes, instance: instance, contextID: 1, complete: true)
    #expect(status == .success)
    a.release()
    let peak = Self.residentPeak(listener.pid)
    #expect(peak > 0 && peak < Self.residentBound, "peak resident \(peak >> 20) MiB")
    let stats = try ProcessRunner.run(biloba, ["archive", "stats", "--archive", dir.file("archive"), "--json"])
    #expect(stats.stdout.contains("\"instances\":1"), "\(stats.stdout)")
    let incoming = try FileManager.default.contentsOfDirectory(atPath: dir.file("archive/incoming"))
    #expect(incoming.isEmpty, "partial files left: \(incoming)")
    FileHandle.standardError.write(
      Data(
        "listen peak resident: \(afterHostile >> 20) MiB after 16 hostile peers, \(peak >> 20) MiB after 2 GB\n".utf8))
  }
}

/// Statuses collected from peer threads.
final class StatusList: Sendable {
  private let items = Mutex<[DIMSEStatus?]>([])
  func append(_ s: DIMSEStatus?) { items.withLock { $0.append(s) } }
  var values: [DIMSEStatus?] { items.withLock { $0 } }
}

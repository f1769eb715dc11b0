// libFuzzer entry point: each input is the byte stream a peer sends on one connection to our Storage SCP,
// with a local archive behind it (the production `ArchiveStorage`). After the stream (and the close),
// the association must end within seconds, and nothing partial may be left in the archive's incoming/
// folder; a crash, a trap or a hang is a finding. Seeds (whole valid associations) are written by
// LLVMFuzzerInitialize when BILOBA_FUZZ_SEEDS names a folder.
import Archive
import DICOM
import DICOMNetwork
import Foundation
import Logging
import Retrieval

#if canImport(Glibc)
  import Glibc
#endif

final class World: @unchecked Sendable {
  let root: String
  let archive: LocalArchive
  let scp: StorageSCP
  var port = 0

  init() throws {
    root = NSTemporaryDirectory() + "biloba-association-fuzz-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    archive = try LocalArchive(root: root)
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    let entity = LocalEntity(
      aeTitle: "BILOBA", maxPDULength: 65536, timeouts: NetworkTimeouts(connect: 2, artim: 1, dimse: 2, idle: 2),
      maxMessageInMemory: 1 << 20)
    scp = StorageSCP(
      configuration: StorageSCPConfiguration(local: entity, maxAssociations: 4),
      storage: ArchiveStorage(archive: archive, maxObjectSize: 8 << 20, logger: logger), logger: logger)
  }

  func start() {
    let ready = DispatchSemaphore(value: 0)
    let scp = self.scp
    Task.detached { [self] in
      do {
        let listener = try await scp.listen(port: 0)
        self.port = listener.port
        ready.signal()
        try await listener.serve()
      } catch {
        fatalError("the SCP did not start: \(error)")
      }
    }
    ready.wait()
  }
}

nonisolated(unsafe) var world: World?

/// Whole associations to start from: a CT store in explicit and deflated syntax, an echo, a release.
func seeds() throws -> [[UInt8]] {
  let ct = "1.2.840.10008.5.1.4.1.1.2"
  let contexts = [
    ProposedContext(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"]),
    ProposedContext(id: 3, abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2.1"]),
    ProposedContext(id: 5, abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2.1.99"]),
  ]
  let rq = PDU.associateRQ(
    AssociateRequest(
      calledAE: "BILOBA", callingAE: "FUZZ", contexts: contexts,
      user: UserInformation(maxPDULength: 16384, implementationClassUID: "1.2.3.4"))
  ).encoded()
  var ds = Dataset(byteOrder: .little)
  try ds.set(.sopClassUID, .UI, ct)
  try ds.set(.sopInstanceUID, .UI, "1.2.3.4.5.6")
  try ds.set(Tag(0x0010, 0x0010), .PN, "FUZZ^SEED")
  try ds.set(Tag(0x0020, 0x000D), .UI, "1.2.3.4.5")
  try ds.set(Tag(0x0020, 0x000E), .UI, "1.2.3.4.5.7")
  ds.set(Tag(0x0028, 0x0010), .US, integers: [2])
  ds.set(Tag(0x0028, 0x0011), .US, integers: [2])
  ds.set(Element(tag: .pixelData, vr: .OW, bytes: [1, 0, 2, 0, 3, 0, 4, 0]))
  func store(_ syntax: TransferSyntax, context: UInt8) throws -> [UInt8] {
    var command = try DIMSECommand.storeRequest(messageID: 1, sopClass: ct, sopInstance: "1.2.3.4.5.6")
    command.dataset.set(Tag(0x0000, 0x0800), .US, integers: [0])
    let bytes = try DatasetWriter(transferSyntax: syntax).encode(ds)
    let half = bytes.count / 2
    return PDU.dataTF([
      PresentationDataValue(contextID: context, isCommand: true, isLast: true, data: try command.encoded())
    ])
    .encoded()
      + PDU.dataTF([
        PresentationDataValue(contextID: context, isCommand: false, isLast: false, data: Array(bytes[..<half]))
      ])
      .encoded()
      + PDU.dataTF([
        PresentationDataValue(contextID: context, isCommand: false, isLast: true, data: Array(bytes[half...]))
      ])
      .encoded()
  }
  var echo = try DIMSECommand.echoRequest(messageID: 2)
  echo.dataset.set(Tag(0x0000, 0x0800), .US, integers: [DIMSECommand.noDataset])
  let echoPDU = PDU.dataTF([
    PresentationDataValue(contextID: 1, isCommand: true, isLast: true, data: try echo.encoded())
  ])
  .encoded()
  let release = PDU.releaseRQ.encoded()
  return [
    rq + (try store(.explicitVRLittleEndian, context: 3)) + release,
    rq + (try store(.deflatedExplicitVRLittleEndian, context: 5)) + echoPDU + release,
    rq + echoPDU + release,
  ]
}

@_cdecl("LLVMFuzzerInitialize")
public func associationFuzzInitialize(
  _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
  if let folder = ProcessInfo.processInfo.environment["BILOBA_FUZZ_SEEDS"] {
    for (i, seed) in ((try? seeds()) ?? []).enumerated() {
      FileManager.default.createFile(atPath: folder + "/seed-\(i)", contents: Data(seed))
    }
  }
  do {
    world = try World()
  } catch {
    fatalError("cannot make the archive: \(error)")
  }
  world?.start()
  return 0
}

/// Connects to the SCP on loopback. The socket closes with a reset (linger 0), so tens of thousands of
/// runs leave no TIME_WAIT behind to exhaust the ephemeral ports.
func connectToSCP(_ port: Int) -> Int32 {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  var linger = linger(l_onoff: 1, l_linger: 0)
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(UInt16(port).bigEndian)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let ok = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
  }
  precondition(ok == 0, "cannot connect to the SCP")
  return fd
}

@_cdecl("LLVMFuzzerTestOneInput")
public func associationFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let world else { return 0 }
  let fd = connectToSCP(world.port)
  var sent = 0
  while sent < size {
    let n = send(fd, data + sent, size - sent, Int32(MSG_NOSIGNAL))
    if n <= 0 { break }
    sent += n
  }
  shutdown(fd, Int32(SHUT_WR))
  // The SCP must close within its timers once the stream has ended.
  let deadline = Date().addingTimeInterval(8)
  var buffer = [UInt8](repeating: 0, count: 65536)
  var closed = false
  while !closed && Date() < deadline {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&p, 1, 100) > 0 else { continue }
    if recv(fd, &buffer, buffer.count, 0) <= 0 { closed = true }
  }
  close(fd)
  precondition(closed, "the SCP kept a finished connection open for 8 s")
  // The association must end. The server may admit a connection a little after its client saw it close
  // (the accept loop runs on the cooperative pool), so it has ended once none is open for 5 ms; failing
  // is staying open for 30 s.
  let closedAt = Date()
  var quietSince: Date? = nil
  var ended = false
  while !ended && Date().timeIntervalSince(closedAt) < 30 {
    if world.scp.openConnections == 0 {
      let since = quietSince ?? Date()
      quietSince = since
      ended = Date().timeIntervalSince(since) > 0.005
    } else {
      quietSince = nil
    }
    usleep(500)
  }
  precondition(ended, "an association did not end within 30 s of its close")
  // Nothing partial: every spool of an association that ended is gone.
  let incoming = (try? FileManager.default.contentsOfDirectory(atPath: world.root + "/incoming")) ?? []
  let partial = incoming.filter { !IncomingFile.isWhole(world.root + "/incoming/" + $0) }
  precondition(partial.isEmpty, "partial files left in incoming/: \(partial)")
  if (try? world.archive.quarantined().count) ?? 0 > 100 { _ = try? world.archive.clearQuarantine() }
  return 0
}

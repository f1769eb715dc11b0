import Archive
import DICOM
import DICOMNetwork
import Foundation
import Logging
import SyntheticData
import Retrieval
import TestSupport

/// Our Storage SCP in this process, on a free loopback port, storing into a fresh archive.
struct SCPHarness {
  let dir: TemporaryDirectory
  let archive: LocalArchive
  let scp: StorageSCP
  let port: Int
  let task: Task<Void, any Error>
  static let ct = "1.2.840.10008.5.1.4.1.1.2"
  static let explicitLE = "1.2.840.10008.1.2.1"

  var archiveRoot: String { dir.file("archive") }

  static func start(maxAssociations: Int = 4, artim: Double = 0.5, idle: Double = 5, maxPDU: UInt32 = 16384)
    async throws -> SCPHarness
  {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    var logger = Logger(label: "test.scp")
    logger.logLevel = .critical
    let entity = LocalEntity(
      aeTitle: "BILOBA", maxPDULength: maxPDU, timeouts: NetworkTimeouts(connect: 2, artim: artim, dimse: 5, idle: idle)
    )
    let scp = StorageSCP(
      configuration: StorageSCPConfiguration(local: entity, maxAssociations: maxAssociations),
      storage: ArchiveStorage(archive: archive, logger: logger), logger: logger)
    let listener = try await scp.listen(port: 0)
    let task = Task { try await listener.serve() }
    return SCPHarness(dir: dir, archive: archive, scp: scp, port: listener.port, task: task)
  }

  func stop() { task.cancel() }

  var node: RemoteNode { RemoteNode(host: "127.0.0.1", port: port, aeTitle: "BILOBA") }

  static var requestor: LocalEntity {
    LocalEntity(aeTitle: "TESTSCU", maxPDULength: 16384, timeouts: NetworkTimeouts(connect: 2, artim: 2, dimse: 5))
  }

  static let contexts = ContextProposal.contexts([
    (ServiceClasses.verification, ServiceClasses.uncompressedSyntaxes), (ct, [explicitLE]),
  ])

  /// An A-ASSOCIATE-RQ for CT storage and verification, as bytes.
  static func associateRequest(calling: String = "RAWPEER") -> [UInt8] {
    PDU.associateRQ(
      AssociateRequest(
        calledAE: "BILOBA", callingAE: calling, contexts: contexts,
        user: UserInformation(maxPDULength: 16384, implementationClassUID: "1.2.3.4"))
    ).encoded()
  }

  /// Waits until `condition` holds or `seconds` pass.
  static func eventually(_ seconds: Double = 3, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if condition() { return true }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
  }

  /// Every regular file under the test directory that is not inside the archive root.
  func filesOutsideArchive() -> [String] {
    var out: [String] = []
    let walker = FileManager.default.enumerator(atPath: dir.path)
    while let relative = walker?.nextObject() as? String {
      let path = dir.path + "/" + relative
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
        !path.hasPrefix(archiveRoot + "/")
      {
        out.append(relative)
      }
    }
    return out
  }

  /// Files in the archive's object store (temporary ones included).
  func storedFiles() -> [String] {
    let objects = archiveRoot + "/objects"
    var out: [String] = []
    let walker = FileManager.default.enumerator(atPath: objects)
    while let relative = walker?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: objects + "/" + relative, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        out.append(relative)
      }
    }
    return out
  }
}

/// Reads one PDU from a raw peer (bytes after it stay buffered in the peer).
func readPDU(_ peer: RawPeer, timeout: Double = 3) -> PDU? {
  guard let bytes = peer.frame(headerSize: 6, lengthOffset: 2, timeout: timeout) else { return nil }
  return try? PDUDecoder(maximumLength: 1 << 24).decode(bytes[...])?.0
}

/// The next PDU, read off the cooperative threads.
func nextPDU(_ peer: RawPeer) async -> PDU? { await offCooperativePool { readPDU(peer) } }

/// Whether the server closed the connection within `seconds`, read off the cooperative threads.
func isClosed(_ peer: RawPeer, within seconds: Double) async -> Bool {
  await offCooperativePool { peer.isClosedByPeer(within: seconds) }
}

/// A CT slice's dataset bytes in explicit VR little endian, with the UIDs a test wants.
func ctDataset(instance: String, study: String? = nil, series: String? = nil) throws -> [UInt8] {
  var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8)
  ds.set(Element(tag: .sopInstanceUID, vr: .UI, bytes: Value.paddedUID(instance)))
  if let study { ds.set(Element(tag: Tag(0x0020, 0x000D), vr: .UI, bytes: Value.paddedUID(study))) }
  if let series { ds.set(Element(tag: Tag(0x0020, 0x000E), vr: .UI, bytes: Value.paddedUID(series))) }
  return try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(ds)
}

import DICOM
import DICOMNetwork

/// One Part 10 object arriving in pieces (a WADO-RS part) into the archive's receive path: its preamble
/// and file meta group are read from the first bytes, then the dataset goes to the storage's spool as it
/// arrives, exactly as stored. What does not read as Part 10 is refused before anything is spooled; what
/// is refused or cut short leaves nothing behind.
struct Part10Intake: Sendable {
  enum Failure: Error, CustomStringConvertible {
    case notPart10(String)
    var description: String {
      switch self {
      case .notPart10(let why): "not a DICOM Part 10 object: \(why)"
      }
    }
  }

  /// A file meta group larger than this is refused (it is a few hundred bytes).
  static let maxMetaBytes = 64 << 10
  let storage: ArchiveStorage
  let callingAE: String
  private var head: [UInt8] = []
  private var object: IncomingObject?
  private var spool: (any DatasetSpool)?
  private var inMemory: [UInt8] = []

  init(storage: ArchiveStorage, callingAE: String) {
    self.storage = storage
    self.callingAE = callingAE
  }

  mutating func append(_ bytes: [UInt8]) throws {
    guard object == nil else {
      try keep(bytes)
      return
    }
    head += bytes
    guard head.count >= 144 else { return }
    guard head[128..<132].elementsEqual([0x44, 0x49, 0x43, 0x4D]) else { throw Failure.notPart10("no DICM prefix") }
    // (0002,0000) UL 4 comes first and says how long the group is.
    guard head[132..<140].elementsEqual([0x02, 0x00, 0x00, 0x00, 0x55, 0x4C, 0x04, 0x00]) else {
      throw Failure.notPart10("no file meta group length")
    }
    let groupLength = head[140..<144].reversed().reduce(0) { $0 << 8 | Int($1) }
    guard groupLength <= Self.maxMetaBytes else { throw Failure.notPart10("a file meta group of \(groupLength) bytes") }
    let metaEnd = 144 + groupLength
    guard head.count >= metaEnd else { return }
    let meta = try DICOMFile.read(bytes: Array(head[..<metaEnd]), options: ReadOptions(stopBeforePixelData: true)).meta
    guard let sopClass = meta.string(Tag.mediaStorageSOPClassUID),
      let instance = meta.string(Tag.mediaStorageSOPInstanceUID),
      let syntax = meta.string(Tag.transferSyntaxUID)
    else { throw Failure.notPart10("the file meta group lacks its UIDs") }
    let incoming = IncomingObject(
      sopClassUID: sopClass, sopInstanceUID: instance, transferSyntaxUID: syntax, callingAE: callingAE)
    object = incoming
    spool = try storage.spool(for: incoming)
    let rest = Array(head[metaEnd...])
    head = []
    try keep(rest)
  }

  private mutating func keep(_ bytes: [UInt8]) throws {
    if let spool {
      try spool.append(bytes)
    } else {
      guard inMemory.count + bytes.count <= storage.maxObjectSize else {
        throw Failure.notPart10("larger than \(storage.maxObjectSize) bytes")
      }
      inMemory += bytes
    }
  }

  /// The part is whole: the archive's verdict as a C-STORE status.
  func finish() throws -> DIMSEStatus {
    guard let object else { throw Failure.notPart10("it ends before its file meta group") }
    return storage.storeNow(
      ReceivedObject(
        sopClassUID: object.sopClassUID, sopInstanceUID: object.sopInstanceUID,
        transferSyntaxUID: object.transferSyntaxUID, callingAE: object.callingAE, dataset: inMemory, spool: spool))
  }

  /// Drops what was spooled (a part cut short or refused).
  func discard() { spool?.discard() }
}

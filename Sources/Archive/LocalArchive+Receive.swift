import DICOM
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What became of a received object.
public enum ReceiveOutcome: Sendable, Equatable {
  /// New to the archive: stored (durable once `flushReceived()` returns).
  case stored
  /// The archive holds this instance with the same content: nothing changed.
  case alreadyHeld
  /// The archive holds this instance with other content and the sender may not replace it: the original
  /// stays, the newcomer is kept apart in `quarantine/` under this name.
  case quarantined(String)
  /// The archive held this instance with other content and the sender may replace it: the new object and
  /// its patient, study and series attributes take the old one's place.
  case replaced
}

/// How a receive treats what arrives: whether the sender may replace instances the archive holds, and
/// which objects were asked for (a retrieve keeps only its own study, series or instances).
public struct ReceivePolicy: Sendable {
  public var replacesInstances: Bool
  /// Whether an object belongs to what was asked for; nil takes every object.
  public var accepts: (@Sendable (InstanceRecord) -> Bool)?

  public init(replacesInstances: Bool = false, accepts: (@Sendable (InstanceRecord) -> Bool)? = nil) {
    self.replacesInstances = replacesInstances
    self.accepts = accepts
  }
}

extension LocalArchive {
  /// Where a received object came from, for the index's source column.
  public static func networkSource(callingAE: String) -> String {
    "dicom:" + TextSafety.text(callingAE).trimmingCharacters(in: .whitespaces)
  }

  /// Reading a received object to index it: groups 0008 to 0020 and Number of Frames only (the record's
  /// attributes), so a
  /// deflated dataset is inflated no further than them, and 8 MiB of inflated header is the most any
  /// association holds for it: a bomb stops there.
  static let receiveOptions = ReadOptions(
    stopBeforePixelData: true, limits: Limits(maxDecompressedSize: 8 << 20), stopBeforeTag: Tag.frameIncrementPointer)

  /// Starts receiving an object: a file in `incoming/` that takes the dataset's fragments as they arrive.
  public func beginReceiving(
    sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String,
    maxSize: Int = LocalArchive.defaultMaxReceivedObjectSize
  ) throws(ArchiveError) -> IncomingFile {
    try IncomingFile(
      directory: try journal().directory, sopClassUID: sopClassUID, sopInstanceUID: sopInstanceUID,
      transferSyntaxUID: transferSyntaxUID, callingAE: callingAE, maxSize: maxSize)
  }

  /// 4 GiB: a long ultrasound or angiography cine fits; a peer that sends more is refused.
  public static let defaultMaxReceivedObjectSize = 4 << 30

  /// Takes an object received in memory (the same path as a spooled one: it is written to `incoming/`
  /// first).
  @discardableResult
  public func receive(
    dataset: [UInt8], sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String,
    policy: ReceivePolicy = ReceivePolicy()
  ) throws(ArchiveError) -> ReceiveOutcome {
    let file = try beginReceiving(
      sopClassUID: sopClassUID, sopInstanceUID: sopInstanceUID, transferSyntaxUID: transferSyntaxUID,
      callingAE: callingAE)
    try file.append(dataset)
    return try receive(file, policy: policy)
  }

  /// Takes a received object whose file is complete: a Part 10 file whose meta group was written anew and
  /// whose dataset is the bytes as received (never transcoded). The object must name the SOP instance
  /// and class the command named, with well-formed UIDs, and be one `policy` accepts; otherwise nothing
  /// is kept. An instance the archive already holds is never changed unless the policy says the sender
  /// may replace it: the same content is a no-op, other content goes to quarantine. When this returns
  /// `.stored` or `.replaced`, the object is whole on this machine (a killed process loses nothing); the
  /// journal then syncs it, renames it into the store and indexes it, and `flushReceived()` waits for that.
  public func receive(_ file: IncomingFile, policy: ReceivePolicy = ReceivePolicy()) throws(ArchiveError)
    -> ReceiveOutcome
  {
    let record: InstanceRecord
    do {
      let syntax = TransferSyntax.from(uid: file.transferSyntaxUID)
      // The first 64 KiB usually hold groups 0008 to 0020; else the file is read back.
      let parsed =
        try DICOMFile.readDatasetPrefix(
          file.prefix, isWhole: file.prefix.count == file.datasetSize, transferSyntax: syntax,
          options: Self.receiveOptions
        ).map { DICOMFile(preamble: nil, meta: Dataset(), dataset: $0, transferSyntax: syntax) }
        ?? DICOMFile.read(path: file.path, options: Self.receiveOptions)
      guard let r = InstanceRecord(file: parsed) else {
        throw ArchiveError.rejectedObject("a Study, Series or SOP Instance UID is missing")
      }
      record = r
    } catch let error as ArchiveError {
      file.discard()
      throw error
    } catch {
      file.discard()
      throw ArchiveError.rejectedObject("dataset does not parse: \(error)")
    }
    guard record.sopInstanceUID == file.sopInstanceUID, record.sopClassUID == file.sopClassUID else {
      file.discard()
      throw ArchiveError.rejectedObject("the dataset's SOP Instance or Class UID differs from the command's")
    }
    for uid in [record.studyInstanceUID, record.seriesInstanceUID, record.sopInstanceUID, record.sopClassUID]
    where !UIDSyntax.isValid(uid) {
      file.discard()
      throw ArchiveError.rejectedObject("a UID is not well formed")
    }
    if let accepts = policy.accepts, !accepts(record) {
      file.discard()
      throw ArchiveError.notRequested
    }
    let journal = try journal()
    // One decision at a time: two copies of one instance arriving at once must not both pass as new.
    return try receiveGate.withLock { _ throws(ArchiveError) -> ReceiveOutcome in
      let held = try heldCopies(of: record.sopInstanceUID, journal: journal)
      guard !held.isEmpty else {
        try journal.enqueue(file, record: record, replaces: false)
        return .stored
      }
      if Self.sameContent(file, as: held) {
        file.discard()
        return .alreadyHeld
      }
      if policy.replacesInstances {
        try journal.enqueue(file, record: record, replaces: true)
        return .replaced
      }
      return .quarantined(try quarantine(file))
    }
  }

  /// Where the archive holds an instance now: its staged file (not yet indexed), then its indexed file.
  /// Both, because the flusher may move a staged file into the store between the two looks.
  private func heldCopies(of sopInstanceUID: String, journal: ReceiveJournal) throws(ArchiveError) -> [String] {
    [journal.stagedPath(of: sopInstanceUID), try storedPath(sopInstanceUID: sopInstanceUID)].compactMap { $0 }
  }

  /// Whether a received file carries the same dataset, in the same transfer syntax, as the held copy (the
  /// first of `heldPaths` that reads).
  static func sameContent(_ file: IncomingFile, as heldPaths: [String]) -> Bool {
    for path in heldPaths {
      // A held file that does not read (moved meanwhile, or damaged): the next place, else not the same.
      guard let held = try? DICOMFile.read(path: path, options: receiveOptions) else { continue }
      guard held.transferSyntax.uid == TransferSyntax.from(uid: file.transferSyntaxUID).uid else { return false }
      return FileComparison.sameBytes(file.path, from: file.headerLength, path, from: held.datasetOffset)
    }
    return false
  }

  /// Moves a received file to `quarantine/`, where `biloba archive quarantine` lists it.
  private func quarantine(_ file: IncomingFile) throws(ArchiveError) -> String {
    let directory = store.root + "/" + Self.quarantineFolder
    try FileStore.makeDirectory(directory)
    let name = UUID().uuidString.lowercased() + ".dcm"
    file.finishWriting()
    guard rename(file.path, directory + "/" + name) == 0 else {
      let reason = String(cString: strerror(errno))
      file.discard()
      throw ArchiveError.io(path: directory, reason: reason)
    }
    file.handedOver = true
    return name
  }

  public static let quarantineFolder = "quarantine"

  /// Waits until every object received so far is on disk and indexed; returns what failed.
  public func flushReceived() async -> [String] {
    guard let journal = try? journal() else { return ["the incoming folder cannot be opened"] }
    return await journal.flush()
  }

  /// Finishes what a killed process left: partial receives are removed, complete ones stored and
  /// indexed. Returns how many objects were recovered.
  public func recoverReceived() -> Int {
    (try? journal().recover()) ?? 0
  }
}

/// Byte comparison of two files' tails, in chunks (objects can be gigabytes).
enum FileComparison {
  static func sameBytes(_ a: String, from offsetA: Int, _ b: String, from offsetB: Int) -> Bool {
    let fa = open(a, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    let fb = open(b, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    defer {
      if fa >= 0 { close(fa) }
      if fb >= 0 { close(fb) }
    }
    guard fa >= 0, fb >= 0 else { return false }
    var sa = stat()
    var sb = stat()
    guard fstat(fa, &sa) == 0, fstat(fb, &sb) == 0, Int(sa.st_size) - offsetA == Int(sb.st_size) - offsetB else {
      return false
    }
    let chunk = 1 << 20
    var bufferA = [UInt8](repeating: 0, count: chunk)
    var bufferB = [UInt8](repeating: 0, count: chunk)
    var position = 0
    let length = Int(sa.st_size) - offsetA
    while position < length {
      let count = min(chunk, length - position)
      let ra = bufferA.withUnsafeMutableBytes { pread(fa, $0.baseAddress, count, off_t(offsetA + position)) }
      let rb = bufferB.withUnsafeMutableBytes { pread(fb, $0.baseAddress, count, off_t(offsetB + position)) }
      guard ra == count, rb == count, bufferA[0..<count] == bufferB[0..<count] else { return false }
      position += count
    }
    return true
  }
}

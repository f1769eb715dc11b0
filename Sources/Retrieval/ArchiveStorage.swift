public import Archive
public import Audit
public import DICOMNetwork
public import Logging
import Synchronization

/// The storage behind the Storage SCP, C-MOVE's SCP and C-GET: every received object goes into the local
/// archive through its one receive path, written to disk as it arrives. The archive's verdicts become
/// C-STORE statuses (documented in the README):
/// - stored, replaced, or the same content already held: Success (0000);
/// - an instance held with other content (kept in quarantine), or an object a retrieve did not ask for:
///   Refused: not authorized (0124);
/// - larger than the limit, or the disk failing: Refused: out of resources (A700);
/// - a dataset that does not parse or disagrees with its command: Error: cannot understand (C000).
public struct ArchiveStorage: StorageHandler {
  public let archive: LocalArchive
  /// The calling AE titles whose objects may replace instances the archive holds (`replace = true` on
  /// their node in config.toml); every other sender's differing copy goes to quarantine.
  public var replacingAETitles: Set<String>
  /// Which objects belong to what was asked for (a retrieve); nil takes all.
  public var accepts: (@Sendable (InstanceRecord) -> Bool)?
  /// Largest dataset accepted, in bytes.
  public var maxObjectSize: Int
  public let logger: Logger
  /// Called as objects and their fragments arrive (C-MOVE keeps its association alive with it).
  public var onActivity: (@Sendable () -> Void)?
  /// Where receives are recorded: one record a study and sender, when what arrived is on disk.
  public var audit: AuditLog?
  /// Objects received and not yet recorded, by sender and study.
  let tally = ReceiveTally()

  public init(
    archive: LocalArchive, replacingAETitles: Set<String> = [], accepts: (@Sendable (InstanceRecord) -> Bool)? = nil,
    maxObjectSize: Int = LocalArchive.defaultMaxReceivedObjectSize, logger: Logger = Logger(label: "biloba.storage"),
    onActivity: (@Sendable () -> Void)? = nil, audit: AuditLog? = nil
  ) {
    self.onActivity = onActivity
    self.audit = audit
    self.archive = archive
    self.replacingAETitles = replacingAETitles
    self.accepts = accepts
    self.maxObjectSize = maxObjectSize
    self.logger = logger
  }

  public func spool(for object: IncomingObject) throws -> (any DatasetSpool)? {
    onActivity?()
    return ArchiveSpool(
      onActivity: onActivity,
      file: try archive.beginReceiving(
        sopClassUID: object.sopClassUID, sopInstanceUID: object.sopInstanceUID,
        transferSyntaxUID: object.transferSyntaxUID, callingAE: object.callingAE, maxSize: maxObjectSize))
  }

  public func store(_ object: ReceivedObject) async -> DIMSEStatus { storeNow(object) }

  /// `store`, where it is called: the archive's receive path does not wait on anything but the disk.
  public func storeNow(_ object: ReceivedObject) -> DIMSEStatus {
    onActivity?()
    // The study an object belongs to, seen as the archive checks it (for the audit record).
    let study = StudySeen()
    let accepts = self.accepts
    let policy = ReceivePolicy(
      // The calling AE comes trimmed from the A-ASSOCIATE-RQ's decoding.
      replacesInstances: replacingAETitles.contains(object.callingAE),
      accepts: audit == nil
        ? accepts
        : { @Sendable record in
          study.set(record.studyInstanceUID)
          return accepts?(record) ?? true
        })
    do {
      let outcome: ReceiveOutcome
      if let spooled = object.spool as? ArchiveSpool {
        outcome = try archive.receive(spooled.file, policy: policy)
      } else {
        outcome = try archive.receive(
          dataset: object.dataset, sopClassUID: object.sopClassUID, sopInstanceUID: object.sopInstanceUID,
          transferSyntaxUID: object.transferSyntaxUID, callingAE: object.callingAE, policy: policy)
      }
      // Every object the sender gave us is counted, a copy kept apart in quarantine aside.
      if let uid = study.get(), outcome.isKept { tally.add(sender: object.callingAE, study: uid) }
      switch outcome {
      case .stored, .alreadyHeld, .replaced:
        if outcome == .replaced { logger.notice("an instance was replaced by its sender, as configured") }
        return .success
      case .quarantined(let name):
        // No patient data: the file's name in quarantine/ says where to look.
        logger.warning(
          "an instance the archive holds arrived with other content; the original stays, the new copy is in quarantine",
          metadata: ["peer": "\(LogPrivacy.peerText(object.callingAE))", "file": "\(name)"])
        return .notAuthorized
      }
    } catch {
      object.spool?.discard()
      switch error {
      case .rejectedObject: return .cannotUnderstand
      case .notRequested:
        logger.warning(
          "an object that was not asked for was refused", metadata: ["peer": "\(LogPrivacy.peerText(object.callingAE))"]
        )
        return .notAuthorized
      default: return .outOfResources
      }
    }
  }

  public func flush() async -> Bool {
    let durable = await archive.flushReceived().isEmpty
    // What is on disk now is recorded: one record a sender and study.
    for ((sender, study), count) in tally.drain() {
      do {
        try audit?.record(
          AuditEvent(
            action: .receive, outcome: durable ? .success : .seriousFailure, source: "listen",
            peer: .init(aeTitle: sender), studies: [study], objects: count))
      } catch {
        logger.error("audit record not kept: \(error)")
      }
    }
    return durable
  }
}

/// The archive's incoming file as the association's spool.
final class ArchiveSpool: DatasetSpool {
  let file: IncomingFile
  let onActivity: (@Sendable () -> Void)?

  init(onActivity: (@Sendable () -> Void)?, file: IncomingFile) {
    self.onActivity = onActivity
    self.file = file
  }

  func append(_ bytes: [UInt8]) throws {
    try file.append(bytes)
    onActivity?()
  }
  func discard() { file.discard() }
}

extension LocalArchive {
  /// Before receiving: finish what an interrupted receive left in incoming/ (complete objects stored,
  /// partial ones removed). An import's temporaries in objects/ are `archive check`'s: finding them walks
  /// the whole store, which a retrieve must not wait for.
  public func prepareForReceiving(logger: Logger) {
    let recovered = recoverReceived()
    if recovered > 0 { logger.notice("stored \(recovered) objects received before an interruption") }
  }
}

/// Objects received, by sender and study, until the next flush records them.
final class ReceiveTally: Sendable {
  private let counts = Mutex<[Key: Int]>([:])
  struct Key: Hashable { var sender: String, study: String }

  func add(sender: String, study: String) { counts.withLock { $0[Key(sender: sender, study: study), default: 0] += 1 } }

  func drain() -> [((String, String), Int)] {
    counts.withLock { counts in
      defer { counts = [:] }
      return counts.sorted { ($0.key.sender, $0.key.study) < ($1.key.sender, $1.key.study) }.map {
        (($0.key.sender, $0.key.study), $0.value)
      }
    }
  }
}

/// The study UID the archive's check saw for one object.
final class StudySeen: Sendable {
  private let uid = Mutex<String?>(nil)
  func set(_ value: String) { uid.withLock { $0 = value } }
  func get() -> String? { uid.withLock { $0 } }
}

extension ReceiveOutcome {
  /// Whether the archive holds the object as sent (stored, replaced, or the same already held).
  var isKept: Bool {
    if case .quarantined = self { return false }
    return true
  }
}

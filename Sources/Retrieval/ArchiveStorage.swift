public import Archive
public import DICOMNetwork
public import Logging

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

  public init(
    archive: LocalArchive, replacingAETitles: Set<String> = [], accepts: (@Sendable (InstanceRecord) -> Bool)? = nil,
    maxObjectSize: Int = LocalArchive.defaultMaxReceivedObjectSize, logger: Logger = Logger(label: "biloba.storage"),
    onActivity: (@Sendable () -> Void)? = nil
  ) {
    self.onActivity = onActivity
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

  public func store(_ object: ReceivedObject) async -> DIMSEStatus {
    onActivity?()
    let policy = ReceivePolicy(
      // The calling AE comes trimmed from the A-ASSOCIATE-RQ's decoding.
      replacesInstances: replacingAETitles.contains(object.callingAE), accepts: accepts)
    do {
      let outcome: ReceiveOutcome
      if let spooled = object.spool as? ArchiveSpool {
        outcome = try archive.receive(spooled.file, policy: policy)
      } else {
        outcome = try archive.receive(
          dataset: object.dataset, sopClassUID: object.sopClassUID, sopInstanceUID: object.sopInstanceUID,
          transferSyntaxUID: object.transferSyntaxUID, callingAE: object.callingAE, policy: policy)
      }
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

  public func flush() async -> Bool { await archive.flushReceived().isEmpty }
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
  /// Before receiving: finish what an interrupted run left (complete objects stored, partial ones removed).
  public func prepareForReceiving(logger: Logger) {
    let recovered = recoverReceived()
    let removed = store.removeOrphanTemporaries()
    if recovered > 0 { logger.notice("stored \(recovered) objects received before an interruption") }
    if removed > 0 { logger.notice("removed \(removed) partial files left by an interrupted run") }
  }
}

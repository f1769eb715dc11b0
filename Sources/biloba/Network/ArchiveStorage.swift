import Archive
import DICOMNetwork
import Logging

/// The Storage SCP's and C-GET's storage: every received object goes into the local archive through its
/// one receive call; the archive's errors become C-STORE statuses.
struct ArchiveStorage: StorageHandler {
  let archive: LocalArchive

  func store(_ object: ReceivedObject) async -> DIMSEStatus {
    do {
      try archive.receive(
        dataset: object.dataset, sopClassUID: object.sopClassUID, sopInstanceUID: object.sopInstanceUID,
        transferSyntaxUID: object.transferSyntaxUID, callingAE: object.callingAE)
      return .success
    } catch {
      if case .rejectedObject = error { return .cannotUnderstand }
      return .outOfResources
    }
  }

  func flush() async -> Bool { await archive.flushReceived().isEmpty }
}

extension LocalArchive {
  /// Before receiving: finish what an interrupted run left (complete objects stored, partial ones removed).
  func prepareForReceiving(logger: Logger) {
    let recovered = recoverReceived()
    let removed = store.removeOrphanTemporaries()
    if recovered > 0 { logger.notice("stored \(recovered) objects received before an interruption") }
    if removed > 0 { logger.notice("removed \(removed) partial files left by an interrupted run") }
  }
}

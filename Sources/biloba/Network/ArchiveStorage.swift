import Archive
import DICOMNetwork

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
}

import Archive
import DICOM
import DICOMNetwork
import DICOMweb
import Foundation
import Logging
import Retrieval
import Synchronization
import TestSupport
import Testing

/// A retrieve for a reader on screen asks Orthanc for one instance at a time around the slice shown, over
/// C-GET (one association) and over WADO-RS (one session), and everything still arrives byte for byte.
/// The requests are recorded on their way to the real backend.
@Suite(.serialized) struct ReadingOrderRetrievalTests {
  /// A backend that lets every call through and notes the SOP Instance UIDs asked for, in order.
  final class Recording: RemoteArchive {
    let inner: any RemoteArchive
    let asked = Mutex<[String]>([])
    init(inner: any RemoteArchive) { self.inner = inner }
    var name: String { inner.name }
    var fetchNeedsSOPClasses: Bool { inner.fetchNeedsSOPClasses }
    var address: String { inner.address }

    func find(root: ServiceClasses.Root, identifier: Dataset, onMatch: (Dataset) -> QueryControl) async throws
      -> DIMSEStatus
    {
      try await inner.find(root: root, identifier: identifier, onMatch: onMatch)
    }

    func fetch(
      _ requests: RequestSource, root: ServiceClasses.Root, storageClasses: [String], storage: ArchiveStorage,
      onProgress: @escaping @Sendable (SubOperationProgress) -> Void
    ) async throws -> RetrieveOutcome {
      let noted = RequestSource(
        pull: {
          let next = requests.next()
          if let uids = next?.strings(Tag.sopInstanceUID) { self.asked.withLock { $0 += uids } }
          return next
        }, remaining: requests.remaining)
      return try await inner.fetch(
        noted, root: root, storageClasses: storageClasses, storage: storage, onProgress: onProgress)
    }

    func send(_ paths: [String], parallel: Int) async -> SendOutcome { await inner.send(paths, parallel: parallel) }
  }

  @Test(arguments: ["C-GET", "WADO-RS"])
  func instances_come_one_by_one_around_the_slice_on_screen(backend: String) async throws {
    for tool in ["Orthanc", "curl"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install orthanc orthanc-dicomweb curl)")
      return
    }
    let f = try InteropFixture()
    let port = Int.random(in: 30000...60000)
    try DICOMwebInteropTests.write(
      DICOMwebInteropTests.orthanc(f.dir.path, http: port, dicom: port + 1), f.dir.file("orthanc.json"))
    let orthanc = try #require(
      try await TestOrthanc(config: f.dir.file("orthanc.json"), httpPort: port), "Orthanc did not start")
    defer { orthanc.stop() }
    let sent = try ProcessRunner.run(
      f.biloba, ["send", "--host", "127.0.0.1", "--port", "\(port + 1)", "--called-aet", "ORTHANC", f.filesDirectory])
    try #require(sent.status == 0, "\(sent.stderr)")

    let logger = Logger(label: "test")
    let inner: any RemoteArchive =
      backend == "C-GET"
      ? DIMSEArchive(
        node: RemoteNode(host: "127.0.0.1", port: port + 1, aeTitle: "ORTHANC"), entity: LocalEntity(aeTitle: "BILOBA"),
        acceptedSyntaxes: ServiceClasses.uncompressedSyntaxes + ["1.2.840.10008.1.2.4.80"], logger: logger)
      : DICOMwebArchive(
        name: "web",
        client: DICOMwebClient(
          endpoint: try DICOMwebEndpoint(url: "http://127.0.0.1:\(port)/dicom-web"), logger: logger))
    let recording = Recording(inner: inner)
    let study = f.studyUIDs[0]
    let series = try #require(f.hierarchy[study]?.keys.sorted())
    let archive = try LocalArchive(root: f.dir.file("archive"))
    var target = RetrieveTarget(study: study)
    target.firstImageFirst = true
    // The reader looks at the third slice of the first series (instance number 3), scrolling on.
    let outcome = try await Retriever(remote: recording, archive: archive, logger: logger).run(
      target, refetch: false, focus: { ReadingFocus(series: series[0], instanceNumber: 3, direction: 1) }
    ) { _ in }
    #expect(outcome.isCompleteSuccess, "\(outcome)")
    // Instance k of series s is UID study.s.k (SyntheticData): 3, then 4 ahead, 2, 1, then series 2.
    let expected = [
      series[0] + ".3", series[0] + ".4", series[0] + ".2", series[0] + ".1", series[1] + ".1", series[1] + ".2",
    ]
    #expect(recording.asked.withLock { $0 } == expected)
    try f.expectRetrieved(f.instances(study: study), in: f.dir.file("archive/objects"), "\(backend) in reading order")
  }
}

import DICOM
import DICOMweb
import Foundation
import Logging
import TestSupport
import Testing

/// WADO-RS frames and metadata from Orthanc's DICOMweb plugin, on loopback: the frames asked for are the
/// object's own frame bytes (pydicom splits the original's pixel data for the comparison), and the
/// metadata carries the object's attributes without its pixel data.
@Suite(.serialized) struct FramesAndMetadataTests {
  static let plugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"

  @Test func frames_are_the_objects_own_bytes_and_metadata_its_attributes() async throws {
    for tool in ["Orthanc", "curl", "python3"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install orthanc orthanc-dicomweb curl)")
      return
    }
    guard FileManager.default.fileExists(atPath: Self.plugin) else {
      Issue.record("orthanc-dicomweb is needed")
      return
    }
    let dir = try TemporaryDirectory()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    // Three frames of the sample slice, each its own (frame k: the slice's words plus k), and the frames'
    // bytes as pydicom reads them, one file each.
    let make = try ProcessRunner.run(
      "python3",
      [
        "-c",
        """
        import pydicom, sys, numpy
        ds = pydicom.dcmread(sys.argv[1])
        a = ds.pixel_array
        frames = [(a + k).astype(a.dtype) for k in range(3)]
        ds.NumberOfFrames = 3
        ds.PixelData = b"".join(f.tobytes() for f in frames)
        ds.SOPInstanceUID = ds.SOPInstanceUID + ".9"
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(sys.argv[2] + "/multi.dcm")
        size = len(ds.PixelData) // 3
        for k in range(3):
            open(sys.argv[2] + "/frame%d" % (k + 1), "wb").write(ds.PixelData[k * size:(k + 1) * size])
        print(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
        """,
        root + "/Samples/ct-head/slice001.dcm", dir.path,
      ])
    try #require(make.status == 0, "\(make.stderr)")
    let uids = make.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    let port = Int.random(in: 30000...60000)
    try """
    { "Name": "frames", "StorageDirectory": "\(dir.path)/storage", "IndexDirectory": "\(dir.path)/index",
      "HttpPort": \(port), "DicomPort": \(port + 1), "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
      "Plugins": ["\(Self.plugin)"], "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
    """.write(toFile: dir.file("orthanc.json"), atomically: true, encoding: .utf8)
    let orthanc = try #require(
      try await TestOrthanc(config: dir.file("orthanc.json"), httpPort: port), "Orthanc did not start")
    defer { orthanc.stop() }
    let upload = try ProcessRunner.run(
      "curl", ["-sf", "-X", "POST", "http://127.0.0.1:\(port)/instances", "--data-binary", "@" + dir.file("multi.dcm")])
    try #require(upload.status == 0)

    let client = DICOMwebClient(
      endpoint: try DICOMwebEndpoint(url: "http://127.0.0.1:\(port)/dicom-web"), logger: Logger(label: "test"))
    let (frames, metadata) = try await client.withSession { session in
      (
        try await session.frames(study: uids[0], series: uids[1], instance: uids[2], numbers: [1, 3]),
        try await session.metadata("studies/\(uids[0])/series/\(uids[1])/instances/\(uids[2])")
      )
    }
    #expect(frames.count == 2)
    for (part, number) in zip(frames, [1, 3]) {
      let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("frame\(number)"))))
      #expect(part.bytes == expected, "frame \(number): \(part.bytes.count) bytes, \(expected.count) expected")
    }
    let object = try #require(metadata.first)
    #expect(object.string(Tag.sopInstanceUID) == uids[2])
    #expect(object.int(Tag.numberOfFrames) == 3)
    #expect(object.string(Tag.patientName) == "PHANTOM^HEAD")
    #expect(object[Tag.pixelData] == nil, "the pixel data stays on the server (a BulkDataURI)")
  }
}

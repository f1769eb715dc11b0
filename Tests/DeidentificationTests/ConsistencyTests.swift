import DICOM
import Deidentification
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Pseudonyms and UIDs that agree across runs and studies, so a de-identified study keeps its references.
@Suite struct ConsistencyTests {
  static let key = ProfileConformanceTests.key

  /// Two CT studies of one patient, and a presentation state that points at an image of the first.
  static func writeStudies(in dir: TemporaryDirectory) throws -> (first: [String], second: [String]) {
    var subject = SyntheticData.Subject()
    var first: [String] = []
    for (i, slice) in try SyntheticData.ctSeries(count: 3, rows: 16, columns: 16, subject: subject).enumerated() {
      var d = slice
      try d.set(Tag(0x0028, 0x0301), .CS, "NO")
      first.append(dir.file("a\(i).dcm"))
      try DICOMFile(dataset: d, transferSyntax: .explicitVRLittleEndian).write(to: first[i])
    }
    let image = try DICOMFile.read(path: first[1]).dataset
    var state = Dataset()
    try state.set(Tag(0x0008, 0x0016), .UI, "1.2.840.10008.5.1.4.1.1.11.1")
    try state.set(Tag(0x0008, 0x0018), .UI, "1.2.826.0.1.3680043.10.77.1")
    for tag in [Tag(0x0010, 0x0010), Tag(0x0010, 0x0020), Tag(0x0010, 0x0030), Tag(0x0020, 0x000D)] {
      if let e = image[tag] { state.set(e) }
    }
    try state.set(Tag(0x0020, 0x000E), .UI, "1.2.826.0.1.3680043.10.77.2")
    var referencedImage = Dataset()
    try referencedImage.set(Tag(0x0008, 0x1150), .UI, "1.2.840.10008.5.1.4.1.1.2")
    try referencedImage.set(Tag(0x0008, 0x1155), .UI, try #require(image.string(Tag(0x0008, 0x0018))))
    var referencedSeries = Dataset()
    try referencedSeries.set(Tag(0x0020, 0x000E), .UI, try #require(image.string(Tag(0x0020, 0x000E))))
    referencedSeries.set(Tag(0x0008, 0x1140), items: [referencedImage])
    state.set(Tag(0x0008, 0x1115), items: [referencedSeries])
    first.append(dir.file("gsps.dcm"))
    try DICOMFile(dataset: state, transferSyntax: .explicitVRLittleEndian).write(to: first[3])

    subject.studyNumber = 2
    subject.studyDate = "20260301"
    var second: [String] = []
    for (i, slice) in try SyntheticData.ctSeries(count: 2, rows: 16, columns: 16, subject: subject).enumerated() {
      var d = slice
      try d.set(Tag(0x0028, 0x0301), .CS, "NO")
      second.append(dir.file("b\(i).dcm"))
      try DICOMFile(dataset: d, transferSyntax: .explicitVRLittleEndian).write(to: second[i])
    }
    return (first, second)
  }

  static func run(_ files: [String], into directory: String) throws -> [String: DICOMFile] {
    let run = DeidentificationRun(deidentifier: Deidentifier(settings: DeidentificationSettings(), key: key))
    let summary = try run.run(files: files, into: directory)
    var out: [String: DICOMFile] = [:]
    for path in summary.written { out[path] = try DICOMFile.read(path: path) }
    return out
  }

  @Test func two_studies_of_one_patient_deidentified_apart_share_the_pseudonym() throws {
    let dir = try TemporaryDirectory()
    let (first, second) = try Self.writeStudies(in: dir)
    let a = try Self.run(first, into: dir.file("out-a"))
    let b = try Self.run(second, into: dir.file("out-b"))
    let patients = Set((Array(a.values) + Array(b.values)).compactMap { $0.dataset.string(Tag(0x0010, 0x0020)) })
    #expect(patients.count == 1 && patients.first?.hasPrefix("ANON-") == true, "\(patients)")
    let studies = Set((Array(a.values) + Array(b.values)).compactMap { $0.dataset.string(Tag(0x0020, 0x000D)) })
    #expect(studies.count == 2)
  }

  @Test func a_presentation_state_still_points_at_its_image() throws {
    let dir = try TemporaryDirectory()
    let (first, _) = try Self.writeStudies(in: dir)
    let original = try DICOMFile.read(path: first[1]).dataset
    let out = try Self.run(first, into: dir.file("out"))
    let state = try #require(
      out.values.first { $0.dataset.string(Tag(0x0008, 0x0016)) == "1.2.840.10008.5.1.4.1.1.11.1" })
    let series = try #require(state.dataset.items(Tag(0x0008, 0x1115))?.first)
    let reference = try #require(series.items(Tag(0x0008, 0x1140))?.first?.string(Tag(0x0008, 0x1155)))
    let image = try #require(out.values.first { $0.dataset.string(Tag(0x0008, 0x0018)) == reference })
    #expect(image.dataset.string(Tag(0x0020, 0x0013)) == original.string(Tag(0x0020, 0x0013)))
    #expect(series.string(Tag(0x0020, 0x000E)) == image.dataset.string(Tag(0x0020, 0x000E)))
    #expect(reference != original.string(Tag(0x0008, 0x0018)))
  }

  @Test func running_again_writes_the_same_bytes() throws {
    let dir = try TemporaryDirectory()
    let (first, _) = try Self.writeStudies(in: dir)
    let one = try Self.run(first, into: dir.file("one"))
    let two = try Self.run(first, into: dir.file("two"))
    #expect(one.count == 4 && two.count == 4)
    for path in one.keys {
      let twin = path.replacingOccurrences(of: "/one/", with: "/two/")
      #expect(try DICOMFile.bytes(path: path) == DICOMFile.bytes(path: twin), "\(path)")
    }
  }

  @Test func another_key_gives_other_pseudonyms_and_uids() throws {
    let dir = try TemporaryDirectory()
    let (first, _) = try Self.writeStudies(in: dir)
    let file = try DICOMFile.read(path: first[0])
    let a = try Deidentifier(settings: .init(), key: Self.key).deidentify(file).dataset
    let b = try Deidentifier(settings: .init(), key: PseudonymKey(bytes: [UInt8](repeating: 9, count: 32)))
      .deidentify(file).dataset
    for tag in [Tag(0x0010, 0x0020), Tag(0x0020, 0x000D), Tag(0x0008, 0x0018)] {
      #expect(a.string(tag) != b.string(tag))
    }
  }
}

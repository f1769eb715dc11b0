import Archive
import DICOM
import Foundation
import TestSupport
import Testing

/// Key images saved as a Key Object Selection document are read by other software as the reader marked
/// them: dicom3tools' dciodvfy finds no error in the document, DCMTK's dsrdump reads its content tree,
/// pydicom finds each marked image in it and highdicom reads it as a key object selection, resolving each
/// image through the evidence; our own reading of it marks the same frames.
@Suite struct KeyObjectTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  /// The archive with the CT head and the multi-frame sample imported; the CT's files in instance order.
  /// The archive with the CT head, the multi-frame sample (of the same study) and a study of another
  /// patient imported; the CT's files in instance order.
  static func archive(_ dir: TemporaryDirectory) throws -> (
    LocalArchive, ct: [String], multiFrame: String, other: String
  ) {
    let archive = try LocalArchive(root: dir.file("archive"))
    let summary = try Importer(archive: archive).run([
      root + "/Samples/ct-head", root + "/Samples/misc/multiframe.dcm", root + "/Samples/names/name01.dcm",
    ])
    #expect(summary.imported == 26, "\(summary)")
    var ct: [String] = []
    var multiFrame = ""
    var other = ""
    for study in try StudyQuery().run(on: archive) {
      for series in try archive.series(studyInstanceUID: study.studyInstanceUID) {
        let paths = try archive.instancePaths(seriesInstanceUID: series.seriesInstanceUID)
        if paths.count > 1 {
          ct = paths
        } else if paths[0].hasSuffix("name01.dcm") || study.patientID != "BILOBA-0001" {
          other = paths[0]
        } else {
          multiFrame = paths[0]
        }
      }
    }
    return (archive, ct, multiFrame, other)
  }

  static func uid(_ path: String) throws -> String {
    try #require(try DICOMFile.read(path: path, options: .headerOnly).dataset.string(Tag.sopInstanceUID))
  }

  @Test func marked_slices_saved_as_a_key_object_pass_dciodvfy_and_are_read_by_dsrdump_and_pydicom() throws {
    for tool in ["python3", "dsrdump", "dciodvfy"] where !ProcessRunner.isInstalled(tool) {
      Issue.record("\(tool) is needed (apt-get install python3-pydicom dcmtk dicom3tools)")
      return
    }
    let dir = try TemporaryDirectory()
    let (archive, ct, _, _) = try Self.archive(dir)
    let marks = [KeyImages.Mark(path: ct[3], frame: 0), KeyImages.Mark(path: ct[17], frame: 0)]
    let saved = try KeyImages.save(marks, note: "Compare with prior", in: archive)
    #expect(saved.images == 2)

    let check = try ProcessRunner.run("dciodvfy", [saved.path])
    let errors = (check.stdout + check.stderr).split(separator: "\n").filter { $0.hasPrefix("Error") }
    #expect(errors.isEmpty, "\(check.stdout)\(check.stderr)")
    #expect((check.stdout + check.stderr).contains("KeyObjectSelectionDocument"), "\(check.stderr)")

    let tree = try ProcessRunner.run("dsrdump", ["+Pc", "+Pu", "+Pt", saved.path])
    #expect(tree.status == 0, "\(tree.stderr)")
    #expect(tree.stdout.contains("Key Object Selection Document"), "\(tree.stdout)")
    #expect(tree.stdout.contains("(113000,DCM,\"Of Interest\")"), "\(tree.stdout)")
    #expect(tree.stdout.contains("Compare with prior"), "\(tree.stdout)")
    #expect(tree.stdout.contains("TID 2010"), "\(tree.stdout)")
    for path in [ct[3], ct[17]] { #expect(tree.stdout.contains(try Self.uid(path)), "\(tree.stdout)") }

    let script = """
      import sys
      from pydicom import dcmread
      ds = dcmread(sys.argv[1])
      assert ds.Modality == "KO"
      images = [i for i in ds.ContentSequence if i.ValueType == "IMAGE"]
      for item in images:
          print(item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
      evidence = ds.CurrentRequestedProcedureEvidenceSequence[0]
      print("study", evidence.StudyInstanceUID == ds.StudyInstanceUID)
      # highdicom reads it as a key object selection and finds each image through the evidence.
      from highdicom.ko import KeyObjectSelectionDocument
      document = KeyObjectSelectionDocument.from_dataset(ds)
      for item in images:
          uid = item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID
          study, series, sop = document.resolve_reference(uid)
          assert study == ds.StudyInstanceUID and sop == uid, (study, series, sop)
      print("highdicom", len(document.content.get_references()))
      """
    let read = try ProcessRunner.run("python3", ["-c", script, saved.path])
    #expect(read.status == 0, "\(read.stderr)")
    #expect(
      read.stdout == "\(try Self.uid(ct[3]))\n\(try Self.uid(ct[17]))\nstudy True\nhighdicom 2\n",
      "\(read.stdout)\(read.stderr)")
  }

  @Test func a_saved_key_object_marks_the_same_frames_when_the_study_opens_again() throws {
    let dir = try TemporaryDirectory()
    let (archive, ct, multiFrame, _) = try Self.archive(dir)
    let study = try #require(
      try DICOMFile.read(path: ct[0], options: .headerOnly).dataset.string(Tag.studyInstanceUID))
    #expect(try KeyImages.marks(studyInstanceUID: study, in: archive).isEmpty)
    let first: Set = [KeyImages.Mark(path: ct[2], frame: 0), KeyImages.Mark(path: ct[9], frame: 0)]
    _ = try KeyImages.save(Array(first), in: archive)
    #expect(try KeyImages.marks(studyInstanceUID: study, in: archive) == first)
    // A later save of ours supersedes the earlier one: a mark taken away stays away.
    let second: Set = [KeyImages.Mark(path: ct[9], frame: 0)]
    _ = try KeyImages.save(Array(second), in: archive, now: Date().addingTimeInterval(60))
    #expect(try KeyImages.marks(studyInstanceUID: study, in: archive) == second)

    // Frames of a multi-frame object are referenced by number (counted from 1 in the document).
    let frames: Set = [
      KeyImages.Mark(path: multiFrame, frame: 1), KeyImages.Mark(path: multiFrame, frame: 4),
      KeyImages.Mark(path: ct[0], frame: 0),
    ]
    let saved = try KeyImages.save(Array(frames), in: archive, now: Date().addingTimeInterval(120))
    #expect(try KeyImages.marks(studyInstanceUID: study, in: archive) == frames)
    let document = try #require(KeyObjectDocument(try DICOMFile.read(path: saved.path).dataset))
    #expect(document.references.map { Set($0.frames) }.sorted { $0.count < $1.count } == [[], [2, 5]])
  }

  @Test func marks_of_two_studies_or_none_are_refused_and_nothing_is_written() throws {
    let dir = try TemporaryDirectory()
    let (archive, ct, _, other) = try Self.archive(dir)
    let before = try StudyQuery().run(on: archive).map(\.studyInstanceUID)
    #expect(throws: ArchiveError.self) { try KeyImages.save([], in: archive) }
    #expect(throws: ArchiveError.self) {
      try KeyImages.save([.init(path: ct[0], frame: 0), .init(path: other, frame: 0)], in: archive)
    }
    for study in before {
      #expect(try archive.series(studyInstanceUID: study).allSatisfy { $0.modality != "KO" })
    }
  }

  @Test func a_hostile_document_marks_only_valid_frames_of_images_its_evidence_names() throws {
    let dir = try TemporaryDirectory()
    let (_, ct, _, _) = try Self.archive(dir)
    let header = try DICOMFile.read(path: ct[0], options: .headerOnly).dataset
    let sopClass = try #require(header.string(Tag.sopClassUID))
    let series = try #require(header.string(Tag.seriesInstanceUID))
    let document = KeyObjectDocument(references: [
      .init(sopClassUID: sopClass, sopInstanceUID: try Self.uid(ct[0]), seriesInstanceUID: series, frames: [2])
    ])
    var ds = try document.dataset(
      studyOf: header,
      placement: .init(
        seriesInstanceUID: "1.2.3", seriesNumber: 9, sopInstanceUID: "1.2.3.4", date: "20260101", time: "0"))
    // Frame numbers of nothing, below one, repeated and far past any object; an image not in the evidence;
    // a UID that is no UID.
    var content = try #require(ds.items(Tag.contentSequence))
    var sop = try #require(content[0].items(Tag.referencedSOPSequence)?.first)
    try sop.set(Tag.referencedFrameNumber, .IS, ["0", "-3", "2", "2", "10000000"])
    content[0].set(Tag.referencedSOPSequence, items: [sop])
    var stranger = content[0]
    var other = sop
    try other.set(Tag.referencedSOPInstanceUID, .UI, "1.2.999")
    stranger.set(Tag.referencedSOPSequence, items: [other])
    var garbage = content[0]
    try other.set(Tag.referencedSOPInstanceUID, .UI, "1..x")
    garbage.set(Tag.referencedSOPSequence, items: [other])
    ds.set(Tag.contentSequence, items: content + [stranger, garbage])
    let read = try #require(KeyObjectDocument(ds))
    #expect(read.references.map(\.sopInstanceUID) == [try Self.uid(ct[0])])
    #expect(read.references.first?.frames == [2])
  }
}

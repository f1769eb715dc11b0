import DICOM
import Deidentification
import Foundation
import TestSupport
import Testing

/// Biloba's output beside dicognito's (PyPI), a de-identifier of its own design, on the same corpus.
@Suite struct PeerAgreementTests {
  /// Whether an attribute's original value survives de-identification: the question that matters to
  /// a patient, whatever each tool writes in place of what it removes.
  static func surviving(_ tags: [DICOM.Tag], original: Dataset, output: Dataset) -> Set<DICOM.Tag> {
    Set(
      tags.filter { tag in
        guard let before = original[tag], let after = output[tag], before.vr != .SQ else { return false }
        if before.vr.isString { return original.strings(tag) == output.strings(tag) && after.valueLength ?? 0 > 0 }
        return before.bytes == after.bytes
      })
  }

  @Test func every_value_biloba_keeps_dicognito_keeps_too_and_the_basic_profile_keeps_none() throws {
    let oracle = try ProfileOracle.load()
    let dir = try TemporaryDirectory()
    var corpus = ProfileCorpus.dataset(oracle)
    corpus.set(Element(tag: Tag(0x0028, 0x0301), vr: .CS, bytes: Value.paddedText("NO")))
    corpus.set(Element(tag: Tag(0x0008, 0x0018), vr: .UI, bytes: Value.paddedUID("1.2.826.0.1.3680043.10.9.1")))
    try DICOMFile(dataset: corpus, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("corpus.dcm"))
    let theirs = try #require(try Self.dicognito(dir.file("corpus.dcm"), into: dir.file("dicognito")).first).dataset
    let ours = try Deidentifier(settings: DeidentificationSettings(), key: ProfileConformanceTests.key)
      .deidentify(DICOMFile.read(path: dir.file("corpus.dcm"))).dataset
    let tags = ProfileCorpus.attributes(oracle).map(\.tag)
    let keptByThem = Self.surviving(tags, original: corpus, output: theirs)
    let keptByUs = Self.surviving(tags, original: corpus, output: ours)
    // dicognito replaces names, IDs, dates and UIDs and keeps the rest of the table (descriptions,
    // device identity, GPS...): a value it removes, Biloba must remove too.
    #expect(
      keptByUs.isSubset(of: keptByThem),
      "Biloba keeps values dicognito removes: \(Self.names(keptByUs.subtracting(keptByThem)))")
    #expect(keptByUs.isEmpty, "the basic profile keeps no value of the table: \(Self.names(keptByUs))")
    #expect(keptByThem.count > 100 && keptByThem.count < tags.count, "dicognito kept \(keptByThem.count)")
    let replacedByBoth = Set(tags).subtracting(keptByThem)
    #expect(replacedByBoth.contains(Tag(0x0010, 0x0010)) && replacedByBoth.contains(Tag(0x0020, 0x000D)))
  }

  static func names(_ tags: Set<DICOM.Tag>) -> String {
    tags.sorted().map { DataDictionary.keyword(for: $0) ?? "\($0)" }.joined(separator: " ")
  }

  /// dicognito's output for files (its console script is broken in 0.19.0: run as a module).
  static func dicognito(_ paths: String..., into directory: String) throws -> [DICOMFile] {
    let peer = try ProcessRunner.run(
      "python3", ["-m", "dicognito", "--output-directory", directory, "--quiet"] + paths)
    try #require(peer.status == 0, "dicognito: \(peer.stderr)")
    return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map {
      try DICOMFile.read(path: directory + "/" + $0, options: ReadOptions(loadBulkData: true))
    }
  }
}

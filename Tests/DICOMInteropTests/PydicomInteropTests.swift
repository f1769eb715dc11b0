import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Person names in every supported character set, decoded by pydicom (a second, independent reader:
/// DCMTK's iconv build cannot convert ISO 2022 IR 87) and by Biloba from the same files.
@Suite struct PydicomInteropTests {
  @Test func names_decode_as_pydicom_decodes_them() throws {
    guard (try? ProcessRunner.run("python3", ["-c", "import pydicom"]).status) == 0 else {
      Issue.record("pydicom (pip install pydicom) is needed for this interop test")
      return
    }
    let dir = try TemporaryDirectory()
    var paths: [String] = []
    for (i, entry) in SyntheticData.internationalNames.enumerated() {
      let path = dir.file("name\(i).dcm")
      try DICOMFile(
        dataset: try SyntheticData.everyVR(characterSet: entry.characterSet, patientName: entry.name),
        transferSyntax: .explicitVRLittleEndian
      ).write(to: path)
      paths.append(path)
    }
    let script = """
      import sys, json, pydicom
      names = [pydicom.dcmread(p).PatientName for p in sys.argv[1:]]
      print(json.dumps([[n.alphabetic, n.ideographic, n.phonetic] for n in names]))
      """
    let out = try ProcessRunner.run("python3", ["-c", script] + paths)
    #expect(out.status == 0, "\(out.stderr)")
    let theirs = try JSONDecoder().decode([[String]].self, from: Data(out.stdout.utf8))
    #expect(theirs.count == paths.count)
    for (path, groups) in zip(paths, theirs) {
      let name = try #require(try DICOMFile.read(path: path).dataset.personName(Tag(0x0010, 0x0010)))
      let ours = (name.groups + ["", "", ""]).prefix(3)
      #expect(Array(ours) == groups, "\(path)")
    }
  }
}

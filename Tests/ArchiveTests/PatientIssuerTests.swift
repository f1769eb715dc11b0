import Archive
import DICOM
import Foundation
import Retrieval
import SyntheticData
import TestSupport
import Testing

/// The same Patient ID from two issuers is two patients (PS3.3 C.7.1.1): a query by ID and issuer finds
/// that issuer's studies and those that name none, never another issuer's; the C-FIND identifier asks
/// for the issuer, so a node can match it too.
@Suite struct PatientIssuerTests {
  @Test func a_query_by_patient_id_and_issuer_leaves_out_another_issuers_patient() throws {
    let dir = try TemporaryDirectory()
    let folder = dir.file("in")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (n, issuer) in [(1, "HOSPITAL_A"), (2, "HOSPITAL_B"), (3, nil)] as [(Int, String?)] {
      var subject = SyntheticData.Subject()
      subject.patientID = "123"
      subject.studyNumber = n
      var ds = try SyntheticData.ctSlice(index: 0, of: 1, rows: 8, columns: 8, subject: subject)
      if let issuer { try ds.set(Tag.issuerOfPatientID, .LO, issuer) }
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: folder + "/\(n).dcm")
    }
    let archive = try LocalArchive(root: dir.file("archive"))
    #expect(try Importer(archive: archive).run([folder]).imported == 3)
    var query = StudyQuery(patientID: "123")
    #expect(try query.run(on: archive).count == 3)
    query.issuerOfPatientID = "HOSPITAL_A"
    let found = try query.run(on: archive)
    #expect(Set(found.map(\.studyInstanceUID)) == [SyntheticData.uid(1), SyntheticData.uid(3)])
    #expect(found.first { $0.studyInstanceUID == SyntheticData.uid(1) }?.issuerOfPatientID == "HOSPITAL_A")
    let identifier = try query.studyIdentifier()
    #expect(identifier.string(Tag.issuerOfPatientID) == "HOSPITAL_A")
    #expect(try StudyQuery(patientID: "123").studyIdentifier().contains(Tag.issuerOfPatientID), "returned too")
  }
}

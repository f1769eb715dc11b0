// Writes the bundled sample studies (Samples/) from the project's own synthetic data: no patient data.
// Usage: swift run biloba-samples [OUTPUT_DIR]   (default: Samples)
import DICOM
import Foundation
import SyntheticData

let output = CommandLine.arguments.dropFirst().first ?? "Samples"

func write(_ dataset: Dataset, _ name: String, syntax: TransferSyntax = .explicitVRLittleEndian) throws {
  let directory = (output as NSString).appendingPathComponent((name as NSString).deletingLastPathComponent)
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  try DICOMFile(dataset: dataset, transferSyntax: syntax).write(to: (output as NSString).appendingPathComponent(name))
}

do {
  var subject = SyntheticData.Subject()
  subject.patientName = "PHANTOM^HEAD"
  let slices = 24
  for i in 0..<slices {
    let slice = try SyntheticData.ctSlice(index: i, of: slices, rows: 256, columns: 256, subject: subject)
    try write(slice, String(format: "ct-head/slice%03d.dcm", i + 1))
  }
  try write(try SyntheticData.multiFrame(frames: 8, rows: 64, columns: 64), "misc/multiframe.dcm")
  try write(try SyntheticData.everyVR(), "misc/every-vr.dcm")
  for (index, entry) in SyntheticData.internationalNames.enumerated() {
    var ds = try SyntheticData.everyVR(characterSet: entry.characterSet, patientName: entry.name)
    // Each name is its own patient, study, series and instance.
    try ds.set(Tag.sopInstanceUID, .UI, SyntheticData.uid(10 + index, 1, 1))
    try ds.set(Tag.seriesInstanceUID, .UI, SyntheticData.uid(10 + index, 1))
    try ds.set(Tag.studyInstanceUID, .UI, SyntheticData.uid(10 + index))
    try ds.set(Tag.patientID, .LO, String(format: "BILOBA-%04d", 10 + index))
    try write(ds, String(format: "names/name%02d.dcm", index + 1))
  }
  print("wrote samples to \(output)")
} catch {
  FileHandle.standardError.write(Data("biloba-samples: \(error)\n".utf8))
  exit(1)
}

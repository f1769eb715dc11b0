import Archive
import ArgumentParser
import DICOM
import Foundation
import Workstation

/// `biloba measurements`: the measurements kept in the workstation on a study's images, as JSON.
struct MeasurementsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measurements",
    abstract: "Print the measurements kept on a study's images as JSON.",
    discussion: """
      Each distance and rectangle kept in the workstation (m or r pressed twice), with its image (SOP \
      Instance UID), series, frame (from 1), kind, points in pixels (column, row) and in patient \
      coordinates (mm), and its values computed from the image: length, or mean, SD and area with units.
      """)

  @Option(name: .long, help: "The Study Instance UID.")
  var study: String

  @Option(name: .shortAndLong, help: "Write the JSON to this file instead of standard output.")
  var output: String?

  @OptionGroup var archive: ArchiveOptions

  func validate() throws {
    guard UIDSyntax.isValid(study) else {
      throw ValidationError("--study wants a UID (digits and dots), not '\(study)'")
    }
  }

  func run() throws {
    let local = try archive.open()
    let (rows, problems) = try MeasurementExport.rows(studyInstanceUID: study, in: local)
    for problem in problems {
      StandardError.line("biloba measurements: \(problem.sopInstanceUID): \(TextSafety.text(problem.reason)), left out")
    }
    let json = try MeasurementExport.json(rows)
    if let output {
      try AtomicFile.write(Array(json), to: output, permissions: 0o600)
    } else {
      StandardOutput.line(String(decoding: json, as: UTF8.self))
    }
  }
}

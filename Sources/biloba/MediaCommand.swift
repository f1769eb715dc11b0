import Archive
import ArgumentParser
import Audit
import DICOM
import Foundation

/// `biloba media`: studies of the archive written to a folder as DICOM media, under a DICOMDIR.
struct MediaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "media",
    abstract: "Write studies of the local archive to a folder as DICOM media, with a DICOMDIR.",
    discussion: """
      Each object is copied as stored under DICOM/PATnnnnn/STUnnnnn/SERnnnnn/IMGnnnnn and named by the \
      DICOMDIR's patient, study, series and object records, which other viewers read and biloba import \
      follows. The folder must be new or empty; it is made readable by you alone (it holds patient data).
      """)

  @Option(name: .long, help: "A Study Instance UID to write (repeat for more).")
  var study: [String] = []

  @Option(name: .shortAndLong, help: "The folder to write the media into.")
  var output: String

  @OptionGroup var archive: ArchiveOptions

  func validate() throws {
    guard !study.isEmpty else { throw ValidationError("name at least one study: --study UID") }
    for uid in study where !UIDSyntax.isValid(uid) {
      throw ValidationError("--study wants a UID (digits and dots), not '\(uid)'")
    }
  }

  func run() throws {
    let local = try archive.open()
    let summary: MediaExport.Summary
    do { summary = try MediaExport.export(studies: study, from: local, to: output) } catch {
      throw CommandFailure("biloba media: \(error)")
    }
    StandardOutput.line(
      "wrote \(summary.objects) objects of \(summary.studies) studies (\(summary.patients) patients, "
        + "\(summary.bytes) bytes) and their DICOMDIR to \(output)")
    AuditTrail.record(
      AuditEvent(action: .export, source: "media", studies: study, objects: summary.objects),
      in: AuditTrail.log(archiveRoot: local.store.root))
  }
}

import DICOM
import Archive
import Audit
import ArgumentParser
import Foundation

/// --archive DIR, shared by every command that touches the local archive.
struct ArchiveOptions: ParsableArguments {
  @Option(name: .long, help: "The archive folder (default: $XDG_DATA_HOME/biloba).")
  var archive: String?

  func open() throws -> LocalArchive { try Self.open(root: archive ?? FileStore.defaultRoot()) }

  /// The archive the workstation reads with this configuration: --archive, else `workstation.archive`,
  /// else the default folder (the doctor and the audit trail look at the same one).
  func root(_ config: BilobaConfig) -> String { archive ?? config.archiveRoot }

  /// Opens an archive, warning when its folder is open to other users.
  static func open(root: String) throws -> LocalArchive {
    let local: LocalArchive
    do { local = try LocalArchive(root: root) } catch { throw CommandFailure("\(error)") }
    if local.store.isOpenToOthers {
      StandardError.line(
        "biloba: warning: \(root) can be read by other users; it holds patient data (chmod 700 \(root))")
    }
    return local
  }
}

/// `biloba import`: files, folders and DICOMDIR media into the local archive.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import DICOM files, folders or DICOMDIR media into the local archive.",
    discussion: """
      Folders are walked recursively; headers are read on all cores; files that are not DICOM are skipped \
      and counted. Files are copied into the archive unless --link indexes them where they are (for \
      read-only media). An instance already in the archive is kept unless --replace.
      """)

  @Argument(help: "Files, folders or DICOMDIR files.")
  var paths: [String]

  @OptionGroup var archive: ArchiveOptions

  @Flag(name: .long, help: "Index the files in place instead of copying them.")
  var link = false

  @Flag(name: .long, help: "Replace instances already in the archive instead of keeping them.")
  var replace = false

  @Option(name: .long, help: "Size budget (e.g. 20G): afterwards, evict least recently viewed studies to fit it.")
  var budget: String?

  func validate() throws {
    if let budget, ByteSize.parse(budget) == nil {
      throw ValidationError("--budget wants a size from 1 byte to 1P, such as 500M or 20G")
    }
  }

  func run() throws {
    let local = try archive.open()
    let showProgress = isatty(2) != 0
    let importer = Importer(archive: local, link: link, duplicates: replace ? .replace : .keep)
    let summary: Importer.Summary
    do {
      summary = try importer.run(paths) { done, total in
        if showProgress {
          let width = 30
          let filled = total == 0 ? width : done * width / total
          StandardError.rewrite(
            "[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total)"
          )
        }
      }
    } catch {
      throw CommandFailure("\(error)")
    }
    if showProgress { StandardError.line("") }
    for failure in summary.failures { StandardError.line("biloba import: \(failure.strippingControlCharacters)") }
    StandardOutput.line(summary.description)
    let audit = AuditTrail.log(archiveRoot: local.store.root)
    AuditTrail.record(
      AuditEvent(
        action: .import, outcome: summary.failed == 0 ? .success : .minorFailure, source: "import",
        studies: summary.studies.sorted(), objects: summary.imported), in: audit)
    if let budget, let bytes = ByteSize.parse(budget) {
      do {
        let evicted = try local.evict(toFit: bytes)
        if !evicted.isEmpty {
          AuditTrail.record(AuditEvent(action: .delete, source: "import --budget", studies: evicted), in: audit)
        }
        if !evicted.isEmpty { StandardOutput.line("evicted \(evicted.count) studies to fit \(budget)") }
      } catch { throw CommandFailure("\(error)") }
    }
    if summary.failed > 0 { throw ExitCode.failure }
  }
}

/// `biloba studies`: the local study list, searched as C-FIND searches.
struct StudiesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "studies",
    abstract: "List the studies of the local archive.",
    discussion: "Values match as C-FIND matches them: * and ? wildcards, dates as YYYYMMDD-YYYYMMDD ranges.")

  @OptionGroup var archive: ArchiveOptions

  @Option(name: .long, help: "Patient name, e.g. 'DOE*' (case does not matter).")
  var patient: String?

  @Option(name: .long, help: "Patient ID.")
  var patientID: String?

  @Option(name: .long, help: "Study date or range: 20260101, 20260101-20260131, 20260101-, -20260131.")
  var date: String?

  @Option(name: .long, help: "A modality in the study, e.g. CT.")
  var modality: String?

  @Option(name: .long, help: "Accession number.")
  var accession: String?

  @Flag(name: .long, help: "Print JSON.")
  var json = false

  func run() throws {
    let local = try archive.open()
    let query = StudyQuery(
      patientName: patient, patientID: patientID, studyDate: date, modality: modality,
      accessionNumber: accession)
    let studies: [StudyQuery.Study]
    do { studies = try query.run(on: local) } catch { throw CommandFailure("\(error)") }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      StandardOutput.line(TextSafety.json(String(decoding: try encoder.encode(studies), as: UTF8.self)))
      return
    }
    for s in studies {
      let line = [
        s.studyDate, s.patientName, s.patientID, s.modalities, s.description,
        "\(s.seriesCount) series, \(s.instanceCount) images",
      ].joined(separator: "  ")
      StandardOutput.line(line.strippingControlCharacters)
    }
  }
}

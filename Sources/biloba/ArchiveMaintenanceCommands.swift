import DICOM
import Archive
import ArgumentParser
import Audit
import Foundation

/// `biloba archive check|stats|evict|pin|quarantine`: keeping the local archive in order.
struct ArchiveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "archive", abstract: "Check, measure, evict and pin in the local archive; list its quarantine.",
    subcommands: [Check.self, Stats.self, Evict.self, Pin.self, Quarantine.self])

  struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List received copies of held instances that differed from them (kept apart, never indexed).",
      discussion: """
        A peer that sends an instance the archive already holds, with other content, gets status 0124 \
        (refused: not authorized) and its copy is kept in the archive's quarantine/ folder; the original \
        is unchanged. Inspect a file with `biloba dump ARCHIVE/quarantine/NAME`; --clear removes them all.
        """)
    @OptionGroup var archive: ArchiveOptions
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .long, help: "Remove every quarantined file.") var clear = false

    func run() throws {
      let local = try archive.open()
      do {
        if clear {
          StandardOutput.line("removed \(try local.clearQuarantine()) quarantined objects")
          return
        }
        let items = try local.quarantined()
        if json {
          let encoder = JSONEncoder()
          encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
          encoder.dateEncodingStrategy = .iso8601
          StandardOutput.line(TextSafety.json(String(decoding: try encoder.encode(items), as: UTF8.self)))
          return
        }
        let format = ISO8601DateFormatter()
        for item in items {
          StandardOutput.line(
            [
              item.name, format.string(from: item.received), "from " + item.sender, item.sopInstanceUID,
              "\(item.size) bytes",
            ]
            .joined(separator: "  "))
        }
        if items.isEmpty { StandardOutput.line("the quarantine is empty") }
      } catch let error as ArchiveError {
        throw CommandFailure("\(error)")
      }
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compare the index with the files; --repair drops rows without files and files without rows.")
    @OptionGroup var archive: ArchiveOptions
    @Flag(name: .long, help: "Repair what does not match.") var repair = false
    @Flag(name: .long, help: "Only SQLite's check of the index and the newest files; changes nothing.")
    var quick = false

    func validate() throws {
      if quick && repair { throw ValidationError("--quick changes nothing; it does not take --repair") }
    }

    func run() throws {
      if quick {
        let report: LocalArchive.QuickCheckReport
        do { report = try archive.open().quickCheck() } catch { throw CommandFailure("\(error)") }
        StandardOutput.line(report.description)
        if !report.isConsistent { throw ExitCode.failure }
        return
      }
      let report: LocalArchive.CheckReport
      do { report = try archive.open().check(repair: repair) } catch { throw CommandFailure("\(error)") }
      StandardOutput.line(report.description)
      if !report.isConsistent && !repair { throw ExitCode.failure }
    }
  }

  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Counts and size of the local archive.")
    @OptionGroup var archive: ArchiveOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
      let s: LocalArchive.Stats
      do { s = try archive.open().stats() } catch { throw CommandFailure("\(error)") }
      if json {
        StandardOutput.line(TextSafety.json(String(decoding: try JSONEncoder().encode(s), as: UTF8.self)))
      } else {
        StandardOutput.line(
          """
          patients \(s.patients), studies \(s.studies), series \(s.series), instances \(s.instances)
          stored \(ByteSize.describe(s.storedBytes)), linked instances \(s.linkedInstances), pinned studies \(s.pinnedStudies)
          """)
      }
    }
  }

  struct Evict: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Evict least recently viewed studies (never pinned ones) until the archive fits a budget.")
    @OptionGroup var archive: ArchiveOptions
    @Option(name: .long, help: "Size budget, e.g. 500M or 20G.") var budget: String

    func run() throws {
      guard let bytes = ByteSize.parse(budget) else {
        throw ValidationError("--budget wants a size from 1 byte to 1P, such as 500M or 20G")
      }
      let evicted: [String]
      let local = try archive.open()
      do { evicted = try local.evict(toFit: bytes) } catch { throw CommandFailure("\(error)") }
      if !evicted.isEmpty {
        AuditTrail.record(
          AuditEvent(action: .delete, source: "archive evict", studies: evicted),
          in: AuditTrail.log(archiveRoot: local.store.root))
      }
      StandardOutput.line("evicted \(evicted.count) studies")
    }
  }

  struct Pin: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pin a study (never evicted), or --unpin it.")
    @OptionGroup var archive: ArchiveOptions
    @Argument(help: "Study Instance UID.") var study: String
    @Flag(name: .long, help: "Unpin instead.") var unpin = false

    func run() throws {
      do { try archive.open().pin(studyInstanceUID: study, !unpin) } catch { throw CommandFailure("\(error)") }
    }
  }
}

import DICOM
import Foundation
import SystemIO
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// `biloba import`: files and folders (DICOMDIR media included, through their records) into the archive,
/// headers parsed in parallel on all cores, non-DICOM files skipped and counted.
public struct Importer: Sendable {
  public struct Summary: Sendable, Equatable, CustomStringConvertible {
    public var imported = 0
    public var duplicates = 0
    public var notDICOM = 0
    public var failed = 0
    /// Entries that are not regular files (FIFOs, devices, sockets, links): never opened.
    public var skipped = 0
    public var failures: [String] = []
    /// The studies of the DICOM files found (new or already here): what `biloba PATH...` opens.
    public var studies: Set<String> = []

    public var description: String {
      "imported \(imported), duplicates \(duplicates), not DICOM \(notDICOM), failed \(failed)"
        + (skipped > 0 ? ", skipped \(skipped) (not regular files)" : "")
    }
  }

  public let archive: LocalArchive
  /// Index files where they are instead of copying them (read-only media).
  public var link = false
  public var duplicates: LocalArchive.DuplicatePolicy = .keep

  public init(archive: LocalArchive, link: Bool = false, duplicates: LocalArchive.DuplicatePolicy = .keep) {
    self.archive = archive
    self.link = link
    self.duplicates = duplicates
  }

  /// Every regular file under the given paths.
  public static func files(under paths: [String]) -> [String] { walk(paths).files }

  /// Every regular file under the given paths, and how many entries inside folders were skipped for not
  /// being one: named pipes, devices, sockets and symbolic links are never opened (a FIFO would block the
  /// reader forever, a link could lead anywhere). A path named explicitly is kept whatever it is, and
  /// refused when read (the reader opens nothing but regular files), so the user hears why.
  public static func walk(_ paths: [String]) -> (files: [String], skipped: Int) {
    var out: [String] = []
    var skipped = 0
    func kind(_ path: String) -> mode_t? {
      var st = stat()
      return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
    }
    for path in paths {
      guard let k = kind(path) else {
        out.append(path)  // reported as a failure when read
        continue
      }
      if k == S_IFREG {
        if (path as NSString).lastPathComponent.uppercased() == "DICOMDIR" {
          // Media: the files its records name; a DICOMDIR that does not read, its whole folder.
          if let media = MediaImport.files(named: path) {
            out += media.files
            skipped += media.skipped
          } else {
            out += walk([SystemIO.parentFolder(of: path)]).files
          }
        } else {
          out.append(path)
        }
        continue
      }
      guard k == S_IFDIR else {
        out.append(path)  // named explicitly: refused when read, with what it is
        continue
      }
      guard let walker = FileManager.default.enumerator(atPath: path) else { continue }
      while let item = walker.nextObject() as? String {
        let full = (path as NSString).appendingPathComponent(item)
        switch kind(full) {
        case S_IFREG?:
          if (item as NSString).lastPathComponent.uppercased() != "DICOMDIR" { out.append(full) }
        case S_IFDIR?: break
        default: skipped += 1
        }
      }
    }
    return (out, skipped)
  }

  /// Imports; `progress(done, total)` is called from the importing thread every few files.
  public func run(_ paths: [String], progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ArchiveError) -> Summary {
    let (files, skipped) = Self.walk(paths)
    var summary = Summary()
    summary.skipped = skipped
    let batch = 256
    var start = 0
    while start < files.count {
      let chunk = Array(files[start..<min(start + batch, files.count)])
      // Header-only parsing on all cores.
      let parsed = ParsedBox(count: chunk.count)
      DispatchQueue.concurrentPerform(iterations: chunk.count) { i in
        do {
          let file = try DICOMFile.read(path: chunk[i], options: .headerOnly)
          parsed.set(i, InstanceRecord(file: file).map(Parsed.record) ?? .notDICOM)
        } catch let error as DICOMError {
          if case .notDICOM = error {
            parsed.set(i, .notDICOM)
          } else {
            parsed.set(i, .failed("\(chunk[i]): \(error)"))
          }
        } catch {
          parsed.set(i, .failed("\(chunk[i]): \(error)"))
        }
      }
      try importChunk(chunk, parsed.values, into: &summary)
      start += chunk.count
      progress?(start, files.count)
    }
    return summary
  }

  /// Stores (unless linking) the chunk's new instances, then indexes them in one transaction. A file
  /// is written before its row, and removed again if the row cannot be added: nothing partial remains.
  private func importChunk(_ chunk: [String], _ parsed: [Parsed], into summary: inout Summary) throws(ArchiveError) {
    var records: [(Int, InstanceRecord)] = []
    for (i, p) in parsed.enumerated() {
      switch p {
      case .notDICOM: summary.notDICOM += 1
      case .failed(let message):
        summary.failed += 1
        if summary.failures.count < 100 { summary.failures.append(message) }
      case .record(let record):
        records.append((i, record))
        summary.studies.insert(record.studyInstanceUID)
      }
    }
    // The same instance twice in one import: the first copy stands.
    var seen = Set<String>()
    var wanted = records.filter { seen.insert($0.1.sopInstanceUID).inserted }
    summary.duplicates += records.count - wanted.count
    if duplicates == .keep {
      let before = wanted.count
      let missing = Set(try archive.missing(sopInstanceUIDs: wanted.map(\.1.sopInstanceUID)))
      wanted = wanted.filter { missing.contains($0.1.sopInstanceUID) }
      summary.duplicates += before - wanted.count
    }
    var entries: [LocalArchive.Entry] = []
    var written: [String] = []
    for (i, record) in wanted {
      let path = chunk[i]
      if link {
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        entries.append(.init(record: record, path: absolute, linked: true, size: size, source: "import"))
        continue
      }
      do {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let relative = try archive.store.write(bytes)
        written.append(relative)
        entries.append(.init(record: record, path: relative, linked: false, size: bytes.count, source: "import"))
      } catch {
        summary.failed += 1
        if summary.failures.count < 100 { summary.failures.append("\(path): \(error)") }
      }
    }
    do {
      let added = try archive.add(contentsOf: entries, duplicates: duplicates)
      summary.imported += added.filter { $0 }.count
      summary.duplicates += added.filter { !$0 }.count
      for (entry, wasAdded) in zip(entries, added) where !wasAdded && !entry.linked {
        archive.store.remove(entry.path)  // a duplicate that arrived meanwhile: its copy is not needed
      }
    } catch {
      for relative in written { archive.store.remove(relative) }  // no file without its row
      throw error
    }
  }

  enum Parsed: Sendable {
    case record(InstanceRecord)
    case notDICOM
    case failed(String)
  }

  final class ParsedBox: Sendable {
    private let slots: Mutex<[Parsed]>
    init(count: Int) { slots = Mutex(Array(repeating: .notDICOM, count: count)) }
    func set(_ i: Int, _ p: Parsed) { slots.withLock { $0[i] = p } }
    var values: [Parsed] { slots.withLock { $0 } }
  }
}

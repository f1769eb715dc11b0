import DICOM
import Foundation

/// `biloba import`: files and folders (DICOMDIR media included, through their folders) into the archive,
/// headers parsed in parallel on all cores, non-DICOM files skipped and counted.
public struct Importer: Sendable {
  public struct Summary: Sendable, Equatable, CustomStringConvertible {
    public var imported = 0
    public var duplicates = 0
    public var notDICOM = 0
    public var failed = 0
    public var failures: [String] = []

    public var description: String {
      "imported \(imported), duplicates \(duplicates), not DICOM \(notDICOM), failed \(failed)"
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

  /// Every regular file under the given paths (links to files are read, links to folders are not followed).
  public static func files(under paths: [String]) -> [String] {
    var out: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        out.append(path)  // reported as a failure when read
        continue
      }
      if !isDirectory.boolValue {
        if (path as NSString).lastPathComponent.uppercased() == "DICOMDIR" {
          out += files(under: [(path as NSString).deletingLastPathComponent])  // the media's folder
        } else {
          out.append(path)
        }
        continue
      }
      guard let walker = FileManager.default.enumerator(atPath: path) else { continue }
      while let item = walker.nextObject() as? String {
        let full = (path as NSString).appendingPathComponent(item)
        var dir: ObjCBool = false
        if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue,
          (item as NSString).lastPathComponent.uppercased() != "DICOMDIR"
        {
          out.append(full)
        }
      }
    }
    return out
  }

  /// Imports; `progress(done, total)` is called from the importing thread every few files.
  public func run(_ paths: [String], progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ArchiveError) -> Summary {
    let files = Self.files(under: paths)
    var summary = Summary()
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
      for (i, p) in parsed.values.enumerated() {
        switch p {
        case .notDICOM: summary.notDICOM += 1
        case .failed(let message):
          summary.failed += 1
          if summary.failures.count < 100 { summary.failures.append(message) }
        case .record(let record):
          do {
            if try importOne(record, path: chunk[i]) { summary.imported += 1 } else { summary.duplicates += 1 }
          } catch {
            summary.failed += 1
            if summary.failures.count < 100 { summary.failures.append("\(chunk[i]): \(error)") }
          }
        }
      }
      start += chunk.count
      progress?(start, files.count)
    }
    return summary
  }

  /// Stores (unless linking) and indexes one instance; false for a duplicate that was kept.
  private func importOne(_ record: InstanceRecord, path: String) throws(ArchiveError) -> Bool {
    if duplicates == .keep, try archive.contains(sopInstanceUID: record.sopInstanceUID) { return false }
    let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    if link {
      let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
      return try archive.add(record, path: absolute, linked: true, size: size, source: "import", duplicates: duplicates)
    }
    let bytes: [UInt8]
    do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
      throw ArchiveError.io(path: path, reason: "\(error)")
    }
    let relative = try archive.store.write(bytes)
    do {
      return try archive.add(
        record, path: relative, linked: false, size: bytes.count, source: "import",
        duplicates: duplicates)
    } catch {
      archive.store.remove(relative)  // nothing partial: no file without its row
      throw error
    }
  }

  enum Parsed: Sendable {
    case record(InstanceRecord)
    case notDICOM
    case failed(String)
  }

  final class ParsedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Parsed]
    init(count: Int) { slots = Array(repeating: .notDICOM, count: count) }
    func set(_ i: Int, _ p: Parsed) { lock.withLock { slots[i] = p } }
    var values: [Parsed] { lock.withLock { slots } }
  }
}

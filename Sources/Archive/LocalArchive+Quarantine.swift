import DICOM
public import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension LocalArchive {
  /// A received copy of an instance the archive holds with other content, kept apart in `quarantine/`.
  public struct QuarantinedObject: Sendable, Equatable, Codable {
    /// The file's name in `quarantine/`.
    public var name: String
    public var sopInstanceUID: String
    /// The AE title that sent it.
    public var sender: String
    public var received: Date
    public var size: Int
  }

  /// What is in `quarantine/`, oldest first.
  public func quarantined() throws(ArchiveError) -> [QuarantinedObject] {
    let directory = store.root + "/" + Self.quarantineFolder
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    var out: [QuarantinedObject] = []
    for name in names where name.hasSuffix(".dcm") {
      let path = directory + "/" + name
      var st = stat()
      guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
      let meta = try? DICOMFile.read(path: path, options: ReadOptions(stopBeforePixelData: true)).meta
      out.append(
        QuarantinedObject(
          name: name, sopInstanceUID: meta?.string(.mediaStorageSOPInstanceUID) ?? "",
          sender: meta?.string(.sourceApplicationEntityTitle) ?? "",
          received: Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec)), size: Int(st.st_size)))
    }
    return out.sorted { ($0.received, $0.name) < ($1.received, $1.name) }
  }

  /// Removes every quarantined file; returns how many.
  @discardableResult
  public func clearQuarantine() throws(ArchiveError) -> Int {
    let items = try quarantined()
    for item in items { unlink(store.root + "/" + Self.quarantineFolder + "/" + item.name) }
    return items.count
  }
}

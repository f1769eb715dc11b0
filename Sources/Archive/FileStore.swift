import DICOM
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// The archive's files: `objects/xx/<uuid>.dcm` under the root, directories 0700, files 0600.
/// Objects arrive two ways, both ending in a rename after an fsync: an import writes through `write(_:)`
/// (a temporary file in the target directory, fsync, rename, fsync of the directory); a received object
/// is written as it arrives by `IncomingFile` under `incoming/` and moved into `objects/` (or
/// `quarantine/`) by the `ReceiveJournal` and `LocalArchive.receive`, with names from `reserve()`.
/// Names come from UUIDs, never from DICOM strings; links are never followed.
public struct FileStore: Sendable {
  public let root: String

  public init(root: String) throws(ArchiveError) {
    self.root = root
    // A first run on a fresh account may have no $XDG_DATA_HOME (~/.local/share) yet.
    if let failure = SystemIO.makeParentFolders(of: root) { throw ArchiveError.io(path: root, reason: failure) }
    try Self.makeDirectory(root)
    // Shard directories are made as objects first need them (`reserve` checks its own): a new archive
    // does not wait for 256 of them, and none is made twice.
    try Self.makeDirectory(root + "/objects")
  }

  /// A new object's path relative to the root: `objects/xx/<uuid>.dcm` (256 directories: a million
  /// objects is some 4,000 a directory, which ext4's hashed directories look up directly). Archives made
  /// before hold `objects/xx/yy/<uuid>.dcm` too; the index keeps each path as written.
  public func reserve() throws(ArchiveError) -> String {
    let name = UUID().uuidString.lowercased()
    let shard = String(name.prefix(2))
    try Self.makeDirectory(root + "/objects/" + shard)
    return "objects/" + shard + "/" + name + ".dcm"
  }

  /// Writes `bytes` as a new object and returns its path relative to the root.
  public func write(_ bytes: [UInt8]) throws(ArchiveError) -> String {
    let relative = try reserve()
    do {
      try AtomicFile.write(bytes, to: root + "/" + relative, permissions: 0o600)
    } catch {
      throw ArchiveError.io(path: root + "/" + relative, reason: "\(error)")
    }
    return relative
  }

  public func absolute(_ relative: String) -> String { root + "/" + relative }

  /// Whether users other than the owner may read or enter the root (the archive holds patient data: it
  /// is made 0700, but an older or hand-made folder may be open).
  public var isOpenToOthers: Bool {
    var st = stat()
    return lstat(root, &st) == 0 && st.st_mode & 0o077 != 0
  }

  public func remove(_ relative: String) {
    unlink(absolute(relative))
  }

  /// Temporary files left by a process killed mid-write.
  public func removeOrphanTemporaries() -> Int {
    var removed = 0
    let objects = root + "/objects"
    guard let walker = FileManager.default.enumerator(atPath: objects) else { return 0 }
    while let item = walker.nextObject() as? String {
      if (item as NSString).lastPathComponent.hasPrefix(AtomicFile.temporaryPrefix) {
        unlink(objects + "/" + item)
        removed += 1
      }
    }
    return removed
  }

  /// Creates a directory 0700, or checks that an existing one is a real directory (not a link). True
  /// when it was made now.
  @discardableResult
  static func makeDirectory(_ path: String) throws(ArchiveError) -> Bool {
    var st = stat()
    if lstat(path, &st) == 0 {
      guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ArchiveError.unsafePath(path) }
      return false
    }
    guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
      throw ArchiveError.io(path: path, reason: String(cString: strerror(errno)))
    }
    guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw ArchiveError.unsafePath(path) }
    return true
  }

  /// The default root: `$XDG_DATA_HOME/biloba`, else `~/.local/share/biloba`.
  public static func defaultRoot(environment: [String: String]? = nil) -> String {
    let environment = environment ?? ProcessInfo.processInfo.environment
    if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/biloba" }
    return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/biloba"
  }
}

import DICOM
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Media given to `biloba import` by their DICOMDIR: the objects are the files its records name (PS3.10
/// 8.6), found under the DICOMDIR's folder, not whatever else the folder holds.
enum MediaImport {
  /// The files a DICOMDIR's records name and how many records named none that could be read (a refused
  /// File ID, a missing file, a link); nil when the file does not read as a DICOMDIR.
  static func files(named directoryPath: String) -> (files: [String], skipped: Int)? {
    guard let directory = try? DICOMFile.read(path: directoryPath),
      directory.meta.string(.mediaStorageSOPClassUID) == MediaDirectory.sopClassUID
        || directory.dataset[Tag.directoryRecordSequence] != nil
    else { return nil }
    let root = SystemIO.parentFolder(of: directoryPath)
    var resolver = Resolver(root: root.isEmpty ? "." : root)
    let (references, refused) = MediaDirectory.referencedFiles(in: directory)
    var files: [String] = []
    var skipped = refused
    for reference in references {
      if let path = resolver.resolve(reference.fileID) {
        files.append(path)
        continue
      }
      // Not there: named as written, so the import says which file is missing; there but a link or a
      // folder: never opened.
      let written = resolver.root + "/" + reference.fileID.joined(separator: "/")
      var st = stat()
      if lstat(written, &st) != 0 && errno == ENOENT { files.append(written) } else { skipped += 1 }
    }
    return (files, skipped)
  }

  /// Finds a File ID's components under the media's root: each matched as written, else regardless of
  /// case (media written elsewhere often come in lower case); folders must be folders and the file a
  /// regular file, never a link.
  struct Resolver {
    let root: String
    /// Each folder's entries by their upper-case names, listed once.
    var listings: [String: [String: String]] = [:]

    mutating func resolve(_ components: [String]) -> String? {
      var path = root
      for (i, component) in components.enumerated() {
        guard let name = entry(component, in: path) else { return nil }
        path += "/" + name
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let kind = st.st_mode & S_IFMT
        guard i == components.count - 1 ? kind == S_IFREG : kind == S_IFDIR else { return nil }
      }
      return path
    }

    mutating func entry(_ component: String, in folder: String) -> String? {
      var st = stat()
      if lstat(folder + "/" + component, &st) == 0 { return component }
      if listings[folder] == nil {
        var byName: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
          byName[name.uppercased()] = byName[name.uppercased()] ?? name
        }
        listings[folder] = byName
      }
      return listings[folder]?[component]
    }
  }
}

import SystemIO
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension DICOMFile {
  /// Our implementation class UID (under the UUID-derived root 2.25) and version name, written in the meta group.
  public static let implementationClassUID = "2.25.223911580426227935536146458231457128453"
  public static let implementationVersionName = "BILOBA_010"

  /// A file for a dataset, with a meta group made from it (SOP Class/Instance UIDs and the syntax).
  public init(dataset: Dataset, transferSyntax: TransferSyntax) {
    self.init(
      preamble: [UInt8](repeating: 0, count: 128), meta: Dataset(), dataset: dataset,
      transferSyntax: transferSyntax)
    self.meta = completedMeta()
  }

  /// The meta group as it will be written: the elements held, with the required ones filled in where
  /// missing, the transfer syntax made to agree, and the group length computed (PS3.10 7.1).
  public func completedMeta() -> Dataset {
    var m = meta
    m.byteOrder = .little
    if m[.fileMetaInformationVersion] == nil {
      m.set(Element(tag: .fileMetaInformationVersion, vr: .OB, bytes: [0, 1]))
    }
    if m[.mediaStorageSOPClassUID] == nil, let uid = dataset[.sopClassUID]?.bytes {
      m.set(Element(tag: .mediaStorageSOPClassUID, vr: .UI, bytes: uid))
    }
    if m[.mediaStorageSOPInstanceUID] == nil, let uid = dataset[.sopInstanceUID]?.bytes {
      m.set(Element(tag: .mediaStorageSOPInstanceUID, vr: .UI, bytes: uid))
    }
    let currentSyntax = m[.transferSyntaxUID]?.bytes.map {
      TransferSyntax.from(uid: String(decoding: $0, as: UTF8.self))
    }
    if currentSyntax?.uid != transferSyntax.uid {
      m.set(Element(tag: .transferSyntaxUID, vr: .UI, bytes: Value.paddedUID(transferSyntax.uid)))
    }
    if m[.implementationClassUID] == nil {
      m.set(Element(tag: .implementationClassUID, vr: .UI, bytes: Value.paddedUID(Self.implementationClassUID)))
    }
    if m[.implementationVersionName] == nil {
      m.set(Element(tag: .implementationVersionName, vr: .SH, bytes: Value.paddedText(Self.implementationVersionName)))
    }
    m.remove(.fileMetaInformationGroupLength)
    let body = (try? DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(m)) ?? []
    var length: [UInt8] = []
    DatasetWriter.appendU32(UInt32(body.count), to: &length, order: .little)
    m.set(Element(tag: .fileMetaInformationGroupLength, vr: .UL, bytes: length))
    return m
  }

  /// The whole Part 10 file: preamble, "DICM", meta group, dataset in `transferSyntax`.
  public func encoded() throws(DICOMError) -> [UInt8] {
    var out = preamble ?? [UInt8](repeating: 0, count: 128)
    if out.count != 128 { out = [UInt8](repeating: 0, count: 128) }
    out += Array("DICM".utf8)
    out += try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(completedMeta())
    out += try DatasetWriter(transferSyntax: transferSyntax).encode(dataset.removingGroup(0x0002))
    return out
  }

  /// Writes the file: temporary file in the same directory, fsync, rename, so a reader never sees half a file.
  public func write(to path: String, durable: Bool = true) throws(DICOMError) {
    try AtomicFile.write(try encoded(), to: path, durable: durable)
  }
}

/// Writes files so that they appear whole or not at all: a hidden temporary file (`.tmp-...`) in the
/// target's directory, created exclusively without following links, written, fsynced, renamed over the
/// target, and the directory fsynced. On any failure the temporary file is removed. Without
/// `replacing`, the temporary file is linked to the target instead, which fails when the target exists:
/// a file is created whole or not at all, and never over another. Without `durable`, the file is not
/// synced: still whole or absent, but a crash may lose it; for many files written at once, whose
/// writer syncs the file system once at the end (`SystemIO.syncFileSystem`).
public enum AtomicFile {
  /// Prefix of temporary files, so a store can find those a killed process left behind.
  public static let temporaryPrefix = ".tmp-"
  /// The reason given when a write that may not replace finds its target there.
  public static let targetExists = "exists already"

  public static func write(
    _ bytes: [UInt8], to path: String, permissions: UInt32 = 0o644, replacing: Bool = true, durable: Bool = true
  ) throws(DICOMError) {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let temporary = directory + "/" + temporaryPrefix + name + "-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(permissions))
    guard fd >= 0 else { throw DICOMError.io(path: path, reason: String(cString: strerror(errno))) }
    let code = SystemIO.writeAll(fd, bytes)
    var failure: String? = code == 0 ? nil : String(cString: strerror(code))
    if failure == nil && durable && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if failure == nil {
      if replacing {
        if rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
      } else {
        if link(temporary, path) != 0 { failure = errno == EEXIST ? targetExists : String(cString: strerror(errno)) }
        unlink(temporary)
      }
    }
    if let failure {
      unlink(temporary)
      throw DICOMError.io(path: path, reason: failure)
    }
    guard durable else { return }
    // The rename is durable only once the directory is.
    let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
    }
  }
}

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

  /// The whole Part 10 file: preamble, "DICM", meta group, dataset in `transferSyntax`, in memory.
  public func encoded() throws(DICOMError) -> [UInt8] {
    var out: [UInt8] = []
    for piece in try encodedPieces() {
      switch piece {
      case .bytes(let bytes): out += bytes
      case .copy(let reference): out += try reference.load()
      }
    }
    return out
  }

  /// The whole Part 10 file in pieces: values still in their source file are copied from it when the
  /// pieces are written, not read into memory.
  public func encodedPieces() throws(DICOMError) -> [EncodedPiece] {
    var head = preamble ?? [UInt8](repeating: 0, count: 128)
    if head.count != 128 { head = [UInt8](repeating: 0, count: 128) }
    head += Array("DICM".utf8)
    head += try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(completedMeta())
    return [.bytes(head)]
      + (try DatasetWriter(transferSyntax: transferSyntax).encodePieces(dataset.removingGroup(0x0002)))
  }

  /// Writes the file: temporary file in the same directory, fsync, rename, so a reader never sees half a
  /// file. Pixel data still in the source file is copied from it a block at a time.
  public func write(to path: String, durable: Bool = true) throws(DICOMError) {
    try AtomicFile.write(pieces: try encodedPieces(), to: path, durable: durable)
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
    try write(pieces: [.bytes(bytes)], to: path, permissions: permissions, replacing: replacing, durable: durable)
  }

  public static func write(
    pieces: [EncodedPiece], to path: String, permissions: UInt32 = 0o644, replacing: Bool = true,
    durable: Bool = true
  ) throws(DICOMError) {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let temporary = directory + "/" + temporaryPrefix + name + "-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(permissions))
    guard fd >= 0 else { throw DICOMError.io(path: path, reason: String(cString: strerror(errno))) }
    var failure = writePieces(pieces, to: fd)
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

extension AtomicFile {
  /// The block a copied value moves through when the kernel cannot copy it: one buffer for the write.
  static let copyBlock = 1 << 20

  /// Writes the pieces to `fd`; the reason it failed, or nil. A value copied from a file that has
  /// become shorter than it was when read is a failure, not a short file.
  static func writePieces(_ pieces: [EncodedPiece], to fd: Int32) -> String? {
    var buffer: [UInt8] = []
    for piece in pieces {
      switch piece {
      case .bytes(let bytes):
        let code = SystemIO.writeAll(fd, bytes)
        if code != 0 { return String(cString: strerror(code)) }
      case .copy(let reference):
        let source = open(reference.path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { return "\(reference.path): \(String(cString: strerror(errno)))" }
        defer { close(source) }
        let copied = SystemIO.copyFileRange(
          from: source, offset: reference.offset, count: reference.length, to: fd)
        if copied == 0 { continue }
        guard [ENOSYS, EXDEV, EINVAL, EOPNOTSUPP].contains(copied) else {
          return copied == EIO
            ? "\(reference.path) is shorter than when it was read" : String(cString: strerror(copied))
        }
        // Where the kernel cannot copy between these files (nothing was copied): through a buffer.
        if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: min(copyBlock, max(reference.length, 1))) }
        var done = 0
        while done < reference.length {
          let want = min(buffer.count, reference.length - done)
          let n = buffer.withUnsafeMutableBytes { pread(source, $0.baseAddress, want, off_t(reference.offset + done)) }
          if n < 0 && errno == EINTR { continue }
          if n < 0 { return "\(reference.path): \(String(cString: strerror(errno)))" }
          if n == 0 { return "\(reference.path) is shorter than when it was read" }
          let code = buffer.withUnsafeBytes { SystemIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
          if code != 0 { return String(cString: strerror(code)) }
          done += n
        }
      }
    }
    return nil
  }
}

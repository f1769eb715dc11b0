import DICOM
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// One object arriving over the network, written to the archive's `incoming/` folder fragment by
/// fragment as it comes: its Part 10 header first (known from the C-STORE command), then the dataset's
/// bytes exactly as received. Memory stays flat whatever the object's size; `maxSize` bounds the disk.
/// When it is whole, `markWhole()` writes a marker and the file's size into the preamble (a data write,
/// no directory operation on the C-STORE's path): recovery after a kill keeps marked files whose size
/// matches and removes the rest. Dropping the value before the archive takes it removes the file.
public final class IncomingFile: @unchecked Sendable {
  public let sopClassUID: String
  public let sopInstanceUID: String
  public let transferSyntaxUID: String
  public let callingAE: String
  let path: String
  let headerLength: Int
  private var fd: Int32
  private(set) var size: Int
  let maxSize: Int
  /// The dataset's first bytes, kept in memory as they pass: the index's attributes are read from them
  /// without reading the file back.
  private(set) var prefix: [UInt8] = []
  static let prefixLength = 64 << 10
  /// Set once the archive took the file (queued or quarantined it): nothing to remove then.
  var handedOver = false

  init(
    directory: String, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String,
    maxSize: Int
  ) throws(ArchiveError) {
    self.sopClassUID = sopClassUID
    self.sopInstanceUID = sopInstanceUID
    self.transferSyntaxUID = transferSyntaxUID
    self.callingAE = callingAE
    self.maxSize = maxSize
    let header = try Self.header(
      sopClassUID: sopClassUID, sopInstanceUID: sopInstanceUID, transferSyntaxUID: transferSyntaxUID,
      callingAE: callingAE)
    path = directory + "/" + UUID().uuidString.lowercased() + Self.suffix
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard fd >= 0 else { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
    headerLength = header.count
    size = 0
    try write(header)
  }

  deinit {
    if fd >= 0 { close(fd) }
    if !handedOver { unlink(path) }
  }

  /// The Part 10 header of a received object: preamble, DICM, and a meta group written anew from the
  /// command's UIDs, the negotiated transfer syntax and the sender's AE title.
  static func header(sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAE: String)
    throws(ArchiveError) -> [UInt8]
  {
    do {
      var meta = Dataset(byteOrder: .little)
      try meta.set(.mediaStorageSOPClassUID, .UI, sopClassUID)
      try meta.set(.mediaStorageSOPInstanceUID, .UI, sopInstanceUID)
      try meta.set(.sourceApplicationEntityTitle, .AE, String(TextSafety.text(callingAE).prefix(16)))
      var made = DICOMFile(
        preamble: nil, meta: meta, dataset: Dataset(), transferSyntax: TransferSyntax.from(uid: transferSyntaxUID))
      made.meta = made.completedMeta()
      return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        + (try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(made.meta))
    } catch {
      throw ArchiveError.rejectedObject("its meta information cannot be written: \(error)")
    }
  }

  /// Appends a fragment of the dataset; refuses one that would take the object past `maxSize`.
  public func append(_ bytes: [UInt8]) throws(ArchiveError) {
    guard size - headerLength + bytes.count <= maxSize else {
      throw ArchiveError.tooLarge(limit: maxSize)
    }
    if prefix.count < Self.prefixLength {
      prefix += bytes.prefix(Self.prefixLength - prefix.count)
    }
    try write(bytes)
  }

  private func write(_ bytes: [UInt8]) throws(ArchiveError) {
    guard fd >= 0 else { throw ArchiveError.io(path: path, reason: "already closed") }
    let code = SystemIO.writeAll(fd, bytes)
    guard code == 0 else { throw ArchiveError.io(path: path, reason: String(cString: strerror(code))) }
    size += bytes.count
  }

  static let suffix = ".incoming"
  /// The preamble's first bytes in a whole received file, then its size as 8 bytes little endian.
  static let wholeMarker = Array("biloba: received".utf8)

  /// Marks the file whole (the preamble belongs to the implementation, PS3.10 7.1).
  func markWhole() throws(ArchiveError) {
    let total = UInt64(size)
    let marker = Self.wholeMarker + (0..<8).map { UInt8(truncatingIfNeeded: total >> (8 * $0)) }
    let written = marker.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    guard written == marker.count else { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
  }

  /// Whether a file left in `incoming/` was marked whole and has the size its marker says.
  public static func isWhole(_ path: String) -> Bool {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: wholeMarker.count + 8)
    var st = stat()
    guard fstat(fd, &st) == 0, head.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, 0) }) == head.count,
      Array(head.prefix(wholeMarker.count)) == wholeMarker
    else { return false }
    let promised = head.suffix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return promised == UInt64(st.st_size)
  }

  /// Bytes of the dataset written so far.
  var datasetSize: Int { size - headerLength }

  /// Closes the file (it stays readable by path).
  func finishWriting() {
    if fd >= 0 { close(fd) }
    fd = -1
  }

  /// Removes the file now.
  public func discard() {
    finishWriting()
    if !handedOver { unlink(path) }
    handedOver = true
  }
}

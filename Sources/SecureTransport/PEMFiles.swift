import NIOSSL
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Certificates and keys read from PEM files, through one opening that follows no link, blocks on no FIFO
/// and reads at most 1 MiB; a key file must be its owner's alone (mode 0600 or stricter).
enum PEMFiles {
  static let maxSize = 1 << 20

  static func certificates(_ path: String) throws(TLSSetupError) -> [NIOSSLCertificate] {
    let bytes = try readAll(path, requiresPrivate: false)
    let found: [NIOSSLCertificate]
    do { found = try NIOSSLCertificate.fromPEMBytes(bytes) } catch { throw .notPEM(path: path, what: "certificate") }
    guard !found.isEmpty else { throw .notPEM(path: path, what: "certificate") }
    return found
  }

  static func privateKey(_ path: String) throws(TLSSetupError) -> NIOSSLPrivateKey {
    let bytes = try readAll(path, requiresPrivate: true)
    do { return try NIOSSLPrivateKey(bytes: bytes, format: .pem) } catch {
      throw .notPEM(path: path, what: "private key (or it is encrypted)")
    }
  }

  static func readAll(_ path: String, requiresPrivate: Bool) throws(TLSSetupError) -> [UInt8] {
    // A configured path may be a link (certbot's live/ files are); what it names must be a regular file.
    guard let resolved = realpath(path, nil) else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    let target = String(cString: resolved)
    free(resolved)
    let fd: Int32
    switch SystemIO.openRegularFile(target) {
    case .success(let opened): fd = opened
    case .failure(let why): throw .unreadable(path: path, reason: "\(why)")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    if requiresPrivate, info.st_mode & 0o077 != 0 { throw .keyTooOpen(path: path, mode: info.st_mode & 0o777) }
    guard info.st_size <= maxSize else { throw .unreadable(path: path, reason: "larger than 1 MiB") }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var filled = 0
    while filled < bytes.count {
      let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      filled += n
    }
    return Array(bytes.prefix(filled))
  }
}

/// A secret (a password, a token) kept in a file its owner alone may read, as ssh keeps keys: the first
/// line, without its line break.
public enum SecretFile {
  public static func read(_ path: String) throws(TLSSetupError) -> String {
    let bytes = try PEMFiles.readAll(path, requiresPrivate: true)
    let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
    guard !line.isEmpty else { throw .missing("a secret in \(path)") }
    return String(decoding: line, as: UTF8.self)
  }
}

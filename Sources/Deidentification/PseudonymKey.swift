import Crypto
import Foundation
public import DICOM
import SystemIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The secret behind every pseudonym, new UID and date offset: the same input and key give the same
/// output in every run, so two studies of one patient de-identified apart still match, and without the
/// key nobody can go back or test a guess. It lives in a file of its own (0600) that the output never
/// contains.
public struct PseudonymKey: Sendable {
  let bytes: [UInt8]

  /// A key from its 32 bytes.
  public init(bytes: [UInt8]) { self.bytes = bytes }

  /// The key file's contents: 64 hexadecimal digits and a newline.
  static let fileLength = 65

  /// Reads the key at `path`, making one there first when there is none. A key that others can read is
  /// refused, as ssh refuses such a private key.
  public static func loadOrCreate(path: String) throws(DeidentificationError) -> PseudonymKey {
    if access(path, F_OK) != 0 {
      // Its folder, private, when there is none yet (the user's data folder on first use).
      if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
        do {
          try FileManager.default.createDirectory(
            atPath: String(path[..<slash]), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
          throw .key(path: path, reason: "its folder cannot be made: \((error as NSError).localizedDescription)")
        }
      }
      var fresh = [UInt8](repeating: 0, count: 32)
      var generator = SystemRandomNumberGenerator()
      for i in fresh.indices { fresh[i] = UInt8.random(in: 0...255, using: &generator) }
      let text = fresh.map { String(format: "%02x", $0) }.joined() + "\n"
      do {
        try AtomicFile.write(Array(text.utf8), to: path, permissions: 0o600, replacing: false)
      } catch {
        // Another run made it first: read theirs.
        guard case .io(_, let reason) = error, reason == AtomicFile.targetExists else {
          throw .key(path: path, reason: "cannot be created: \(error)")
        }
      }
    }
    return try load(path: path)
  }

  /// Reads an existing key file.
  public static func load(path: String) throws(DeidentificationError) -> PseudonymKey {
    var st = stat()
    guard lstat(path, &st) == 0 else { throw .key(path: path, reason: String(cString: strerror(errno))) }
    guard st.st_mode & S_IFMT == S_IFREG else { throw .key(path: path, reason: "not a regular file") }
    guard st.st_mode & 0o077 == 0 else {
      throw .key(path: path, reason: "others may read it (chmod 600 it, or make a new key)")
    }
    let text: [UInt8]
    do { text = try DICOMFile.bytes(path: path) } catch { throw .key(path: path, reason: "\(error)") }
    let digits = text.prefix { $0 != UInt8(ascii: "\n") }
    guard digits.count == 64, let bytes = decodeHex(Array(digits)) else {
      throw .key(path: path, reason: "not 64 hexadecimal digits")
    }
    return PseudonymKey(bytes: bytes)
  }

  /// HMAC-SHA-256 of a purpose and a value: the purpose keeps a UID's mapping apart from a name's.
  func digest(_ purpose: String, _ value: String) -> [UInt8] {
    var message = Array(purpose.utf8)
    message.append(0)
    message += Array(value.utf8)
    return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: bytes)))
  }

  /// Bytes from hexadecimal digits (two a byte), nil for anything else.
  private static func decodeHex(_ text: [UInt8]) -> [UInt8]? {
    guard text.count % 2 == 0, text.allSatisfy({ Character(UnicodeScalar($0)).isHexDigit }) else { return nil }
    return stride(from: 0, to: text.count, by: 2).compactMap {
      UInt8(String(decoding: text[$0..<($0 + 2)], as: UTF8.self), radix: 16)
    }
  }
}

/// The keyed mappings: UIDs, patients and date offsets.
public struct Pseudonyms: Sendable {
  let key: PseudonymKey

  public init(key: PseudonymKey) { self.key = key }

  /// The new UID of an original one: "2.25." and the decimal value of 128 bits of its keyed digest, as
  /// PS3.5 B.2 makes UIDs from UUIDs (at most 44 characters).
  public func uid(for original: String) -> String {
    let digest = key.digest("uid", original)
    return UIDSyntax.uuidDerived(Array(digest.prefix(16)))
  }

  /// The pseudonym of a patient, from the identity an issuer gives (ID and issuer), else from the name
  /// and birth date: ten characters of base 32 (50 bits), the same for the same patient in every run.
  public func patientCode(_ identity: PatientIdentity) -> String {
    let digest = key.digest("patient", identity.text)
    let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")  // Crockford's: no I, L, O, U
    var bits: UInt64 = 0
    for b in digest.prefix(8) { bits = bits << 8 | UInt64(b) }
    return String((0..<10).map { i in alphabet[Int((bits >> UInt64(59 - 5 * i)) & 31)] })
  }

  /// How many days a patient's dates move back under the modified-dates option: the same for all of a
  /// patient's studies, so intervals between them stay true, between one and ten years.
  public func dateOffsetDays(_ identity: PatientIdentity) -> Int {
    let digest = key.digest("dates", identity.text)
    let value = digest.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    return 365 + value % (3650 - 365)
  }
}

/// Who a dataset is about, as far as its header says: the key of a patient's pseudonym.
public struct PatientIdentity: Sendable, Equatable {
  public let id: String
  public let issuer: String
  public let name: String
  public let birthDate: String

  public init(id: String, issuer: String, name: String, birthDate: String) {
    self.id = id
    self.issuer = issuer
    self.name = name
    self.birthDate = birthDate
  }

  public init(_ dataset: Dataset) {
    self.init(
      id: dataset.string(Tag.patientID) ?? "", issuer: dataset.string(Tag.issuerOfPatientID) ?? "",
      name: dataset.string(Tag.patientName) ?? "", birthDate: dataset.string(Tag.patientBirthDate) ?? "")
  }

  /// An ID names the patient within its issuer; without one, name and birth date are what is left.
  var text: String { id.isEmpty ? "name\u{0}\(name)\u{0}\(birthDate)" : "id\u{0}\(issuer)\u{0}\(id)" }
}

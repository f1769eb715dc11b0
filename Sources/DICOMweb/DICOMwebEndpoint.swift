import Foundation
public import SecureTransport

/// A DICOMweb service: its root URL (`https://host/dicom-web`), how we authenticate, the TLS settings for
/// https, and time limits. Secrets come from files or the environment (resolved by the caller), never the
/// command line, and are never said: `description` shows none.
public struct DICOMwebEndpoint: Sendable, CustomStringConvertible {
  public enum Authorization: Sendable, Equatable {
    case none
    case basic(username: String, password: String)
    case bearer(token: String)
  }

  /// The root without a trailing slash.
  public let root: String
  public let host: String
  public let isHTTPS: Bool
  public var authorization: Authorization
  /// Certificate checks for https (nil: the system's CAs).
  public var tls: TLSClientSettings?
  public var connectTimeout: Double
  /// The longest silence inside a response.
  public var readTimeout: Double

  public init(
    url: String, authorization: Authorization = .none, tls: TLSClientSettings? = nil, connectTimeout: Double = 10,
    readTimeout: Double = 60
  ) throws(DICOMwebError) {
    guard url.utf8.count <= 2048, let components = URLComponents(string: url),
      let scheme = components.scheme?.lowercased(),
      scheme == "http" || scheme == "https"
    else { throw .invalidURL("it must start with http:// or https://") }
    guard let host = components.host, !host.isEmpty else { throw .invalidURL("no host") }
    guard components.user == nil, components.password == nil else {
      throw .invalidURL("credentials do not belong in the URL (use username and password_file)")
    }
    guard components.query == nil, components.fragment == nil else { throw .invalidURL("no query or fragment") }
    var root = url
    while root.hasSuffix("/") { root.removeLast() }
    self.root = root
    self.host = host
    isHTTPS = scheme == "https"
    self.authorization = authorization
    self.tls = tls
    self.connectTimeout = connectTimeout
    self.readTimeout = readTimeout
  }

  public var description: String { root }

  /// A request's URL for `path` (relative to the root) and query parameters. Values are percent-encoded
  /// where a URL needs it (separators, spaces, non-ASCII) and left as they are otherwise: Orthanc's
  /// DICOMweb plugin does not decode its query, so an encoded `^` or `*` would match nothing there.
  func url(_ path: String, _ parameters: [(String, String)] = []) -> String {
    guard !parameters.isEmpty else { return root + "/" + path }
    let query = parameters.map { Self.encoded($0.0) + "=" + Self.encoded($0.1) }.joined(separator: "&")
    return root + "/" + path + "?" + query
  }

  /// Printable ASCII but the query's own separators and `%`, as is; everything else as %XX.
  static func encoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      let keep = byte > 0x20 && byte < 0x7F && !"%&#+=\"<>`{}|[]".utf8.contains(byte)
      if keep { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += String(format: "%%%02X", byte) }
    }
    return out
  }

  /// A URL as it may be logged: the UIDs in its path and each query value replaced (they identify
  /// studies and carry names, IDs, dates); paging and the attributes asked for stay.
  public static func redacted(_ url: String) -> String {
    let mark = url.firstIndex(of: "?") ?? url.endIndex
    let path = url[..<mark].split(separator: "/", omittingEmptySubsequences: false).map { segment in
      segment.count >= 8 && segment.allSatisfy({ $0.isNumber || $0 == "." }) ? "<uid>" : String(segment)
    }.joined(separator: "/")
    guard mark < url.endIndex else { return path }
    let query = url[url.index(after: mark)...].split(separator: "&").map { pair -> String in
      let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
      return name == "limit" || name == "offset" || name == "includefield" ? String(pair) : name + "=<redacted>"
    }
    return path + "?" + query.joined(separator: "&")
  }
}

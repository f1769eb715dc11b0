/// What goes wrong with a DICOMweb server, in words a user can act on. Texts carry no patient data: a
/// URL is said without its query.
public enum DICOMwebError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalidURL(String)
  case unreachable(host: String, reason: String)
  case tls(host: String, reason: String)
  /// 401: the server wants credentials, or refused ours.
  case unauthorized
  case forbidden
  case notFound(String)
  /// A 3xx answer: not followed (credentials must not go to another host; a server behind a proxy
  /// that redirects is configured with its final URL).
  case redirected(location: String)
  case httpStatus(Int, String)
  /// A response larger than what its kind may be (a search's JSON, a rendered picture).
  case responseTooLarge(limit: Int)
  case unexpectedContentType(String)
  case multipart(MultipartReader.Failure)
  case badJSON(String)
  /// A part that is not a DICOM Part 10 object.
  case badPart(String)
  case timeout(seconds: Double)
  case unsupported(String)

  public var description: String {
    switch self {
    case .invalidURL(let why): "invalid DICOMweb URL: \(why)"
    case .unreachable(let host, let reason): "cannot reach \(host): \(reason)"
    case .tls(let host, let reason): "TLS with \(host) failed: \(reason)"
    case .unauthorized: "the server refused our credentials (check username and password_file, or token_file)"
    case .forbidden: "the server forbids this request to our credentials"
    case .notFound(let what): "not found on the server: \(what)"
    case .redirected(let location): "the server redirects to \(location); not followed (configure that URL instead)"
    case .httpStatus(let code, let reason): "the server answered HTTP \(code) \(reason)"
    case .responseTooLarge(let limit): "the server's answer is larger than \(limit) bytes"
    case .unexpectedContentType(let type): "the server answered with \(type.prefix(80)), not what was asked for"
    case .multipart(let failure): "\(failure)"
    case .badJSON(let why): "the server's JSON does not parse as the DICOM JSON model: \(why)"
    case .badPart(let why): "a part of the answer is not a DICOM object: \(why)"
    case .timeout(let seconds): "no answer within \(seconds) s"
    case .unsupported(let what): "\(what)"
    }
  }
}

/// TLS settings that cannot be used: a file missing, unreadable, not PEM, or a key others can read.
public enum TLSSetupError: Error, Sendable, Equatable, CustomStringConvertible {
  case missing(String)
  case unreadable(path: String, reason: String)
  case notPEM(path: String, what: String)
  /// A private key file that its group or others may read (ssh refuses those too).
  case keyTooOpen(path: String, mode: UInt32)
  case invalid(String)

  public var description: String {
    switch self {
    case .missing(let what): "TLS: \(what) is needed"
    case .unreadable(let path, let reason): "TLS: \(path): \(reason)"
    case .notPEM(let path, let what): "TLS: \(path): no \(what) in PEM form"
    case .keyTooOpen(let path, let mode):
      "\(path): a secret others can read (mode \(String(mode, radix: 8))); chmod 600 it"
    case .invalid(let why): "TLS settings: \(why)"
    }
  }
}

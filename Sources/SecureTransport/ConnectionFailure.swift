import NIOCore
import NIOPosix

#if canImport(Glibc)
  import Glibc
#endif

/// Why a connection could not be made, in the words a user needs ("connection refused: nothing listens
/// on that port"), not SwiftNIO's nested error values: said the same for a DICOM peer and a DICOMweb one.
public enum ConnectionFailure {
  /// Why a connection failed, in the words a user needs ("connection refused: nothing listens on that
  /// port"), not SwiftNIO's nested error values.
  public static func describe(_ error: any Error) -> String {
    switch error {
    case let e as NIOConnectionError:
      if let first = e.connectionErrors.first { return describe(first.error) }
      if e.dnsAError != nil || e.dnsAAAAError != nil { return "the host name does not resolve" }
      return "no address to connect to"
    case let e as IOError:
      let text = String(cString: strerror(e.errnoCode)).lowercased()
      switch e.errnoCode {
      case ECONNREFUSED: return text + ": nothing listens on that port"
      case EHOSTUNREACH, ENETUNREACH: return text + ": check the address and the network"
      default: return text
      }
    case ChannelError.connectTimeout(let limit):
      return
        "no answer within \(Double(limit.nanoseconds) / 1e9) s: the host is down or a firewall drops the connection"
    default:
      return "\(error)"
    }
  }
}

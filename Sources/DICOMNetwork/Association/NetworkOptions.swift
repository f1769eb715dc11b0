public import SecureTransport

/// Timers of an association, in seconds (DCMTK's -to, -ta, -td, and an idle limit for the SCP).
public struct NetworkTimeouts: Sendable, Equatable {
  /// TCP connect.
  public var connect: Double
  /// ARTIM: how long to wait for an A-ASSOCIATE-RQ after a connection, or for the close after a reject,
  /// release or abort (PS3.8 9.1.5).
  public var artim: Double
  /// How long a requestor waits for the peer with nothing arriving (a response, the next pending one).
  public var dimse: Double
  /// How long an acceptor keeps an established association that carries no traffic.
  public var idle: Double

  public init(connect: Double = 10, artim: Double = 30, dimse: Double = 60, idle: Double = 300) {
    self.connect = connect
    self.artim = artim
    self.dimse = dimse
    self.idle = idle
  }
}

/// Who we are on the network and our own limits.
public struct LocalEntity: Sendable, Equatable {
  public var aeTitle: String
  /// The largest P-DATA-TF PDU we accept (told to the peer; PDUs above it are refused).
  public var maxPDULength: UInt32
  public var timeouts: NetworkTimeouts
  /// Log patient identifiers (UIDs, names) for local debugging; off by default, so logs carry none.
  public var logsPatientData: Bool
  /// The largest DIMSE message (command and dataset) held in memory: C-FIND identifiers, responses, and
  /// objects a storage handler does not spool to disk. A longer one aborts the association.
  public var maxMessageInMemory: Int

  /// 16 MiB: a C-FIND identifier or response is a few KB; objects go to disk as they arrive.
  public static let defaultMaxMessageInMemory = 16 << 20

  public init(
    aeTitle: String, maxPDULength: UInt32 = 1_048_576, timeouts: NetworkTimeouts = NetworkTimeouts(),
    logsPatientData: Bool = false, maxMessageInMemory: Int = LocalEntity.defaultMaxMessageInMemory
  ) {
    self.aeTitle = aeTitle
    self.maxPDULength = maxPDULength
    self.timeouts = timeouts
    self.logsPatientData = logsPatientData
    self.maxMessageInMemory = maxMessageInMemory
  }

  /// AE titles are 1 to 16 characters of the default repertoire, no backslash or control character,
  /// not all spaces (PS3.5 table 6.2-1).
  public static func validate(aeTitle: String) throws(NetworkError) {
    let trimmed = aeTitle.trimmingSpaces
    guard !trimmed.isEmpty, aeTitle.utf8.count <= 16,
      aeTitle.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C })
    else { throw NetworkError.invalidParameter("AE title must be 1 to 16 printable ASCII characters, no backslash") }
  }
}

/// A remote application entity: where it listens, its AE title, and whether it speaks DICOM TLS.
public struct RemoteNode: Sendable, Equatable {
  public var host: String
  public var port: Int
  public var aeTitle: String
  /// TLS settings when the node's port speaks TLS (PS3.15 B.9); nil for plain TCP.
  public var tls: TLSClientSettings?

  public init(host: String, port: Int, aeTitle: String, tls: TLSClientSettings? = nil) {
    self.host = host
    self.port = port
    self.aeTitle = aeTitle
    self.tls = tls
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " || s.last == "\0" { s = s.dropLast() }
    return String(s)
  }
}

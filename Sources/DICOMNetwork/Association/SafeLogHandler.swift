public import Logging
import DICOM

/// Every log line, at every level, through the one text-safety rule: the message, the metadata's keys and
/// values and the source are made safe before the wrapped handler writes them, so no peer's string can
/// put an escape sequence into a terminal or a log file, whoever wrote the log call.
public struct SafeLogHandler: LogHandler {
  private var inner: any LogHandler

  public init(wrapping inner: any LogHandler) { self.inner = inner }

  public var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  public var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = Self.safe(newValue) }
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: TextSafety.text(key)] = newValue.map(Self.safe) }
  }

  public func log(event: LogEvent) {
    var event = event
    event.message = Logger.Message(stringLiteral: TextSafety.text(event.message.description))
    event.metadata = event.metadata.map(Self.safe)
    event.source = TextSafety.text(event.source)
    inner.log(event: event)
  }

  static func safe(_ metadata: Logger.Metadata) -> Logger.Metadata {
    Dictionary(uniqueKeysWithValues: metadata.map { (TextSafety.text($0.key), safe($0.value)) })
  }

  static func safe(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
    switch value {
    case .string(let s): .string(TextSafety.text(s))
    case .stringConvertible(let c): .string(TextSafety.text(c.description))
    case .array(let a): .array(a.map(safe))
    case .dictionary(let d): .dictionary(safe(d))
    }
  }
}

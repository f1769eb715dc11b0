/// Splits a DIMSE message (command, then dataset) into P-DATA-TF PDUs that each fit the peer's maximum
/// PDU length (PS3.8 9.3.5: the length counts the PDV items, each 4 + 2 bytes of header plus its data),
/// and reassembles received PDVs into messages.
public enum PDataFragmenter {
  public static func pdus(contextID: UInt8, command: [UInt8], dataset: [UInt8]?, maxPDULength: UInt32) -> [PDU] {
    // A maximum of 0 means unlimited (PS3.8 D.1); keep fragments reasonable all the same.
    let limit = maxPDULength == 0 ? 1 << 20 : Int(maxPDULength)
    let chunk = max(1, limit - 6)
    var out: [PDU] = []
    func split(_ bytes: [UInt8], isCommand: Bool) {
      if bytes.isEmpty {
        out.append(.dataTF([PresentationDataValue(contextID: contextID, isCommand: isCommand, isLast: true, data: [])]))
        return
      }
      var start = 0
      while start < bytes.count {
        let end = min(start + chunk, bytes.count)
        out.append(
          .dataTF([
            PresentationDataValue(
              contextID: contextID, isCommand: isCommand, isLast: end == bytes.count,
              // One fragment for the whole: the caller's array as it is, not a copy.
              data: start == 0 && end == bytes.count ? bytes : Array(bytes[start..<end]))
          ]))
        start = end
      }
    }
    split(command, isCommand: true)
    if let dataset { split(dataset, isCommand: false) }
    return out
  }
}

/// Puts PDVs back together into command and dataset byte strings, checking the order PS3.8 requires:
/// a message's command fragments, then (if any) its dataset fragments, all on one presentation context.
/// A dataset goes either to memory (bounded by `limit`) or, fragment by fragment as it arrives, to a
/// spool the receiver chose from the command (a C-STORE's object goes to disk, whatever its size).
public struct PDataAssembler: Sendable {
  public struct Message: Sendable, Equatable {
    public var contextID: UInt8
    public var command: [UInt8]
    public var dataset: [UInt8]?
    /// Where the dataset went instead of `dataset`, when the receiver spooled it.
    public var spool: (any DatasetSpool)?

    public init(contextID: UInt8, command: [UInt8], dataset: [UInt8]?, spool: (any DatasetSpool)? = nil) {
      self.contextID = contextID
      self.command = command
      self.dataset = dataset
      self.spool = spool
    }

    public static func == (a: Message, b: Message) -> Bool {
      a.contextID == b.contextID && a.command == b.command && a.dataset == b.dataset && a.spool === b.spool
    }
  }

  /// Where a message's dataset goes, decided once its command is whole.
  public enum Destination: Sendable {
    case none
    case memory
    case spool(any DatasetSpool)
  }

  public enum Failure: Error, Sendable, Equatable {
    case contextChanged(from: UInt8, to: UInt8)
    case datasetBeforeCommand
    /// Command fragments again after the command was whole, while its dataset was awaited.
    case commandWhileAwaitingDataset
    case tooLarge(limit: Int)
    /// The spool refused a fragment (its size cap, a full disk): the text says why.
    case spoolFailed(String)
  }

  private var contextID: UInt8? = nil
  private var command: [UInt8] = []
  private var commandComplete = false
  private var dataset: [UInt8] = []
  private var spool: (any DatasetSpool)? = nil
  /// Largest command + in-memory dataset accepted (a bound on memory for a lying peer); a spooled
  /// dataset is bounded by its spool instead.
  public var limit: Int

  public init(limit: Int = 16 << 20) { self.limit = limit }

  /// The spool of the message being assembled, if any (to discard it when the association fails).
  public var activeSpool: (any DatasetSpool)? { spool }

  /// Adds one PDV; returns the message when its last fragment has arrived. `expectsDataset` tells, once
  /// the command is whole, whether a dataset follows (from the command's Data Set Type).
  public mutating func add(_ pdv: PresentationDataValue, expectsDataset: ([UInt8]) -> Bool) throws(Failure) -> Message?
  {
    try add(pdv) { bytes in expectsDataset(bytes) ? .memory : .none }
  }

  /// Adds one PDV; `destination` says, once the command is whole, where its dataset goes.
  public mutating func add(_ pdv: PresentationDataValue, destination: ([UInt8]) -> Destination) throws(Failure)
    -> Message?
  {
    if let c = contextID, c != pdv.contextID { throw Failure.contextChanged(from: c, to: pdv.contextID) }
    contextID = pdv.contextID
    if pdv.isCommand {
      guard !commandComplete else { throw Failure.commandWhileAwaitingDataset }
      guard command.count + pdv.data.count <= limit else { throw Failure.tooLarge(limit: limit) }
      command += pdv.data
      guard pdv.isLast else { return nil }
      commandComplete = true
      switch destination(command) {
      case .none: return finish(dataset: nil)
      case .memory: return nil
      case .spool(let s):
        spool = s
        return nil
      }
    }
    guard commandComplete else { throw Failure.datasetBeforeCommand }
    if let spool {
      do { try spool.append(pdv.data) } catch { throw Failure.spoolFailed("\(error)") }
      return pdv.isLast ? finish(dataset: nil) : nil
    }
    guard command.count + dataset.count + pdv.data.count <= limit else { throw Failure.tooLarge(limit: limit) }
    // A dataset in one fragment (the usual case when the PDU maximum exceeds an image) is taken as it
    // is, not copied.
    if dataset.isEmpty { dataset = pdv.data } else { dataset += pdv.data }
    return pdv.isLast ? finish(dataset: dataset) : nil
  }

  private mutating func finish(dataset: [UInt8]?) -> Message {
    let message = Message(
      contextID: contextID ?? 0, command: command, dataset: spool == nil ? dataset : nil, spool: spool)
    self = PDataAssembler(limit: limit)
    return message
  }
}

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
public struct PDataAssembler: Sendable {
  public struct Message: Sendable, Equatable {
    public var contextID: UInt8
    public var command: [UInt8]
    public var dataset: [UInt8]?
  }

  public enum Failure: Error, Sendable, Equatable {
    case contextChanged(from: UInt8, to: UInt8)
    case datasetBeforeCommand
    case tooLarge(limit: Int)
  }

  private var contextID: UInt8? = nil
  private var command: [UInt8] = []
  private var commandComplete = false
  private var dataset: [UInt8] = []
  /// Largest command + dataset accepted (a bound on memory for a lying peer).
  public var limit: Int

  public init(limit: Int = 1 << 30) { self.limit = limit }

  /// Adds one PDV; returns the message when its last fragment has arrived. `expectsDataset` tells, once
  /// the command is whole, whether a dataset follows (from the command's Data Set Type).
  public mutating func add(_ pdv: PresentationDataValue, expectsDataset: ([UInt8]) -> Bool) throws(Failure) -> Message?
  {
    if let c = contextID, c != pdv.contextID { throw Failure.contextChanged(from: c, to: pdv.contextID) }
    contextID = pdv.contextID
    guard command.count + dataset.count + pdv.data.count <= limit else { throw Failure.tooLarge(limit: limit) }
    if pdv.isCommand {
      command += pdv.data
      guard pdv.isLast else { return nil }
      commandComplete = true
      if expectsDataset(command) { return nil }
      return finish(dataset: nil)
    }
    guard commandComplete else { throw Failure.datasetBeforeCommand }
    // A dataset in one fragment (the usual case when the PDU maximum exceeds an image) is taken as it
    // is, not copied.
    if dataset.isEmpty { dataset = pdv.data } else { dataset += pdv.data }
    return pdv.isLast ? finish(dataset: dataset) : nil
  }

  private mutating func finish(dataset: [UInt8]?) -> Message {
    let message = Message(contextID: contextID ?? 0, command: command, dataset: dataset)
    self = PDataAssembler(limit: limit)
    return message
  }
}

/// The value of a data element, as it is held in memory.
public enum Value: Sendable, Equatable {
  /// The value bytes exactly as encoded, in the dataset's byte order, padding included.
  case bytes([UInt8])
  /// A large value still in its file.
  case deferred(BulkDataReference)
  /// Items of a sequence (SQ).
  case sequence([Item])
  /// Encapsulated pixel data: offset table and fragments (PS3.5 A.4).
  case fragments(EncapsulatedPixelData)
}

/// One item of a sequence: a nested dataset.
public struct Item: Sendable, Equatable {
  public var dataset: Dataset
  /// Written with undefined length and an item delimiter (kept so canonical files round-trip exactly).
  public var undefinedLength: Bool

  public init(_ dataset: Dataset, undefinedLength: Bool = false) {
    self.dataset = dataset
    self.undefinedLength = undefinedLength
  }
}

/// A data element: tag, VR and value.
public struct Element: Sendable, Equatable {
  public let tag: Tag
  public var vr: VR
  public var value: Value
  /// For SQ and encapsulated values: encoded with undefined length and a sequence delimiter.
  public var undefinedLength: Bool

  public init(tag: Tag, vr: VR, value: Value, undefinedLength: Bool = false) {
    self.tag = tag
    self.vr = vr
    self.value = value
    self.undefinedLength = undefinedLength
  }

  public init(tag: Tag, vr: VR, bytes: [UInt8]) {
    self.init(tag: tag, vr: vr, value: .bytes(bytes))
  }

  /// The bytes of a value held in memory; nil for sequences, fragments and deferred values.
  public var bytes: [UInt8]? {
    if case .bytes(let b) = value { return b }
    return nil
  }

  /// The value length as encoded (without a header); for deferred values, as recorded.
  public var valueLength: Int? {
    switch value {
    case .bytes(let b): b.count
    case .deferred(let r): r.length
    case .sequence, .fragments: nil
    }
  }

  public var items: [Item]? {
    if case .sequence(let items) = value { return items }
    return nil
  }
}

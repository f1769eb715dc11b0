/// Encodes datasets in a transfer syntax (PS3.5 section 7), and Part 10 files (PS3.10 7.1).
///
/// Lengths are written as the values hold them and sequences keep their defined or undefined
/// length encoding, so a file that was canonical when read is written back byte for byte.
public struct DatasetWriter: Sendable {
  public let transferSyntax: TransferSyntax

  public init(transferSyntax: TransferSyntax) {
    self.transferSyntax = transferSyntax
  }

  /// The dataset's bytes in the transfer syntax (deflated when the syntax says so).
  public func encode(_ dataset: Dataset) throws(DICOMError) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(4096)
    let explicit = transferSyntax.isDeflated ? true : transferSyntax.isExplicitVR
    try append(dataset, to: &out, explicit: explicit, order: transferSyntax.byteOrder)
    return transferSyntax.isDeflated ? Inflate.deflateRaw(out) : out
  }

  /// The dataset encoded in pieces: top-level values still in their file (deferred values, fragments of
  /// encapsulated pixel data) are not read here but named, to be copied from their file when written,
  /// so writing a large object never holds its pixels in memory.
  public func encodePieces(_ dataset: Dataset) throws(DICOMError) -> [EncodedPiece] {
    guard !transferSyntax.isDeflated else { return [.bytes(try encode(dataset))] }
    let explicit = transferSyntax.isExplicitVR
    let order = transferSyntax.byteOrder
    var pieces: [EncodedPiece] = []
    var out: [UInt8] = []
    func copy(_ reference: BulkDataReference) {
      pieces.append(.bytes(out))
      out = []
      pieces.append(.copy(reference))
    }
    for element in dataset.elements {
      let swaps = dataset.byteOrder != order && element.vr.componentSize != nil
      switch element.value {
      case .deferred(let reference) where !swaps:
        try appendHeader(
          tag: element.tag, vr: element.vr, length: UInt32(reference.length), to: &out, explicit: explicit, order: order
        )
        copy(reference)
      case .fragments(let pixels):
        for part in try encapsulated(pixels, element, explicit: explicit, order: order) {
          switch part {
          case .bytes(let bytes): out += bytes
          case .copy(let reference): copy(reference)
          }
        }
      default:
        try append(element, from: dataset.byteOrder, to: &out, explicit: explicit, order: order)
      }
    }
    pieces.append(.bytes(out))
    return pieces
  }

  func append(_ dataset: Dataset, to out: inout [UInt8], explicit: Bool, order: ByteOrder) throws(DICOMError) {
    for element in dataset.elements {
      try append(element, from: dataset.byteOrder, to: &out, explicit: explicit, order: order)
    }
  }

  private func append(
    _ element: Element, from sourceOrder: ByteOrder, to out: inout [UInt8], explicit: Bool, order: ByteOrder
  ) throws(DICOMError) {
    let tag = element.tag
    switch element.value {
    case .bytes, .deferred:
      var bytes = try element.loadedBytes()
      if sourceOrder != order, let size = element.vr.componentSize {
        Self.swapComponents(&bytes, size: size)
      }
      try appendHeader(
        tag: tag, vr: element.vr, length: UInt32(bytes.count), to: &out, explicit: explicit,
        order: order)
      out += bytes
    case .sequence(let items):
      var body: [UInt8] = []
      for item in items {
        var itemBody: [UInt8] = []
        try append(item.dataset, to: &itemBody, explicit: explicit, order: order)
        Self.appendTag(.item, to: &body, order: order)
        Self.appendU32(
          item.undefinedLength ? DatasetParser.undefinedLength : UInt32(itemBody.count), to: &body,
          order: order)
        body += itemBody
        if item.undefinedLength {
          Self.appendTag(.itemDelimitation, to: &body, order: order)
          Self.appendU32(0, to: &body, order: order)
        }
      }
      try appendHeader(
        tag: tag, vr: .SQ,
        length: element.undefinedLength ? DatasetParser.undefinedLength : UInt32(body.count),
        to: &out, explicit: explicit, order: order)
      out += body
      if element.undefinedLength {
        Self.appendTag(.sequenceDelimitation, to: &out, order: order)
        Self.appendU32(0, to: &out, order: order)
      }
    case .fragments(let pixels):
      for part in try encapsulated(pixels, element, explicit: explicit, order: order) {
        switch part {
        case .bytes(let bytes): out += bytes
        case .copy(let reference): out += try reference.load()
        }
      }
    }
  }

  /// Encapsulated pixel data (PS3.5 A.4) as pieces: the header, the offset table and each fragment's
  /// item header made here, each fragment's value as held (in memory, or named in its file).
  private func encapsulated(
    _ pixels: EncapsulatedPixelData, _ element: Element, explicit: Bool, order: ByteOrder
  ) throws(DICOMError) -> [EncodedPiece] {
    var head: [UInt8] = []
    try appendHeader(
      tag: element.tag, vr: element.vr, length: DatasetParser.undefinedLength, to: &head, explicit: explicit,
      order: order)
    Self.appendTag(.item, to: &head, order: order)
    Self.appendU32(UInt32(pixels.basicOffsetTable.count), to: &head, order: order)
    head += pixels.basicOffsetTable
    var parts: [EncodedPiece] = []
    for fragment in pixels.fragments {
      Self.appendTag(.item, to: &head, order: order)
      Self.appendU32(UInt32(fragment.length), to: &head, order: order)
      switch fragment {
      case .bytes(let bytes): head += bytes
      case .deferred(let reference):
        parts.append(.bytes(head))
        parts.append(.copy(reference))
        head = []
      }
    }
    Self.appendTag(.sequenceDelimitation, to: &head, order: order)
    Self.appendU32(0, to: &head, order: order)
    return parts + [.bytes(head)]
  }

  private func appendHeader(
    tag: Tag, vr: VR, length: UInt32, to out: inout [UInt8], explicit: Bool, order: ByteOrder
  ) throws(DICOMError) {
    Self.appendTag(tag, to: &out, order: order)
    guard explicit else {
      Self.appendU32(length, to: &out, order: order)
      return
    }
    let (a, b) = vr.bytes
    out.append(a)
    out.append(b)
    if vr.hasLongLength {
      out += [0, 0]
      Self.appendU32(length, to: &out, order: order)
    } else {
      guard length <= 0xFFFF else {
        throw DICOMError.invalidValue(tag: tag, reason: "\(length) bytes do not fit the 16-bit length of \(vr)")
      }
      Self.appendU16(UInt16(length), to: &out, order: order)
    }
  }

  static func appendTag(_ tag: Tag, to out: inout [UInt8], order: ByteOrder) {
    appendU16(tag.group, to: &out, order: order)
    appendU16(tag.element, to: &out, order: order)
  }

  static func appendU16(_ v: UInt16, to out: inout [UInt8], order: ByteOrder) {
    if order == .little {
      out += [UInt8(v & 0xFF), UInt8(v >> 8)]
    } else {
      out += [UInt8(v >> 8), UInt8(v & 0xFF)]
    }
  }

  static func appendU32(_ v: UInt32, to out: inout [UInt8], order: ByteOrder) {
    let b = [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    out += order == .little ? b : b.reversed()
  }

  /// Reverses the bytes of each `size`-byte component in place (a trailing partial component is left).
  public static func swapComponents(_ bytes: inout [UInt8], size: Int) {
    guard size > 1 else { return }
    var i = 0
    while i + size <= bytes.count {
      var lo = i
      var hi = i + size - 1
      while lo < hi {
        bytes.swapAt(lo, hi)
        lo += 1
        hi -= 1
      }
      i += size
    }
  }
}

/// A piece of an encoded file: bytes made by the writer, or a value copied from its file as it is there.
public enum EncodedPiece: Sendable, Equatable {
  case bytes([UInt8])
  case copy(BulkDataReference)
}

extension Element {
  /// The value bytes, reading a deferred value from its file.
  public func loadedBytes() throws(DICOMError) -> [UInt8] {
    switch value {
    case .bytes(let b): return b
    case .deferred(let r): return try r.load()
    case .sequence, .fragments:
      throw DICOMError.invalidValue(tag: tag, reason: "a \(vr) value has no single byte string")
    }
  }
}

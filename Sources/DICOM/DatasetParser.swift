/// Parses a dataset in one transfer syntax from a `FileInput`, bounded by `Limits`.
///
/// Recursive descent over elements, sequences and items; every loop advances by at least one element
/// header, every length is checked against the bytes that contain it before anything is allocated,
/// and nesting stops at `limits.maxSequenceDepth`.
struct DatasetParser {
  let input: FileInput
  let explicitVR: Bool
  let byteOrder: ByteOrder
  let limits: Limits
  /// Leave values of at least `limits.bulkDataThreshold` bytes in the file (file input only).
  let deferBulkData: Bool
  /// At the top level, stop at the first pixel data element, reading nothing after it.
  let stopBeforePixelData: Bool
  /// At the top level, stop at the first element whose tag is this or later (what indexing needs lies
  /// before it).
  var stopBeforeTag: Tag? = nil

  static let undefinedLength: UInt32 = 0xFFFF_FFFF

  /// Parses elements from `position` until `end`, or until an item delimiter when `delimited`.
  func parseDataset(
    at position: inout Int, end: Int, delimited: Bool, depth: Int, charset inherited: SpecificCharacterSet,
    pixelRepresentation inheritedPR: UInt16? = nil
  ) throws(DICOMError) -> Dataset {
    var elements: [Element] = []
    var charset = inherited
    var pixelRepresentation = inheritedPR
    var sorted = true
    while position < end {
      if depth == 0 && end - position < 8 && input.isAllZero(from: position, to: end) {
        position = end  // trailing padding after the last element, seen in the wild
        break
      }
      try input.require(position, 4, tag: nil)
      let tag = Tag(input.u16(position, byteOrder), input.u16(position + 2, byteOrder))
      if tag.group == 0xFFFE {
        if tag == .itemDelimitation && delimited {
          try input.require(position, 8, tag: tag)
          position += 8
          return Dataset(sortedElements: elements, byteOrder: byteOrder, inheritedCharacterSet: inherited)
        }
        throw DICOMError.unexpectedDelimiter(tag: tag, offset: position)
      }
      if depth == 0 && stopBeforePixelData && Self.isPixelDataTag(tag) { break }
      if depth == 0, let stop = stopBeforeTag, tag >= stop { break }
      let element = try parseElement(
        at: &position, tag: tag, end: end, depth: depth, charset: charset, pixelRepresentation: pixelRepresentation)
      if tag == .specificCharacterSet, case .bytes(let b) = element.value {
        charset = SpecificCharacterSet(definedTerms: SpecificCharacterSet.splitTerms(b))
      } else if tag == .pixelRepresentation, case .bytes(let b) = element.value, b.count >= 2 {
        pixelRepresentation = byteOrder == .little ? UInt16(b[0]) | UInt16(b[1]) << 8 : UInt16(b[0]) << 8 | UInt16(b[1])
      }
      if let last = elements.last, last.tag >= tag {
        sorted = false
        if last.tag == tag { continue }  // a repeated tag: the first one stands, as in DCMTK
      }
      elements.append(element)
    }
    if delimited {
      throw DICOMError.truncated(offset: position, tag: .itemDelimitation, needed: 8)
    }
    if !sorted { elements = Self.sortedKeepingFirst(elements) }
    return Dataset(sortedElements: elements, byteOrder: byteOrder, inheritedCharacterSet: inherited)
  }

  static func isPixelDataTag(_ tag: Tag) -> Bool {
    tag == .pixelData || tag == .floatPixelData || tag == .doubleFloatPixelData
  }

  private static func sortedKeepingFirst(_ elements: [Element]) -> [Element] {
    var seen = Set<Tag>()
    return elements.filter { seen.insert($0.tag).inserted }.sorted { $0.tag < $1.tag }
  }

  /// Parses one element whose tag has been read at `position`.
  private func parseElement(
    at position: inout Int, tag: Tag, end: Int, depth: Int, charset: SpecificCharacterSet,
    pixelRepresentation: UInt16?
  ) throws(DICOMError) -> Element {
    let start = position
    var vr: VR
    let length: UInt32
    if explicitVR {
      try input.require(start, 8, tag: tag)
      guard let v = VR.from(input.byte(start + 4), input.byte(start + 5)) else {
        throw DICOMError.unknownVR(
          tag: tag, offset: start + 4, bytes: Self.printable(input.byte(start + 4), input.byte(start + 5)))
      }
      vr = v
      if v.hasLongLength {
        try input.require(start, 12, tag: tag)
        length = input.u32(start + 8, byteOrder)
        position = start + 12
      } else {
        length = UInt32(input.u16(start + 6, byteOrder))
        position = start + 8
      }
    } else {
      try input.require(start, 8, tag: tag)
      length = input.u32(start + 4, byteOrder)
      vr = Self.implicitVR(for: tag, pixelRepresentation: pixelRepresentation)
      position = start + 8
    }

    if length == Self.undefinedLength {
      return try parseUndefinedLength(
        at: &position, tag: tag, vr: vr, start: start, end: end, depth: depth,
        charset: charset)
    }
    let count = Int(length)
    guard count <= end - position else {
      throw DICOMError.lengthExceedsData(tag: tag, offset: start, length: count, available: end - position)
    }
    if vr == .UN, let known = Self.knownVR(for: tag, pixelRepresentation: pixelRepresentation) {
      vr = known  // UN of a tag the dictionary knows: implicit VR LE inside (PS3.5 6.2.2), re-parsed
      if vr == .SQ {
        let items = try implicitLittleEndian().parseItems(
          at: &position, end: position + count, delimited: false, tag: tag, depth: depth, charset: charset)
        return Element(tag: tag, vr: .SQ, value: .sequence(items))
      }
    }
    if vr == .SQ {
      let items = try parseItems(
        at: &position, end: position + count, delimited: false, tag: tag, depth: depth, charset: charset)
      return Element(tag: tag, vr: .SQ, value: .sequence(items))
    }
    if deferBulkData && input.isFile && count >= limits.bulkDataThreshold && !vr.isString, let path = input.path {
      let reference = BulkDataReference(path: path, offset: position, length: count)
      position += count
      return Element(tag: tag, vr: vr, value: .deferred(reference))
    }
    guard count <= limits.maxValueLength else {
      throw DICOMError.valueTooLong(tag: tag, offset: start, length: count, limit: limits.maxValueLength)
    }
    let bytes = try input.bytes(position, count, tag: tag)
    position += count
    return Element(tag: tag, vr: vr, value: .bytes(bytes))
  }

  private func parseUndefinedLength(
    at position: inout Int, tag: Tag, vr: VR, start: Int, end: Int, depth: Int, charset: SpecificCharacterSet
  ) throws(DICOMError) -> Element {
    if Self.isPixelDataTag(tag) && vr != .SQ {
      let pixels = try parseFragments(at: &position, end: end, tag: tag)
      return Element(tag: tag, vr: vr == .UN ? .OB : vr, value: .fragments(pixels), undefinedLength: true)
    }
    switch vr {
    case .SQ:
      let items = try parseItems(at: &position, end: end, delimited: true, tag: tag, depth: depth, charset: charset)
      return Element(tag: tag, vr: .SQ, value: .sequence(items), undefinedLength: true)
    case .UN:
      // UN with undefined length is a sequence in implicit VR little endian (PS3.5 6.2.2).
      let items = try implicitLittleEndian().parseItems(
        at: &position, end: end, delimited: true, tag: tag, depth: depth, charset: charset)
      return Element(tag: tag, vr: .SQ, value: .sequence(items), undefinedLength: true)
    default:
      if !explicitVR && DataDictionary.entry(for: tag) == nil {
        // An unknown (private) tag in implicit VR with undefined length can only be a sequence.
        let items = try parseItems(at: &position, end: end, delimited: true, tag: tag, depth: depth, charset: charset)
        return Element(tag: tag, vr: .SQ, value: .sequence(items), undefinedLength: true)
      }
      throw DICOMError.undefinedLengthNotAllowed(tag: tag, offset: start)
    }
  }

  /// Parses the items of a sequence, from its first item to `end` or to its sequence delimiter.
  func parseItems(
    at position: inout Int, end: Int, delimited: Bool, tag: Tag, depth: Int, charset: SpecificCharacterSet
  ) throws(DICOMError) -> [Item] {
    guard depth < limits.maxSequenceDepth else {
      throw DICOMError.sequenceTooDeep(tag: tag, offset: position, limit: limits.maxSequenceDepth)
    }
    var items: [Item] = []
    while delimited || position < end {
      try input.require(position, 8, tag: tag)
      let itemTag = Tag(input.u16(position, byteOrder), input.u16(position + 2, byteOrder))
      let length = input.u32(position + 4, byteOrder)
      if itemTag == .sequenceDelimitation && delimited {
        position += 8
        return items
      }
      guard itemTag == .item else { throw DICOMError.unexpectedDelimiter(tag: itemTag, offset: position) }
      position += 8
      if length == Self.undefinedLength {
        let ds = try parseDataset(at: &position, end: end, delimited: true, depth: depth + 1, charset: charset)
        items.append(Item(ds, undefinedLength: true))
      } else {
        let count = Int(length)
        guard count <= end - position else {
          throw DICOMError.lengthExceedsData(tag: .item, offset: position - 8, length: count, available: end - position)
        }
        let ds = try parseDataset(
          at: &position, end: position + count, delimited: false, depth: depth + 1,
          charset: charset)
        items.append(Item(ds))
      }
    }
    return items
  }

  /// Parses encapsulated pixel data: the Basic Offset Table item, fragment items, sequence delimiter.
  private func parseFragments(at position: inout Int, end: Int, tag: Tag) throws(DICOMError) -> EncapsulatedPixelData {
    var table: [UInt8]? = nil
    var fragments: [Fragment] = []
    while true {
      try input.require(position, 8, tag: tag)
      let itemTag = Tag(input.u16(position, byteOrder), input.u16(position + 2, byteOrder))
      let length = input.u32(position + 4, byteOrder)
      if itemTag == .sequenceDelimitation {
        position += 8
        break
      }
      guard itemTag == .item else { throw DICOMError.unexpectedDelimiter(tag: itemTag, offset: position) }
      guard length != Self.undefinedLength else {
        throw DICOMError.malformed(tag: tag, offset: position, reason: "fragment with undefined length")
      }
      let count = Int(length)
      let valueStart = position + 8
      guard count <= end - valueStart else {
        throw DICOMError.lengthExceedsData(tag: .item, offset: position, length: count, available: end - valueStart)
      }
      if table == nil {
        guard count % 4 == 0, count <= limits.maxValueLength else {
          throw DICOMError.malformed(tag: tag, offset: position, reason: "Basic Offset Table of \(count) bytes")
        }
        table = try input.bytes(valueStart, count, tag: tag)
      } else if deferBulkData && input.isFile, let path = input.path {
        fragments.append(.deferred(BulkDataReference(path: path, offset: valueStart, length: count)))
      } else {
        guard count <= limits.maxValueLength else {
          throw DICOMError.valueTooLong(tag: tag, offset: position, length: count, limit: limits.maxValueLength)
        }
        fragments.append(.bytes(try input.bytes(valueStart, count, tag: tag)))
      }
      position = valueStart + count
    }
    return EncapsulatedPixelData(basicOffsetTable: table ?? [], fragments: fragments)
  }

  private func implicitLittleEndian() -> DatasetParser {
    DatasetParser(
      input: input, explicitVR: false, byteOrder: .little, limits: limits, deferBulkData: deferBulkData,
      stopBeforePixelData: false)
  }

  /// The VR implicit encodings imply: the dictionary's, with US/SS chosen by Pixel Representation.
  static func implicitVR(for tag: Tag, pixelRepresentation: UInt16?) -> VR {
    knownVR(for: tag, pixelRepresentation: pixelRepresentation) ?? .UN
  }

  static func knownVR(for tag: Tag, pixelRepresentation: UInt16?) -> VR? {
    guard let entry = DataDictionary.entry(for: tag) else { return nil }
    if entry.vrText == "US or SS" && pixelRepresentation == 1 { return .SS }
    return entry.vr
  }

  static func printable(_ a: UInt8, _ b: UInt8) -> String {
    func p(_ c: UInt8) -> String { (0x20..<0x7F).contains(c) ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16) }
    return p(a) + p(b)
  }
}

extension FileInput {
  func isAllZero(from: Int, to: Int) -> Bool {
    guard (try? require(from, to - from, tag: nil)) != nil else { return false }
    return (from..<to).allSatisfy { byte($0) == 0 }
  }
}

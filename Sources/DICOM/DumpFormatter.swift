import Foundation

/// Formats a file or dataset as DCMTK's dcmdump does: one element a line, tag written `(gggg,eeee)`,
/// then VR, value, length, VM and keyword; sequences and items indented.
public struct DumpFormatter: Sendable {
  /// Print whole values instead of cutting them at `maxValueCharacters`.
  public var showAll: Bool
  /// Print registered UIDs by keyword (`=CTImageStorage`) rather than as numbers.
  public var uidNames: Bool
  public var maxValueCharacters = 64

  public init(showAll: Bool = false, uidNames: Bool = true) {
    self.showAll = showAll
    self.uidNames = uidNames
  }

  public func format(_ file: DICOMFile) -> [String] {
    var lines = ["", "# Dicom-File-Format", ""]
    if !file.meta.isEmpty {
      lines += ["# Dicom-Meta-Information-Header", "# Used TransferSyntax: Little Endian Explicit"]
      lines += format(file.meta, depth: 0)
      lines.append("")
    }
    lines += ["# Dicom-Data-Set", "# Used TransferSyntax: \(file.transferSyntax.name)"]
    lines += format(file.dataset.removingGroup(0x0002), depth: 0)
    return lines
  }

  public func format(_ dataset: Dataset, depth: Int) -> [String] {
    var lines: [String] = []
    for element in dataset.elements { append(element, in: dataset, depth: depth, to: &lines) }
    return lines
  }

  private func append(_ e: Element, in dataset: Dataset, depth: Int, to lines: inout [String]) {
    let keyword = DataDictionary.keyword(for: e.tag) ?? "Unknown Tag & Data"
    switch e.value {
    case .sequence(let items):
      let kind = e.undefinedLength ? "undefined" : "explicit"
      lines.append(
        line(
          e.tag, "SQ", "(Sequence with \(kind) length #=\(items.count))", length: e.undefinedLength ? nil : -1,
          vm: 1, keyword: keyword, depth: depth))
      for item in items {
        let itemKind = item.undefinedLength ? "undefined" : "explicit"
        lines.append(
          line(
            .item, "na", "(Item with \(itemKind) length #=\(item.dataset.count))",
            length: item.undefinedLength ? nil : -1,
            vm: 1, keyword: "Item", depth: depth + 1))
        lines += format(item.dataset, depth: depth + 2)
        lines.append(
          line(
            .itemDelimitation, "na", "(ItemDelimitationItem)", length: 0, vm: 0,
            keyword: "ItemDelimitationItem", depth: depth + 1))
      }
      lines.append(
        line(
          .sequenceDelimitation, "na", "(SequenceDelimitationItem)", length: 0, vm: 0,
          keyword: "SequenceDelimitationItem", depth: depth))
    case .fragments(let pixels):
      lines.append(
        line(
          e.tag, e.vr.rawValue, "(PixelSequence #=\(pixels.fragments.count + 1))", length: nil, vm: 1,
          keyword: keyword, depth: depth))
      lines.append(
        line(
          .item, "pi", hex(pixels.basicOffsetTable, width: 4, order: .little),
          length: pixels.basicOffsetTable.count, vm: 1, keyword: "Item", depth: depth + 1))
      for f in pixels.fragments {
        let shown = (try? showAll ? f.load() : f.loadPrefix(maxValueCharacters)) ?? []
        lines.append(
          line(
            .item, "pi", hex(shown, width: 1, order: .little, total: f.length), length: f.length,
            vm: 1, keyword: "Item", depth: depth + 1))
      }
      lines.append(
        line(
          .sequenceDelimitation, "na", "(SequenceDelimitationItem)", length: 0, vm: 0,
          keyword: "SequenceDelimitationItem", depth: depth))
    case .bytes, .deferred:
      let (text, vm) = valueText(e, in: dataset)
      lines.append(line(e.tag, e.vr.rawValue, text, length: e.valueLength ?? 0, vm: vm, keyword: keyword, depth: depth))
    }
  }

  /// The value as dcmdump prints it, and its value multiplicity.
  func valueText(_ e: Element, in dataset: Dataset) -> (String, Int) {
    let length = e.valueLength ?? 0
    if length == 0 { return ("(no value available)", 0) }
    let bytes: [UInt8]
    switch e.value {
    case .bytes(let b): bytes = b
    case .deferred(let r):
      let wanted = showAll ? r.length : min(r.length, maxValueCharacters * 2)
      bytes = (try? BulkDataReference(path: r.path, offset: r.offset, length: wanted).load()) ?? []
    default: bytes = []
    }
    if e.vr.isString {
      let values = dataset.decodeStrings(bytes, vr: e.vr)
      if e.vr == .UI && uidNames && values.count == 1, let reg = UIDRegistry.lookup(values[0]), !reg.keyword.isEmpty {
        return ("=" + reg.keyword, 1)
      }
      let text = values.joined(separator: "\\").strippingControlCharacters
      return ("[" + cut(text) + "]", values.count)
    }
    let order = dataset.byteOrder
    switch e.vr {
    case .OB, .UN: return (hex(bytes, width: 1, order: order, total: length), 1)
    case .OW: return (hex(bytes, width: 2, order: order, total: length), 1)
    case .OL, .OV:
      // dcmdump prints OL and OV as unsigned numbers, not hex words.
      let v = BinaryValues(bytes: bytes, vr: e.vr == .OL ? .UL : .UV, order: order)
      let text =
        e.vr == .OL
        ? (v?.integers ?? []).map(String.init)
        : (0..<(v?.count ?? 0)).map { String(BinaryValues.u64(bytes, $0 * 8, order)) }
      return (cut(text.joined(separator: "\\")), 1)
    case .AT:
      let tags = dataset.attributeTags(e.tag) ?? []
      return (cut(tags.map(\.description).joined(separator: "\\")), tags.count)
    case .FL, .OF:
      let v = BinaryValues(bytes: bytes, vr: e.vr, order: order)?.doubles ?? []
      return (cut(v.map { String(format: "%.9g", $0) }.joined(separator: "\\")), e.vr == .OF ? 1 : v.count)
    case .FD, .OD:
      let v = BinaryValues(bytes: bytes, vr: e.vr, order: order)?.doubles ?? []
      return (cut(v.map { String(format: "%.17g", $0) }.joined(separator: "\\")), e.vr == .OD ? 1 : v.count)
    default:
      let v = BinaryValues(bytes: bytes, vr: e.vr, order: order)?.integers ?? []
      return (cut(v.map(String.init).joined(separator: "\\")), v.count)
    }
  }

  private func cut(_ text: String) -> String {
    guard !showAll, text.count > maxValueCharacters else { return text }
    return String(text.prefix(maxValueCharacters)) + "..."
  }

  /// Hex words of `width` bytes, in the dataset's byte order, separated by backslashes.
  private func hex(_ bytes: [UInt8], width: Int, order: ByteOrder, total: Int? = nil) -> String {
    var parts: [String] = []
    var i = 0
    let limit = showAll ? Int.max : maxValueCharacters
    var chars = 0
    while i + width <= bytes.count {
      var v: UInt64 = 0
      for k in 0..<width {
        let b = UInt64(bytes[order == .little ? i + width - 1 - k : i + k])
        v = v << 8 | b
      }
      let s = String(v, radix: 16)
      parts.append(String(repeating: "0", count: width * 2 - s.count) + s)
      chars += width * 2 + 1
      i += width
      if chars > limit { break }
    }
    let text = parts.joined(separator: "\\")
    let truncated = i < (total ?? bytes.count)
    return truncated && !showAll ? String(text.prefix(limit)) + "..." : text
  }

  private func line(_ tag: Tag, _ vr: String, _ value: String, length: Int?, vm: Int, keyword: String, depth: Int)
    -> String
  {
    let indent = String(repeating: " ", count: depth * 2)
    var head = indent + tag.description + " " + vr + " " + value
    let width = indent.count + 55
    if head.count < width { head += String(repeating: " ", count: width - head.count) }
    let len = length.map { $0 < 0 ? "   " : String(format: "%3d", $0) } ?? "u/l"
    return head + " # " + len + ", " + String(vm) + " " + keyword
  }
}

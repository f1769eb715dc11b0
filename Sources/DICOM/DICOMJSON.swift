import Foundation

/// The DICOM JSON model of PS3.18 annex F: attributes keyed by tag, `vr`, and `Value`,
/// `InlineBinary` (base64) or nothing for empty values.
public enum DICOMJSON {
  public static func encode(_ dataset: Dataset, pretty: Bool = true) throws(DICOMError) -> String {
    var out = ""
    try write(dataset, to: &out, indent: pretty ? 0 : nil)
    return out
  }

  private static func write(_ dataset: Dataset, to out: inout String, indent: Int?) throws(DICOMError) {
    let pad = indent.map { String(repeating: "  ", count: $0 + 1) } ?? ""
    let nl = indent == nil ? "" : "\n"
    out += "{"
    var first = true
    for e in dataset.elements where !e.tag.isGroupLength {
      out += first ? nl : "," + nl
      first = false
      out += pad + "\"" + e.tag.jsonKey + "\":" + (indent == nil ? "" : " ")
      try writeAttribute(e, of: dataset, to: &out, indent: indent.map { $0 + 1 })
    }
    out += (first ? "" : nl + (indent.map { String(repeating: "  ", count: $0) } ?? "")) + "}"
  }

  private static func writeAttribute(_ e: Element, of dataset: Dataset, to out: inout String, indent: Int?)
    throws(DICOMError)
  {
    out += "{\"vr\":\"" + e.vr.rawValue + "\""
    switch e.value {
    case .sequence(let items):
      if !items.isEmpty {
        out += ",\"Value\":["
        for (i, item) in items.enumerated() {
          if i > 0 { out += "," }
          try write(item.dataset, to: &out, indent: indent.map { $0 + 1 })
        }
        out += "]"
      }
    case .fragments:
      // The encapsulated value as it would be encoded: items and sequence delimiter (PS3.18 F.2.7).
      var single = Dataset(byteOrder: .little)
      single.set(e)
      let encoded = try DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(single)
      out += ",\"InlineBinary\":\"" + Data(encoded.dropFirst(12)).base64EncodedString() + "\""
    case .bytes, .deferred:
      let bytes = try e.loadedBytes()
      if bytes.isEmpty { break }
      if let values = try jsonValues(e, bytes: bytes, of: dataset) {
        out += ",\"Value\":[" + values.joined(separator: ",") + "]"
      } else {
        var littleEndian = bytes
        if dataset.byteOrder == .big, let size = e.vr.componentSize {
          DatasetWriter.swapComponents(&littleEndian, size: size)
        }
        out += ",\"InlineBinary\":\"" + Data(littleEndian).base64EncodedString() + "\""
      }
    }
    out += "}"
  }

  /// JSON texts of the values, or nil for VRs carried as InlineBinary.
  private static func jsonValues(_ e: Element, bytes: [UInt8], of dataset: Dataset) throws(DICOMError) -> [String]? {
    switch e.vr {
    case .OB, .OD, .OF, .OL, .OV, .OW, .UN: return nil
    case .PN:
      return dataset.decodeStrings(bytes, vr: .PN).map { value in
        if value.isEmpty { return "null" }
        let groups = PersonName(parsing: value).groups
        let names = ["Alphabetic", "Ideographic", "Phonetic"]
        let members = zip(names, groups).filter { !$0.1.isEmpty }.map { "\"\($0.0)\":" + quote($0.1) }
        return "{" + members.joined(separator: ",") + "}"
      }
    case .IS, .DS:
      return dataset.decodeStrings(bytes, vr: e.vr).map { v in
        guard !v.isEmpty else { return "null" }
        guard let d = Double(v), d.isFinite else { return quote(v) }
        return e.vr == .IS ? String(Int(exactly: d) ?? Int(d)) : jsonNumber(d)
      }
    case .AT:
      return (dataset.attributeTags(e.tag) ?? []).map { quote($0.jsonKey) }
    case .FL, .FD:
      return (BinaryValues(bytes: bytes, vr: e.vr, order: dataset.byteOrder)?.doubles ?? []).map {
        $0.isFinite ? jsonNumber($0) : quote(String($0))
      }
    case .US, .SS, .UL, .SL, .SV, .UV:
      return (BinaryValues(bytes: bytes, vr: e.vr, order: dataset.byteOrder)?.integers ?? []).map(String.init)
    default:
      return dataset.decodeStrings(bytes, vr: e.vr).map { $0.isEmpty ? "null" : quote($0) }
    }
  }

  private static func jsonNumber(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
    return "\(d)"
  }

  static func quote(_ s: String) -> String { TextSafety.jsonString(s) }
}

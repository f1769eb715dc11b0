import Foundation

/// Reading the DICOM JSON model (PS3.18 F.2), as QIDO-RS answers and WADO-RS metadata come: untrusted
/// text from a server. The caller bounds the text's size; here nesting is bounded, every key must be a tag,
/// every VR known, and a value that does not fit its VR is an error, never a trap. Text values are kept
/// in UTF-8 (the datasets carry Specific Character Set ISO_IR 192); BulkDataURI values are left out.
extension DICOMJSON {
  /// Sequences nested deeper than this are refused.
  public static let maxDepth = 16

  /// A JSON array of datasets (a QIDO-RS answer, WADO-RS metadata), or one dataset.
  public static func decode(_ bytes: [UInt8]) throws(DICOMError) -> [Dataset] {
    let root: Any
    do { root = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
      throw .malformed(tag: nil, offset: 0, reason: "not JSON: \(error.localizedDescription)")
    }
    if let object = root as? [String: Any] { return [try dataset(object, depth: 0)] }
    guard let array = root as? [Any] else { throw .malformed(tag: nil, offset: 0, reason: "not a DICOM JSON array") }
    var out: [Dataset] = []
    out.reserveCapacity(array.count)
    for (i, item) in array.enumerated() {
      guard let object = item as? [String: Any] else {
        throw .malformed(tag: nil, offset: i, reason: "item \(i) is not a JSON object")
      }
      out.append(try dataset(object, depth: 0))
    }
    return out
  }

  static func dataset(_ object: [String: Any], depth: Int) throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    if depth == 0 { try ds.set(Tag.specificCharacterSet, .CS, "ISO_IR 192") }
    for key in object.keys.sorted() {
      guard key.utf8.count == 8, let raw = UInt32(key, radix: 16) else {
        throw .malformed(tag: nil, offset: 0, reason: "\(key.prefix(16).debugDescription) is not a tag")
      }
      let tag = Tag(UInt16(raw >> 16), UInt16(raw & 0xFFFF))
      if tag == Tag.specificCharacterSet { continue }
      guard let attribute = object[key] as? [String: Any], let name = attribute["vr"] as? String,
        let vr = VR(rawValue: name)
      else { throw .malformed(tag: tag, offset: 0, reason: "an attribute without a known vr") }
      if let encoded = attribute["InlineBinary"] as? String {
        guard let bytes = Data(base64Encoded: encoded) else {
          throw .malformed(tag: tag, offset: 0, reason: "InlineBinary is not base64")
        }
        ds.set(Element(tag: tag, vr: vr, bytes: Array(bytes)))
        continue
      }
      guard let values = attribute["Value"] as? [Any] else {
        // Absent, or a BulkDataURI: an empty value (the pixel data is fetched on its own).
        if attribute["BulkDataURI"] == nil { ds.set(Element(tag: tag, vr: vr, bytes: [])) }
        continue
      }
      try set(tag, vr, values, in: &ds, depth: depth)
    }
    return ds
  }

  static func set(_ tag: Tag, _ vr: VR, _ values: [Any], in ds: inout Dataset, depth: Int) throws(DICOMError) {
    func bad(_ why: String) -> DICOMError { .invalidValue(tag: tag, reason: why) }
    switch vr {
    case .SQ:
      guard depth < maxDepth else { throw .sequenceTooDeep(tag: tag, offset: 0, limit: maxDepth) }
      var items: [Dataset] = []
      for value in values {
        guard let object = value as? [String: Any] else { throw bad("a sequence item is not an object") }
        items.append(try dataset(object, depth: depth + 1))
      }
      ds.set(tag, items: items)
    case .PN:
      let names = try values.map { (value: Any) throws(DICOMError) -> String in
        if value is NSNull { return "" }
        guard let groups = value as? [String: Any] else { throw bad("a person name is not an object") }
        let parts = ["Alphabetic", "Ideographic", "Phonetic"].map { groups[$0] as? String ?? "" }
        var joined = parts.joined(separator: "=")
        while joined.hasSuffix("=") { joined.removeLast() }
        return joined
      }
      try ds.set(tag, vr, names)
    case .US, .SS, .UL, .SL, .UV, .SV:
      let numbers = try values.map { (value: Any) throws(DICOMError) -> Int64 in
        guard let n = value as? NSNumber, let exact = Int64(exactly: n.doubleValue) else { throw bad("not an integer") }
        return exact
      }
      switch vr {
      case .US:
        guard numbers.allSatisfy({ (0...0xFFFF).contains($0) }) else { throw bad("out of range for US") }
        ds.set(tag, vr, integers: numbers.map { UInt16($0) })
      case .SS:
        guard numbers.allSatisfy({ (-0x8000...0x7FFF).contains($0) }) else { throw bad("out of range for SS") }
        ds.set(tag, vr, integers: numbers.map { Int16($0) })
      case .UL:
        guard numbers.allSatisfy({ (0...0xFFFF_FFFF).contains($0) }) else { throw bad("out of range for UL") }
        ds.set(tag, vr, integers: numbers.map { UInt32($0) })
      case .SL:
        guard numbers.allSatisfy({ (-0x8000_0000...0x7FFF_FFFF).contains($0) }) else {
          throw bad("out of range for SL")
        }
        ds.set(tag, vr, integers: numbers.map { Int32($0) })
      case .UV:
        guard numbers.allSatisfy({ $0 >= 0 }) else { throw bad("out of range for UV") }
        ds.set(tag, vr, integers: numbers.map { UInt64($0) })
      default:
        ds.set(tag, vr, integers: numbers)
      }
    case .FL, .FD:
      let numbers = try values.map { (value: Any) throws(DICOMError) -> Double in
        guard let n = value as? NSNumber else { throw bad("not a number") }
        return n.doubleValue
      }
      ds.set(tag, vr, floats: numbers)
    case .OB, .OD, .OF, .OL, .OV, .OW, .UN:
      throw bad("binary values come as InlineBinary")
    default:
      // Text, IS and DS (numbers or strings), AT (strings of 8 hex digits): as their text.
      let texts = try values.map { (value: Any) throws(DICOMError) -> String in
        switch value {
        case is NSNull: return ""
        case let s as String:
          guard !s.contains("\\") || vr == .LT || vr == .ST || vr == .UT else {
            throw bad("a backslash inside one value")
          }
          return s
        case let n as NSNumber where vr == .IS || vr == .DS:
          return vr == .IS ? String(n.int64Value) : String(n.doubleValue)
        default: throw bad("a value that is not text")
        }
      }
      if vr == .AT {
        var tags: [UInt16] = []
        for t in texts {
          guard t.utf8.count == 8, let raw = UInt32(t, radix: 16) else { throw bad("not a tag") }
          tags += [UInt16(raw >> 16), UInt16(raw & 0xFFFF)]
        }
        ds.set(tag, vr, integers: tags)
      } else {
        try ds.set(tag, vr, texts)
      }
    }
  }
}

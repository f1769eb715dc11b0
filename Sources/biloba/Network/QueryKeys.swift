import ArgumentParser
import DICOM
import DICOMNetwork

/// `-k Keyword=Value` (or `-k gggg,eeee=Value`) as findscu takes them: an empty value asks for the
/// attribute back (a return key); a value matches (wildcards `*` `?`, date ranges `A-B`, UID lists `a\b`).
enum QueryKeys {
  static func identifier(level: ServiceClasses.Level, keys: [String], defaults: Bool = true) throws -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, level.rawValue)
    if defaults {
      for keyword in defaultReturnKeys(level) { try set(&ds, keyword: keyword, value: "") }
    }
    for key in keys {
      guard let eq = key.firstIndex(of: "=") else {
        try set(&ds, keyword: key, value: "")
        continue
      }
      try set(&ds, keyword: String(key[..<eq]), value: String(key[key.index(after: eq)...]))
    }
    return ds
  }

  /// What findscu users usually ask for at each level, so that a bare `biloba find` shows something.
  static func defaultReturnKeys(_ level: ServiceClasses.Level) -> [String] {
    switch level {
    case .patient: ["PatientName", "PatientID", "PatientBirthDate", "PatientSex"]
    case .study:
      [
        "PatientName", "PatientID", "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription",
        "ModalitiesInStudy",
        "StudyInstanceUID",
      ]
    case .series: ["StudyInstanceUID", "SeriesNumber", "Modality", "SeriesDescription", "SeriesInstanceUID"]
    case .image: ["StudyInstanceUID", "SeriesInstanceUID", "InstanceNumber", "SOPClassUID", "SOPInstanceUID"]
    }
  }

  static func tag(for keyword: String) throws -> (Tag, VR) {
    if let entry = DataDictionary.entry(forKeyword: keyword) { return (entry.tag, entry.vr) }
    let hex = keyword.filter { $0 != "(" && $0 != ")" }.split(separator: ",")
    if hex.count == 2, let g = UInt16(hex[0], radix: 16), let e = UInt16(hex[1], radix: 16) {
      let tag = Tag(g, e)
      return (tag, DataDictionary.entry(for: tag)?.vr ?? .LO)
    }
    throw ValidationError("-k \(keyword.strippingControlCharacters): not a DICOM keyword or gggg,eeee tag")
  }

  static func set(_ ds: inout Dataset, keyword: String, value: String) throws {
    let (tag, vr) = try tag(for: keyword)
    if vr == .SQ {
      ds.set(tag, items: [])
      return
    }
    if value.isEmpty {
      ds.set(Element(tag: tag, vr: vr, bytes: []))
      return
    }
    switch vr {
    case .US, .SS, .UL, .SL:
      guard let n = Int(value) else { throw ValidationError("-k \(keyword): \(vr.rawValue) wants a number") }
      if vr == .US { ds.set(tag, vr, integers: [UInt16(clamping: n)]) }
      if vr == .SS { ds.set(tag, vr, integers: [Int16(clamping: n)]) }
      if vr == .UL { ds.set(tag, vr, integers: [UInt32(clamping: n)]) }
      if vr == .SL { ds.set(tag, vr, integers: [Int32(clamping: n)]) }
    default:
      do { try ds.set(tag, vr, value.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)) } catch
      {
        throw ValidationError("-k \(keyword): \(error)")
      }
    }
  }
}

import DICOM
import Foundation
import TestSupport

/// The standard's Table E.1-1 as the oracle script reads it from PyPI, and a corpus object that holds
/// every attribute of it that the data dictionary knows, at the top level and again inside a sequence.
struct ProfileOracle {
  struct Row: Decodable {
    let basic: String
    let options: [String: String]
  }

  let rows: [UInt32: Row]

  static func load() throws -> ProfileOracle {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("profile_oracle.py")
    let out = try ProcessRunner.run("python3", [script.path])
    guard out.status == 0 else { throw OracleMissing(detail: out.stderr) }
    let decoded = try JSONDecoder().decode([String: Row].self, from: Data(out.stdout.utf8))
    var rows: [UInt32: Row] = [:]
    for (key, row) in decoded { if let tag = UInt32(key, radix: 16) { rows[tag] = row } }
    return ProfileOracle(rows: rows)
  }

  struct OracleMissing: Error, CustomStringConvertible {
    let detail: String
    var description: String {
      "the oracle needs dicom-anonymizer and dicom-standard (make setup-python): \(detail)"
    }
  }
}

enum ProfileCorpus {
  /// The patient of the corpus, whose names and IDs the cleaned text must lose.
  static let patientName = "DOE^JOHNATHAN"
  static let patientID = "PID-778899"
  /// A sequence the table does not name: its items are de-identified like the top level.
  static let container = Tag(0x0040, 0x0260)  // Performed Protocol Code Sequence

  static let pixelData = Tag(0x7FE0, 0x0010)
  static let pixels: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]

  /// A value for every VR, distinct per attribute so a dummy can be told from the original.
  static func original(_ tag: Tag, vr: VR) -> Element {
    let n = tag.combined
    func text(_ s: String) -> Element { Element(tag: tag, vr: vr, bytes: Value.paddedText(s)) }
    switch vr {
    case .AE: return text("AE\(n % 100_000)")
    case .AS: return text("045Y")
    case .CS: return text("ORIG\(n % 100_000)")
    case .DA: return text("20240315")
    case .DT: return text("20240315101500")
    case .TM: return text("101500")
    case .DS: return text("12.5")
    case .IS: return text("\(n % 100_000)")
    case .LO, .LT, .ST, .UT, .UC: return text("Orig \(String(n, radix: 16)) for JOHNATHAN DOE")
    case .SH: return text("S\(String(n, radix: 16))")
    case .PN: return text("SMITH^ANNA\(n % 1000)")
    case .UI: return Element(tag: tag, vr: vr, bytes: Value.paddedUID("1.2.826.0.1.3680043.10.1\(n % 1_000_000)"))
    case .UR: return text("http://example.org/\(n)")
    case .US, .SS: return Element(tag: tag, vr: vr, bytes: [7, 0])
    case .UL, .SL, .FL, .AT: return Element(tag: tag, vr: vr, bytes: [7, 0, 0, 0])
    case .FD, .SV, .UV: return Element(tag: tag, vr: vr, bytes: [7, 0, 0, 0, 0, 0, 0, 0])
    case .OB, .OD, .OF, .OL, .OV, .OW, .UN: return Element(tag: tag, vr: vr, bytes: [7, 0, 0, 0, 0, 0, 0, 0])
    case .SQ:
      var item = Dataset()
      item.set(Element(tag: Tag(0x0008, 0x0100), vr: .SH, bytes: Value.paddedText("C\(n % 10000)")))
      item.set(
        Element(tag: Tag(0x0008, 0x1155), vr: .UI, bytes: Value.paddedUID("1.2.826.0.1.3680043.10.2\(n % 10000)")))
      item.set(Element(tag: Tag(0x0010, 0x0020), vr: .LO, bytes: Value.paddedText(patientID)))
      return Element(tag: tag, vr: .SQ, value: .sequence([Item(item)]))
    }
  }

  /// The tags of the table that the data dictionary knows, with the VR it gives them.
  static func attributes(_ oracle: ProfileOracle) -> [(tag: Tag, vr: VR)] {
    oracle.rows.keys.sorted().compactMap { key in
      let tag = Tag(key)
      guard !tag.isFileMeta, tag.group != 0x0000, tag.group != 0xFFFA, tag.group != 0xFFFC,
        let entry = DataDictionary.entry(for: tag)
      else { return nil }
      return (tag, entry.vr)
    }
  }

  /// The corpus object: every attribute at the top level, and inside `container`'s item.
  static func dataset(_ oracle: ProfileOracle) -> Dataset {
    var nested = Dataset()
    var top = Dataset()
    for (tag, vr) in attributes(oracle) {
      top.set(original(tag, vr: vr))
      nested.set(original(tag, vr: vr))
    }
    top.set(Element(tag: Tag(0x0010, 0x0010), vr: .PN, bytes: Value.paddedText(patientName)))
    top.set(Element(tag: Tag(0x0010, 0x0020), vr: .LO, bytes: Value.paddedText(patientID)))
    top.set(Element(tag: Tag(0x0008, 0x0016), vr: .UI, bytes: Value.paddedUID("1.2.840.10008.5.1.4.1.1.2")))
    top.set(Element(tag: container, vr: .SQ, value: .sequence([Item(nested)])))
    top.set(Element(tag: Tag(0x0008, 0x0060), vr: .CS, bytes: Value.paddedText("CT")))
    top.set(Element(tag: Tag(0x0028, 0x0010), vr: .US, bytes: [2, 0]))
    top.set(Element(tag: Tag(0x0028, 0x0011), vr: .US, bytes: [2, 0]))
    top.set(Element(tag: pixelData, vr: .OW, bytes: pixels))
    // A private block: creator and one attribute.
    top.set(Element(tag: Tag(0x0009, 0x0010), vr: .LO, bytes: Value.paddedText("ACME_SAFE")))
    top.set(Element(tag: Tag(0x0009, 0x1001), vr: .LO, bytes: Value.paddedText("private value")))
    top.set(Element(tag: Tag(0x0009, 0x1002), vr: .LO, bytes: Value.paddedText("JOHNATHAN again")))
    return top
  }
}

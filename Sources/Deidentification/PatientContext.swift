import DICOM
import Foundation

/// What de-identifying one object needs to know of its patient: the pseudonym, the date offset, and
/// the identifying strings that free text must not keep.
struct PatientContext: Sendable {
  /// The pseudonym, as Patient's Name and Patient ID: "ANON-" and the patient's keyed code.
  let pseudonym: String
  let dateOffsetDays: Int
  /// The patient's names, IDs, accession number and birth date as written, for cleaning text.
  let identifiers: [String]

  init(_ dataset: Dataset, pseudonyms: Pseudonyms) {
    let identity = PatientIdentity(dataset)
    pseudonym = "ANON-" + pseudonyms.patientCode(identity)
    dateOffsetDays = pseudonyms.dateOffsetDays(identity)
    var words: [String] = []
    for tag in [Tag.patientName, .otherPatientNames] {
      for name in dataset.strings(tag) ?? [] {
        words += name.split(whereSeparator: { $0 == "^" || $0 == "=" || $0 == " " || $0 == "," }).map(String.init)
      }
    }
    for tag in [Tag.patientID, .otherPatientIDs, .accessionNumber, .patientBirthDate] {
      words += dataset.strings(tag) ?? []
    }
    // Words of one or two letters (initials, "DR") would blank ordinary text; they identify no one alone.
    identifiers = Array(Set(words.filter { $0.count >= 3 })).sorted { $0.count > $1.count }
  }

  /// Patient's Name and Patient ID carry the pseudonym: the table's Z allows a dummy value, and a
  /// reader needs one patient per pseudonym to keep a de-identified study together.
  func patientValue(for element: Element) -> Element? {
    guard element.tag == .patientName || element.tag == .patientID else { return nil }
    var e = element
    e.value = .bytes(Value.paddedText(pseudonym))
    return e
  }

  /// Free text with every identifier of the patient it holds overwritten by X's of the same length.
  /// The search goes on after each replacement, never over it: an identifier made of X's (or one the
  /// X's spell again) is replaced once, not forever.
  func scrub(_ text: String) -> String {
    var out = text
    for word in identifiers {
      var from = out.startIndex
      while from < out.endIndex,
        let range = out.range(of: word, options: [.caseInsensitive], range: from..<out.endIndex)
      {
        let length = out.distance(from: range.lowerBound, to: range.upperBound)
        let start = out.distance(from: out.startIndex, to: range.lowerBound)
        out.replaceSubrange(range, with: String(repeating: "X", count: length))
        from = out.index(out.startIndex, offsetBy: start + length)
      }
    }
    return out
  }
}

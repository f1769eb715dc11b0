import DICOM
import Deidentification
import Foundation
import TestSupport
import Testing

/// Every attribute of PS3.15 Table E.1-1 the dictionary knows, at the top level and nested, checked
/// against the table as the standard's renderings on PyPI give it (not against Biloba's generated copy).
@Suite struct ProfileConformanceTests {
  static let key = PseudonymKey(bytes: [UInt8](repeating: 7, count: 32))

  /// Option names as the oracle writes them.
  static let optionNames: [String: ProfileOptions] = [
    "retainSafePrivate": .retainSafePrivate, "retainUIDs": .retainUIDs, "retainDeviceIdentity": .retainDeviceIdentity,
    "retainInstitutionIdentity": .retainInstitutionIdentity,
    "retainPatientCharacteristics": .retainPatientCharacteristics,
    "retainLongitudinalFullDates": .retainLongitudinalFullDates,
    "retainLongitudinalModifiedDates": .retainLongitudinalModifiedDates, "cleanDescriptors": .cleanDescriptors,
    "cleanStructuredContent": .cleanStructuredContent, "cleanGraphics": .cleanGraphics,
  ]

  /// The action the table gives with options in force: an option's column replaces the basic action.
  static func expected(_ row: ProfileOracle.Row, _ options: ProfileOptions) -> String {
    let active = row.options.filter { optionNames[$0.key].map(options.contains) ?? false }.map(\.value)
    for action in ["K", "C", "X"] where active.contains(action) { return action }
    return row.basic
  }

  static func deidentified(_ options: ProfileOptions, safe: Set<SafePrivateAttribute> = []) throws -> (
    Dataset, Dataset, ProfileOracle
  ) {
    let oracle = try ProfileOracle.load()
    let input = ProfileCorpus.dataset(oracle)
    let file = DICOMFile(dataset: input, transferSyntax: .explicitVRLittleEndian)
    let settings = DeidentificationSettings(options: options, safePrivate: safe)
    let out = try Deidentifier(settings: settings, key: key).deidentify(file)
    // Through the bytes, as a reader of the written file sees it.
    let reread = try DICOMFile.read(bytes: try out.encoded(), options: ReadOptions(loadBulkData: true))
    return (input, reread.dataset, oracle)
  }

  /// Failures, one line per attribute that the output gets wrong; the count of attributes checked.
  static func violations(
    original: Dataset, output: Dataset, oracle: ProfileOracle, options: ProfileOptions, where place: String
  ) -> (failures: [String], checked: Int) {
    var failures: [String] = []
    var checked = 0
    let uidsKept = options.contains(.retainUIDs)
    for (tag, vr) in ProfileCorpus.attributes(oracle) {
      guard let row = oracle.rows[tag.combined], let before = original[tag] else { continue }
      if tag == Tag(0x0010, 0x0010) || tag == Tag(0x0010, 0x0020) { continue }  // pseudonyms: checked apart
      let action = expected(row, options)
      let after = output[tag]
      let isEmpty = after.map { $0.valueLength == 0 || $0.items?.isEmpty == true } ?? false
      let changed = after.map { $0 != before } ?? true
      let ok: Bool
      switch action {
      case "X": ok = after == nil
      case "Z": ok = after != nil && isEmpty
      case "D": ok = after != nil && !isEmpty && (vr == .SQ ? nestedCleaned(after, uidsKept: uidsKept) : changed)
      case "U": ok = after != nil && (output.string(tag)?.hasPrefix("2.25.") ?? false) && changed
      case "X/Z": ok = after == nil || isEmpty
      case "X/D": ok = after == nil || (!isEmpty && (vr == .SQ ? nestedCleaned(after, uidsKept: uidsKept) : changed))
      case "Z/D": ok = after != nil && (isEmpty || (vr == .SQ ? nestedCleaned(after, uidsKept: uidsKept) : changed))
      case "X/Z/D": ok = after == nil || isEmpty || (vr == .SQ ? nestedCleaned(after, uidsKept: uidsKept) : changed)
      case "X/Z/U*": ok = after == nil || isEmpty || nestedCleaned(after, uidsKept: uidsKept)
      case "K":
        ok =
          vr == .SQ
          ? (after?.items?.count == before.items?.count && nestedCleaned(after, uidsKept: uidsKept)) : after == before
      case "C": ok = cleaned(before: before, after: after, vr: vr, in: output, uidsKept: uidsKept)
      default: ok = false
      }
      checked += 1
      if !ok {
        failures.append(
          "\(place) \(tag) \(DataDictionary.keyword(for: tag) ?? "") \(vr): \(action) gave \(after.map { "\($0.value)" } ?? "nothing")"
        )
      }
    }
    return (failures, checked)
  }

  /// A sequence kept or dummied still had its items de-identified: the patient ID inside is gone and
  /// the reference UID inside is new.
  static func nestedCleaned(_ element: Element?, uidsKept: Bool) -> Bool {
    guard let items = element?.items, let item = items.first?.dataset else { return false }
    let id = item.string(Tag(0x0010, 0x0020)) ?? ""
    let uid = item.string(Tag(0x0008, 0x1155)) ?? ""
    return !id.contains(ProfileCorpus.patientID) && (uid.hasPrefix("2.25.") != uidsKept || uid.isEmpty)
  }

  static func cleaned(before: Element, after: Element?, vr: VR, in output: Dataset, uidsKept: Bool) -> Bool {
    guard let after else { return false }
    switch vr {
    case .SQ: return nestedCleaned(after, uidsKept: uidsKept)
    case .DA, .DT:
      guard let text = output.string(after.tag), text.count >= 8, Int(text.prefix(8)) != nil else { return false }
      return after != before
    case .LO, .LT, .ST, .UT, .UC, .SH, .PN:
      let text = output.string(after.tag) ?? ""
      return !text.uppercased().contains("JOHNATHAN") && !text.contains(ProfileCorpus.patientID)
    default: return true
    }
  }

  @Test(arguments: [
    ("basic profile", ProfileOptions()),
    (
      "retain UIDs, device, institution, patient characteristics, full dates",
      [
        .retainUIDs, .retainDeviceIdentity, .retainInstitutionIdentity, .retainPatientCharacteristics,
        .retainLongitudinalFullDates,
      ] as ProfileOptions
    ),
    (
      "modified dates and every clean option",
      [.retainLongitudinalModifiedDates, .cleanDescriptors, .cleanStructuredContent, .cleanGraphics] as ProfileOptions
    ),
  ])
  func every_attribute_of_table_E11_is_acted_on_as_the_table_says_at_every_depth(
    name: String, options: ProfileOptions
  ) throws {
    let (input, output, oracle) = try Self.deidentified(options)
    let top = Self.violations(original: input, output: output, oracle: oracle, options: options, where: "top")
    let nestedIn = try #require(input.items(ProfileCorpus.container)?.first)
    let nestedOut = try #require(output.items(ProfileCorpus.container)?.first)
    let nested = Self.violations(
      original: nestedIn, output: nestedOut, oracle: oracle, options: options, where: "nested")
    #expect(top.checked > 550 && nested.checked == top.checked, "\(top.checked) attributes checked")
    let failures = top.failures + nested.failures
    #expect(
      failures.isEmpty, "\(name): \(failures.count) attributes wrong:\n\(failures.prefix(40).joined(separator: "\n"))")
  }

  @Test func the_patient_gets_a_pseudonym_and_the_object_says_how_it_was_deidentified() throws {
    let options: ProfileOptions = [.retainLongitudinalModifiedDates, .cleanDescriptors]
    let (_, output, _) = try Self.deidentified(options)
    let name = try #require(output.string(Tag(0x0010, 0x0010)))
    #expect(name.hasPrefix("ANON-") && name.count == 15 && output.string(Tag(0x0010, 0x0020)) == name)
    #expect(output.string(Tag(0x0012, 0x0062)) == "YES")
    let codes = (output.items(Tag(0x0012, 0x0064)) ?? []).compactMap { $0.string(Tag(0x0008, 0x0100)) }
    #expect(codes == ["113100", "113105", "113107"])
    #expect(output.string(Tag(0x0028, 0x0303)) == "MODIFIED")
  }

  @Test func pixel_data_is_byte_for_byte_the_input() throws {
    let (_, output, _) = try Self.deidentified([])
    #expect(output[ProfileCorpus.pixelData]?.bytes == ProfileCorpus.pixels)
  }

  @Test func private_attributes_go_unless_the_safe_list_names_them() throws {
    let (_, basic, _) = try Self.deidentified([])
    #expect(basic.elements.allSatisfy { !$0.tag.isPrivate })
    let safe: Set = [SafePrivateAttribute(creator: "ACME_SAFE", group: 0x0009, elementByte: 0x01)]
    let (_, kept, _) = try Self.deidentified([.retainSafePrivate], safe: safe)
    #expect(kept.elements.filter(\.tag.isPrivate).map(\.tag) == [Tag(0x0009, 0x0010), Tag(0x0009, 0x1001)])
    #expect(kept.string(Tag(0x0009, 0x1001)) == "private value")
  }

  @Test func every_date_of_a_patient_moves_by_one_offset_under_the_modified_dates_option() throws {
    let (_, output, _) = try Self.deidentified([.retainLongitudinalModifiedDates])
    let study = try #require(output.string(Tag(0x0008, 0x0020)))
    let series = try #require(output.string(Tag(0x0008, 0x0021)))
    #expect(study == series && study != "20240315")
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyyMMdd"
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.calendar = Calendar(identifier: .gregorian)
    let shifted = try #require(formatter.date(from: study))
    let original = try #require(formatter.date(from: "20240315"))
    let days = try #require(Calendar(identifier: .gregorian).dateComponents([.day], from: shifted, to: original).day)
    #expect((365...3650).contains(days), "moved \(days) days")
    let acquisition = try #require(output.string(Tag(0x0008, 0x002A)))  // a DT keeps its time
    #expect(acquisition == study + "101500")
  }
}

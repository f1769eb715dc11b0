import Testing

@testable import DICOM

@Suite struct DictionaryTests {
  @Test func looks_up_attributes_by_tag_and_by_keyword() throws {
    let entry = try #require(DataDictionary.entry(for: Tag(0x0010, 0x0010)))
    #expect(entry.keyword == "PatientName")
    #expect(entry.vr == .PN)
    #expect(entry.vm == "1")
    #expect(DataDictionary.tag(forKeyword: "PixelData") == .pixelData)
    #expect(DataDictionary.tag(forKeyword: "NoSuchKeyword") == nil)
  }

  @Test func knows_retired_attributes_and_their_keywords_without_prefix() throws {
    let entry = try #require(DataDictionary.entry(for: Tag(0x0028, 0x0040)))  // ImageFormat, retired
    #expect(entry.isRetired)
    #expect(entry.keyword == "ImageFormat")
  }

  @Test func resolves_repeating_groups_and_private_creators() throws {
    #expect(DataDictionary.keyword(for: Tag(0x6002, 0x3000)) == "OverlayData")
    #expect(DataDictionary.keyword(for: Tag(0x6001, 0x3000)) == nil)  // odd group: private, not an overlay
    #expect(DataDictionary.entry(for: Tag(0x0029, 0x0010))?.keyword == "PrivateCreator")
    #expect(DataDictionary.entry(for: Tag(0x0029, 0x1010)) == nil)
  }

  @Test func keeps_ambiguous_vrs_visible() throws {
    let entry = try #require(DataDictionary.entry(forKeyword: "SmallestImagePixelValue"))
    #expect(entry.vrText == "US or SS")
    #expect(entry.vr == .US)
  }

  @Test func names_registered_uids() {
    #expect(UIDRegistry.name(of: "1.2.840.10008.5.1.4.1.1.2") == "CT Image Storage")
    #expect(UIDRegistry.lookup("1.2.840.10008.1.2.4.201")?.type == "Transfer Syntax")
    #expect(UIDRegistry.name(of: "1.2.3.4.5") == "1.2.3.4.5")
  }

  @Test func holds_the_whole_standard() {
    #expect(DataDictionary.allEntries.count > 4500)
    // Every row of the generated table is read, none twice.
    let rows = DataDictionary.exactTable.split(separator: "\n").filter { $0.split(separator: "\t").count == 5 }
    #expect(DataDictionary.allEntries.count == rows.count)
    #expect(Set(DataDictionary.allEntries.map(\.tag)).count == rows.count)
    #expect(UIDRegistry.all.count > 400)
  }
}

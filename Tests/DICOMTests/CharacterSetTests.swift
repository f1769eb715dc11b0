import SyntheticData
import Testing

@testable import DICOM

@Suite struct CharacterSetTests {
  @Test(arguments: SyntheticData.internationalNames.map { [$0.characterSet, $0.name] })
  func names_encode_and_decode_back_in_their_character_set(pair: [String]) throws {
    let ds = try SyntheticData.everyVR(characterSet: pair[0], patientName: pair[1])
    let file = try DICOMFile.read(bytes: DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).encoded())
    #expect(file.dataset.string(Tag(0x0010, 0x0010)) == pair[1])
  }

  @Test func decodes_the_japanese_example_of_ps3_5_annex_h() {
    // "Yamada^Tarou=山田^太郎=やまだ^たろう" as PS3.5 H.3.1 encodes it with ISO 2022 IR 87.
    let bytes: [UInt8] =
      Array("Yamada^Tarou=".utf8) + [
        0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42,
        0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42, 0x3D, 0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B,
        0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42,
      ]
    let cs = SpecificCharacterSet(definedTerms: ["", "ISO 2022 IR 87"])
    #expect(cs.decode(bytes, isPersonName: true) == "Yamada^Tarou=山田^太郎=やまだ^たろう")
  }

  @Test func decodes_the_korean_example_of_ps3_5_annex_i() {
    let bytes: [UInt8] =
      Array("Hong^Gildong=".utf8) + [
        0x1B, 0x24, 0x29, 0x43, 0xFB, 0xF3, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xD1, 0xCE, 0xD4,
        0xD7, 0x3D, 0x1B, 0x24, 0x29, 0x43, 0xC8, 0xAB, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE6, 0xB5, 0xBF,
      ]
    let cs = SpecificCharacterSet(definedTerms: ["", "ISO 2022 IR 149"])
    #expect(cs.decode(bytes, isPersonName: true) == "Hong^Gildong=洪^吉洞=홍^길동")
  }

  @Test func an_unknown_character_set_reads_as_latin1_instead_of_failing() {
    let cs = SpecificCharacterSet(definedTerms: ["ISO_IR 999"])
    #expect(cs.unknownTerms == ["ISO_IR 999"])
    #expect(cs.decode([0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]) == "Müller")
  }

  @Test func invalid_utf8_becomes_replacement_characters() {
    let cs = SpecificCharacterSet(definedTerms: ["ISO_IR 192"])
    #expect(cs.decode([0x41, 0xFF, 0x42]) == "A\u{FFFD}B")
  }

  @Test func person_name_components_are_accessible() {
    let name = PersonName(parsing: "Yamada^Tarou=山田^太郎=やまだ^たろう")
    #expect(name.alphabetic.family == "Yamada")
    #expect(name.ideographic.given == "太郎")
    #expect(name.phonetic.family == "やまだ")
  }

  @Test func control_characters_never_reach_the_terminal() {
    #expect("DOE\u{1B}[2J^JOHN".strippingControlCharacters == "DOE\u{FFFD}[2J^JOHN")
    #expect("A\u{9B}B".strippingControlCharacters == "A\u{FFFD}B")
  }
}

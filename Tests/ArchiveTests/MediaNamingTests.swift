import Testing

@testable import Archive

/// A media's File ID components stay within PS3.10's eight characters: a folder that would need more
/// digits than its names hold is refused, never named past the limit (which no reader would follow).
@Suite struct MediaNamingTests {
  @Test func names_count_from_one_and_a_ninth_character_is_refused() throws {
    #expect(try MediaExport.name("IMG", 0) == "IMG00001")
    #expect(try MediaExport.name("IMG", 99_998) == "IMG99999")
    #expect(throws: ArchiveError.self) { try MediaExport.name("IMG", 99_999) }
    #expect(try MediaExport.name("PAT", 41).count == 8)
  }
}

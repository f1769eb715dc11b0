import Archive
import DICOM
import Testing

@testable import Workstation

/// Behind the privacy screen no patient's name, ID, birth date or accession number reaches any screen:
/// lists, titles, corners, the search form, what is typed, and the tag browser (nested items too).
@Suite struct PrivacyScreenTests {
  /// The sample phantom's identity, as its files hold it and as the screens would show it (its study
  /// description, "CT HEAD PHANTOM", is not an identity and stays).
  static let secrets = ["PHANTOM^HEAD", "PHANTOM, HEAD", "PHANTOM*", "BILOBA-0001", "19700101", "ACC0001"]

  static func model(privacy: Bool, screen: Model.Screen) throws -> Model {
    var m = UpdateTests.viewerModel()
    m.size = (120, 40)
    let study = StudyQuery.Study(
      studyInstanceUID: "1.2.1", patientName: "PHANTOM^HEAD", patientID: "BILOBA-0001", studyDate: "20260115",
      studyTime: "", accessionNumber: "ACC0001", description: "CT HEAD", modalities: "CT", seriesCount: 1,
      instanceCount: 24)
    m.studies = [study]
    m.viewer?.study = study
    m.query = StudyQuery(patientName: "PHANTOM*", patientID: "BILOBA-0001", accessionNumber: "ACC0001")
    m.tags = DumpFormatter().format(try DICOMFile.read(path: UpdateTests.root + "/Samples/ct-head/slice001.dcm"))
    m.privacy = privacy
    m.screen = screen
    return m
  }

  static func shown(_ m: Model) throws -> String {
    ScreenText.lines(m, keymap: try UpdateTests.keymap("default")).joined(separator: "\n")
  }

  @Test(arguments: [Model.Screen.studies, .series, .viewer, .tags])
  func no_name_id_birth_date_or_accession_on_any_screen_while_it_is_on(screen: Model.Screen) throws {
    let open = try Self.shown(try Self.model(privacy: false, screen: screen))
    #expect(Self.secrets.contains { open.contains($0) }, "without the privacy screen they show:\n\(open)")
    let hidden = try Self.shown(try Self.model(privacy: true, screen: screen))
    for secret in Self.secrets { #expect(!hidden.contains(secret), "\(secret) on \(screen):\n\(hidden)") }
    #expect(hidden.split(separator: "\n").last?.hasSuffix("PRIVACY") == true, "the screen says it is on")
  }

  @Test func the_search_form_and_a_name_being_typed_are_masked() throws {
    let keys = try UpdateTests.keymap("default")
    var m = try Self.model(privacy: true, screen: .studies)
    _ = update(&m, .key("/"), keymap: keys)
    for c in "SMITH" { _ = update(&m, .key(String(c)), keymap: keys) }
    let typing = try Self.shown(m)
    #expect(!typing.contains("SMITH") && typing.contains("*****"))
    _ = update(&m, .key("Esc"), keymap: keys)
    _ = update(&m, .key("s"), keymap: keys)
    #expect(m.form != nil)
    let form = try Self.shown(m)
    #expect(!form.contains("PHANTOM*") && !form.contains("BILOBA-0001") && !form.contains("ACC0001"))
  }

  @Test func f12_and_the_command_line_turn_it_on_and_off() throws {
    for keymapName in ["default", "vim"] {
      let keys = try UpdateTests.keymap(keymapName)
      var m = try Self.model(privacy: false, screen: .viewer)
      _ = update(&m, .key("F12"), keymap: keys)
      #expect(m.privacy && m.status.hasPrefix("privacy screen on"))
      _ = update(&m, .key("F12"), keymap: keys)
      #expect(!m.privacy)
      _ = update(&m, .key(":"), keymap: keys)
      for c in "privacy on" { _ = update(&m, .key(String(c)), keymap: keys) }
      _ = update(&m, .key("Enter"), keymap: keys)
      #expect(m.privacy, "\(keymapName): \(m.status)")
    }
  }

  @Test func a_tag_line_loses_its_value_when_it_names_a_person_or_identifies_the_patient() {
    #expect(
      PrivacyScreen.tagLine("(0010,0010) PN [DOE^JANE]                  #   8, 1 PatientName")
        == "(0010,0010) PN [***]                  #   8, 1 PatientName")
    // Nested, in an item: indented, still masked.
    #expect(
      PrivacyScreen.tagLine("    (0008,1050) PN [SMITH^J]   #   8, 1 PerformingPhysicianName").contains("[***]"))
    #expect(PrivacyScreen.tagLine("(0010,0030) DA [19700101]  # 8, 1 PatientBirthDate").contains("[***]"))
    // Everything else as it was.
    let modality = "(0008,0060) CS [CT]                          #   2, 1 Modality"
    #expect(PrivacyScreen.tagLine(modality) == modality)
  }

  @Test func the_tag_filter_cannot_find_a_hidden_value() throws {
    var m = try Self.model(privacy: true, screen: .tags)
    m.tagFilter = "PHANTOM^"
    #expect(m.visibleTags.isEmpty)
    m.tagFilter = "PatientName"
    #expect(m.visibleTags.count == 1 && m.visibleTags[0].contains("[***]"))
  }
}

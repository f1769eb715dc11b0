import Archive
import DICOMImaging
import Foundation
import Testing

@testable import Workstation

/// The core driven by messages alone: keys move, open, window and command; the screen is checked as text.
@Suite struct UpdateTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  static func keymap(_ name: String) throws -> Keymap { try Keymap.shipped(name, searching: [root]) }

  static func study(_ n: Int, name: String = "DOE^JANE") -> StudyQuery.Study {
    StudyQuery.Study(
      studyInstanceUID: "1.2.\(n)", patientName: name, patientID: "ID\(n)", studyDate: "2026010\(n % 10)",
      studyTime: "", accessionNumber: "A\(n)", description: "STUDY \(n)", modalities: "CT", seriesCount: 1,
      instanceCount: 10)
  }

  static func viewerModel(slices: Int = 40) -> Model {
    var m = Model()
    m.studies = [study(1)]
    let series = LocalArchive.SeriesSummary(
      seriesInstanceUID: "1.2.1.1", seriesNumber: 3, modality: "CT", description: "AXIAL", instanceCount: slices)
    m.series = [series]
    m.viewer = Viewer(study: study(1), series: series, paths: (0..<slices).map { "/s\($0).dcm" })
    m.viewer?.slice = SliceInfo(
      window: Window(center: 40, width: 400), sliceLocation: 12.5, isLossy: true, rows: 512, columns: 512)
    m.screen = .viewer
    return m
  }

  func press(_ m: inout Model, _ keys: [String], _ keymap: Keymap) -> [Effect] {
    keys.flatMap { update(&m, .key($0), keymap: keymap) }
  }

  @Test func arrows_move_the_study_selection_and_enter_asks_for_its_series() throws {
    let keys = try Self.keymap("default")
    var m = Model()
    _ = update(&m, .studiesLoaded((1...5).map { Self.study($0) }), keymap: keys)
    #expect(press(&m, ["Down", "Down", "Up"], keys).isEmpty)
    #expect(m.studyIndex == 1)
    // Newest first: the second row is the second newest study.
    #expect(press(&m, ["Enter"], keys) == [.loadSeries(studyInstanceUID: "1.2.4")])
    #expect(ScreenText.lines(m, keymap: keys)[3].hasPrefix(">"))
  }

  @Test func vim_counts_and_gg_and_G_move_through_the_slices() throws {
    let keys = try Self.keymap("vim")
    var m = Self.viewerModel()
    #expect(press(&m, ["1", "5", "j"], keys).isEmpty)
    #expect(m.viewer?.index == 15)
    _ = press(&m, ["1", "0", "j"], keys)
    #expect(m.viewer?.index == 25, "a 0 inside a count extends it even though 0 is bound")
    _ = press(&m, ["G"], keys)
    #expect(m.viewer?.index == 39)
    _ = press(&m, ["g", "g"], keys)
    #expect(m.viewer?.index == 0)
    _ = press(&m, ["9", "9", "9", "j"], keys)
    #expect(m.viewer?.index == 39, "counts stop at the last slice")
  }

  @Test func window_keys_and_presets_change_the_window_and_the_corner_text() throws {
    let keys = try Self.keymap("default")
    var m = Self.viewerModel()
    _ = press(&m, ["Right"], keys)
    #expect(m.viewer?.window == Window(center: 40, width: 440))
    _ = press(&m, ["2"], keys)
    #expect(m.viewer?.window == Window.presets["lung"])
    let corner = ScreenText.lines(m, keymap: keys)[m.size.rows - 4]
    #expect(corner.contains("W 1500 L -600 (lung)"))
    #expect(corner.contains("LOSSY"))
    #expect(corner.hasPrefix("Im 1/40  Loc 12.5 mm"))
    _ = press(&m, ["i", "0"], keys)
    #expect(m.viewer?.invert == true && m.viewer?.window == nil)
  }

  @Test func the_command_line_sets_windows_and_presets_and_names_its_mistakes() throws {
    let keys = try Self.keymap("vim")
    var m = Self.viewerModel()
    #expect(press(&m, [":", "w", "l", " ", "8", "0", " ", "3", "5", "Enter"], keys).isEmpty)
    #expect(m.viewer?.window == Window(center: 35, width: 80))
    _ = press(&m, Array(":preset bone").map(String.init) + ["Enter"], keys)
    #expect(m.viewer?.windowName == "bone")
    _ = press(&m, Array(":wl x").map(String.init) + ["Enter"], keys)
    #expect(m.status.hasPrefix(":wl wants"))
    #expect(
      press(&m, Array(":find name=DOE*").map(String.init) + ["Enter"], keys) == [
        .loadStudies(StudyQuery(patientName: "DOE*"))
      ])
  }

  @Test func help_lists_every_binding_of_the_screen_from_the_keymap() throws {
    let keys = try Self.keymap("vim")
    var m = Self.viewerModel()
    m.size = (160, 48)
    _ = press(&m, ["?"], keys)
    let text = ScreenText.lines(m, keymap: keys).joined(separator: "\n")
    #expect(text.contains("Keys of the viewer screen"))
    #expect(text.contains("gg") && text.contains("first slice"))
    #expect(text.contains("F2") && text.contains("preset lung"))
    _ = press(&m, ["x"], keys)
    #expect(m.screen == .viewer)
  }

  @Test func an_empty_archive_says_how_to_import_and_how_to_add_a_node_instead_of_an_empty_table() throws {
    let keys = try Self.keymap("default")
    var m = Model()
    _ = update(&m, .studiesLoaded([]), keymap: keys)
    let text = ScreenText.lines(m, keymap: keys).joined(separator: "\n")
    #expect(text.contains("biloba import PATH") && text.contains("[nodes.pacs]") && text.contains("biloba doctor"))
    #expect(!text.contains("Patient"), "no column headers over nothing")
    // A search that finds nothing is not an empty archive.
    m.query = StudyQuery(patientName: "NOBODY*")
    #expect(ScreenText.lines(m, keymap: keys).joined().contains("no study matches this search"))
  }

  @Test func control_characters_in_dicom_strings_never_reach_the_screen() throws {
    let keys = try Self.keymap("default")
    var m = Model()
    _ = update(&m, .studiesLoaded([Self.study(1, name: "EVIL\u{1B}]0;pwned\u{07}^NAME")]), keymap: keys)
    let text = ScreenText.lines(m, keymap: keys).joined()
    #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    #expect(ScreenText.lines(m, keymap: keys).allSatisfy { $0.count == m.size.columns })
  }

  @Test func a_keymap_with_an_unknown_action_or_bad_toml_is_refused_with_file_and_place() {
    #expect(throws: Keymap.Failure.self) { try Keymap(toml: "[viewer]\n\"j\" = \"explode\"\n", file: "k.toml") }
    do {
      _ = try Keymap(toml: "[viewer\n", file: "k.toml")
      Issue.record("bad TOML accepted")
    } catch {
      #expect(error.description.hasPrefix("k.toml: line 1"))
    }
  }

  @Test func a_user_keymap_overrides_the_shipped_one_key_by_key() throws {
    let user = try Keymap(toml: "[viewer]\n\"n\" = \"next_slice\"\n\"i\" = \"zoom_in\"\n", file: "user.toml")
    let keys = try Self.keymap("default").merged(with: user)
    #expect(keys.lookup(["n"], on: .viewer) == .action(.nextSlice))
    #expect(keys.lookup(["i"], on: .viewer) == .action(.zoomIn))
    #expect(keys.lookup(["Down"], on: .viewer) == .action(.nextSlice))
  }

  @Test func the_tag_browser_lists_the_slice_and_filters_without_regard_to_case() throws {
    let keys = try Self.keymap("default")
    var m = Self.viewerModel()
    #expect(press(&m, ["t"], keys) == [.loadTags(path: "/s0.dcm")])
    _ = update(
      &m, .tagsLoaded(["(0008,0060) CS [CT] # Modality", "(0010,0010) PN [DOE^JANE] # PatientName"]), keymap: keys)
    #expect(m.screen == .tags)
    _ = press(&m, ["/", "p", "a", "t", "i", "e", "n", "t", "Enter"], keys)
    #expect(m.visibleTags == ["(0010,0010) PN [DOE^JANE] # PatientName"])
    #expect(ScreenText.lines(m, keymap: keys)[0].hasPrefix("Tags of slice 1  filter: patient  (1 lines)"))
    #expect(press(&m, ["Esc"], keys).isEmpty)
    #expect(m.screen == .viewer)
  }

  @Test func cine_advances_on_each_tick_and_wraps_at_the_last_slice() throws {
    let keys = try Self.keymap("default")
    var m = Self.viewerModel(slices: 3)
    #expect(update(&m, .tick, keymap: keys).isEmpty, "no frame advances while cine is off")
    _ = press(&m, ["c"], keys)
    #expect(m.viewer?.cineRate == 10)
    let indices = (0..<4).map { _ in
      _ = update(&m, .tick, keymap: keys)
      return m.viewer?.index ?? -1
    }
    #expect(indices == [1, 2, 0, 1])
    _ = press(&m, Array(":cine 25").map(String.init) + ["Enter"], keys)
    #expect(ScreenText.lines(m, keymap: keys)[m.size.rows - 4].contains("Cine 25/s"))
  }

  @Test func tab_lists_a_remote_node_and_enter_retrieves_a_study_not_yet_local_with_progress() throws {
    let keys = try Self.keymap("default")
    var m = Model()
    m.sources = ["Local", "pacs"]
    _ = update(&m, .studiesLoaded([Self.study(1)]), keymap: keys)
    #expect(press(&m, ["Tab"], keys) == [.findRemote(node: "pacs", StudyQuery())])
    _ = update(&m, .remoteStudiesLoaded(node: "pacs", [Self.study(1), Self.study(2)], local: ["1.2.1"]), keymap: keys)
    var lines = ScreenText.lines(m, keymap: keys)
    #expect(lines[0].hasPrefix(" Local  [pacs]"))
    // Newest first: study 2 (not here) above study 1 (already local, marked L).
    #expect(lines[3].contains("10  L"), "a study already local is marked: \(lines[3])")
    #expect(!lines[2].contains("10  L"))
    // Not local: Enter retrieves it, once; already local: Enter opens it.
    #expect(press(&m, ["Enter"], keys) == [.retrieve(node: "pacs", studyInstanceUID: "1.2.2")])
    #expect(press(&m, ["Enter"], keys).isEmpty, "no second job for a study being retrieved")
    #expect(press(&m, ["Down", "Enter"], keys) == [.loadSeries(studyInstanceUID: "1.2.1")])
    m.screen = .studies
    _ = update(&m, .job(studyInstanceUID: "1.2.2", JobProgress(completed: 3, remaining: 7)), keymap: keys)
    lines = ScreenText.lines(m, keymap: keys)
    #expect(lines[2].contains("10  3/10") && !lines[2].contains("["), "\(lines[2])")
    m.size = (120, 30)
    lines = ScreenText.lines(m, keymap: keys)
    #expect(lines[2].contains("10  [###-------] 3/10"), "a bar where the width allows: \(lines[2])")
    m.size = (80, 24)
    let done = update(
      &m, .job(studyInstanceUID: "1.2.2", JobProgress(completed: 10, remaining: 0, finished: true)), keymap: keys)
    #expect(done == [.loadStudies(StudyQuery())])
    #expect(m.localStudyUIDs.contains("1.2.2"))
    #expect(m.status == "retrieve: 10 done")
  }

  @Test func date_shortcuts_become_c_find_ranges_from_today() {
    #expect(dateRange("today", today: "20260301") == "20260301")
    #expect(dateRange("yesterday", today: "20260301") == "20260228")
    #expect(dateRange("7d", today: "20260301") == "20260223-20260301")
    #expect(dateRange("30d", today: "20240315") == "20240215-20240315")
    #expect(dateRange("20250101-", today: "20260301") == "20250101-")
  }

  @Test func week_searches_the_last_seven_days_and_sort_orders_the_list() throws {
    let keys = try Self.keymap("default")
    var m = Model()
    m.today = "20260110"
    #expect(
      press(&m, Array(":week").map(String.init) + ["Enter"], keys) == [
        .loadStudies(StudyQuery(studyDate: "20260104-20260110"))
      ])
    _ = update(
      &m, .studiesLoaded([Self.study(1, name: "ZED^A"), Self.study(3, name: "ABLE^B"), Self.study(2, name: "MID^C")]),
      keymap: keys)
    #expect(m.studies.map(\.studyDate) == ["20260103", "20260102", "20260101"], "newest first")
    _ = press(&m, ["o"], keys)
    #expect(m.sort == .name)
    #expect(m.studies.map(\.patientName) == ["ABLE^B", "MID^C", "ZED^A"])
    _ = press(&m, Array(":sort id").map(String.init) + ["Enter"], keys)
    #expect(m.studies.map(\.patientID) == ["ID1", "ID2", "ID3"])
  }

  @Test func the_probe_starts_at_the_centre_moves_by_a_sixty_fourth_and_stays_on_the_image() throws {
    let keys = try Self.keymap("vim")
    var m = Self.viewerModel()
    #expect(press(&m, ["p"], keys).isEmpty)
    #expect(m.viewer?.probe.map { [$0.x, $0.y] } == [256, 256])
    _ = press(&m, ["L", "2", "J"], keys)
    #expect(m.viewer?.probe.map { [$0.x, $0.y] } == [264, 272])
    _ = press(&m, ["9", "9", "H"], keys)
    #expect(m.viewer?.probe?.x == 0)
    m.viewer?.slice?.probeValue = -1000
    m.viewer?.slice?.units = "HU"
    #expect(ScreenText.lines(m, keymap: keys)[m.size.rows - 3].contains("Probe 0,272: -1000 HU"))
  }

  @Test func pan_moves_a_zoomed_view_and_stops_at_the_edge_of_the_image() throws {
    let keys = try Self.keymap("vim")
    var m = Self.viewerModel()
    _ = press(&m, ["z", "l"], keys)
    #expect(m.viewer?.pan.x == 0, "nothing to pan at zoom 1")
    _ = press(&m, ["+", "+", "+"], keys)
    #expect(press(&m, ["z", "l"], keys).isEmpty)
    #expect((m.viewer?.pan.x ?? 0) > 0)
    _ = press(&m, ["5", "0", "z", "l"], keys)
    let limit = (1 - 1 / (m.viewer?.zoom ?? 1)) / 2
    #expect(abs((m.viewer?.pan.x ?? 0) - limit) < 1e-9)
    _ = press(&m, ["f"], keys)
    #expect(m.viewer?.pan.x == 0 && m.viewer?.zoom == 1)
  }

  @Test func x_cancels_the_selected_studys_running_retrieval_only() throws {
    let keys = try Self.keymap("default")
    var m = Model()
    m.sources = ["Local", "pacs"]
    m.sourceIndex = 1
    _ = update(&m, .remoteStudiesLoaded(node: "pacs", [Self.study(1)], local: []), keymap: keys)
    #expect(press(&m, ["x"], keys).isEmpty, "nothing to cancel yet")
    _ = press(&m, ["Enter"], keys)
    #expect(press(&m, ["x"], keys) == [.cancelRetrieve(studyInstanceUID: "1.2.1")])
    _ = update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(finished: true, error: "cancelled")), keymap: keys)
    #expect(ScreenText.lines(m, keymap: keys)[2].contains("10  failed"))
    #expect(m.status == "retrieve: failed: cancelled")
    #expect(press(&m, ["x"], keys).isEmpty, "a finished job cannot be cancelled")
  }
}

@Suite struct SearchFormTests {
  @Test func the_form_fills_every_search_key_and_enter_runs_the_query() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Model()
    m.today = "20261125"
    m.studies = [UpdateTests.study(1)]
    #expect(update(&m, .key("s"), keymap: keys).isEmpty)
    #expect(m.form?.focus == .patientName)
    func type(_ text: String) { for c in text { _ = update(&m, .key(String(c)), keymap: keys) } }
    type("DOE")
    _ = update(&m, .key("Tab"), keymap: keys)
    type("ID9")
    _ = update(&m, .key("Backspace"), keymap: keys)
    type("1")
    _ = update(&m, .key("Down"), keymap: keys)
    type("7d")
    _ = update(&m, .key("Tab"), keymap: keys)
    type("ct")
    _ = update(&m, .key("Tab"), keymap: keys)
    _ = update(&m, .key("Tab"), keymap: keys)
    type("HEAD")
    let screen = ScreenText.lines(m, keymap: keys)
    #expect(screen.contains { $0.hasPrefix("> Description   HEAD_") }, "\(screen.joined(separator: "\n"))")
    #expect(screen.contains { $0.hasPrefix("  Date          7d ") })
    let effects = update(&m, .key("Enter"), keymap: keys)
    var expected = StudyQuery()
    expected.patientName = "DOE*"
    expected.patientID = "ID1"
    expected.studyDate = "20261119-20261125"
    expected.modality = "CT"
    expected.studyDescription = "*HEAD*"
    #expect(effects == [.loadStudies(expected)])
    #expect(m.form == nil)
    #expect(ScreenText.lines(m, keymap: keys)[0].contains("name DOE*  id ID1  date 20261119-20261125  modality CT"))
  }

  @Test func the_form_opens_with_the_current_search_and_esc_leaves_it_unchanged() throws {
    let keys = try UpdateTests.keymap("vim")
    var m = Model()
    m.query.patientName = "MÜ*"
    m.query.accessionNumber = "A7"
    _ = update(&m, .key("s"), keymap: keys)
    #expect(m.form?[.patientName] == "MÜ*" && m.form?[.accession] == "A7")
    _ = update(&m, .key("C-u"), keymap: keys)
    #expect(m.form?[.patientName] == "")
    _ = update(&m, .key("S-Tab"), keymap: keys)
    #expect(m.form?.focus == .description, "S-Tab wraps to the last field")
    #expect(update(&m, .key("Esc"), keymap: keys).isEmpty)
    #expect(m.form == nil && m.query.patientName == "MÜ*")
  }

  @Test func on_a_remote_tab_the_form_asks_the_node() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Model()
    m.sources = ["Local", "PACS"]
    m.sourceIndex = 1
    _ = update(&m, .key("s"), keymap: keys)
    for c in "mr" { _ = update(&m, .key(String(c)), keymap: keys) }
    var expected = StudyQuery()
    expected.patientName = "mr*"
    #expect(update(&m, .key("Enter"), keymap: keys) == [.findRemote(node: "PACS", expected)])
  }
}

@Suite struct SeriesThumbnailLayoutTests {
  static func model(series count: Int, columns: Int, rows: Int, selected: Int = 0) -> Model {
    var m = Model()
    m.size = (columns, rows)
    m.screen = .series
    m.studies = [UpdateTests.study(1)]
    m.series = (0..<count).map {
      LocalArchive.SeriesSummary(
        seriesInstanceUID: "1.2.\($0)", seriesNumber: $0 + 1, modality: "CT", description: "S\($0 + 1)",
        instanceCount: 10)
    }
    m.seriesIndex = selected
    return m
  }

  @Test func thumbnails_sit_in_bands_under_the_list_each_above_its_label() throws {
    let m = Self.model(series: 3, columns: 100, rows: 30)
    let slots = ScreenText.thumbnailSlots(m)
    #expect(slots.map(\.seriesIndex) == [0, 1, 2])
    #expect(slots.map(\.x) == [0, 18, 36])
    // Title, header, three list rows, a blank row: pictures from row 6, labels on row 12.
    #expect(Set(slots.map(\.y)) == [6])
    #expect(ScreenText.pictureRows(m) == Set(6..<12))
    let lines = ScreenText.lines(m, keymap: try UpdateTests.keymap("default"))
    // The selected one marked with ">", each label in its thumbnail's 16 columns and the gap after them.
    #expect(lines[12].hasPrefix(">#1 S1" + String(repeating: " ", count: 12) + " #2 S2"), "\(lines[12])")
    #expect(lines[12].contains(" #3 S3"), "\(lines[12])")
    #expect(lines[6...11].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty })
  }

  @Test func the_band_of_the_selected_series_is_shown_when_not_all_fit() {
    // 80 columns hold 4 thumbnails a band; 24 rows leave room for one band under a 12-row list.
    let m = Self.model(series: 12, columns: 80, rows: 24, selected: 9)
    let slots = ScreenText.thumbnailSlots(m)
    #expect(slots.map(\.seriesIndex) == [8, 9, 10, 11])
    #expect(slots.allSatisfy { $0.y + $0.rows < 22 }, "above the footer")
  }

  @Test func a_thumbnail_label_wraps_onto_its_second_row_instead_of_being_cut() throws {
    var m = Self.model(series: 3, columns: 100, rows: 30)
    m.series[0].description = "Axial 2.5mm 512"
    m.series[1].description = "Sagittal reconstruction of the whole spine 1mm"
    let lines = ScreenText.lines(m, keymap: try UpdateTests.keymap("default"))
    #expect(lines[12].hasPrefix(">#1 Axial 2.5mm "), "\(lines[12])")
    #expect(lines[13].hasPrefix(" 512 "), "the rest of the label under it: \(lines[13])")
    // Too long for two rows: shortened with an ellipsis, never ending in a cut word without one.
    let second = [lines[12], lines[13]].map { String(Array($0)[18..<36]) }
    #expect(second[0].hasPrefix(" #2 Sagittal"), "\(second)")
    #expect(second[1].trimmingCharacters(in: .whitespaces).hasSuffix("\u{2026}"), "\(second)")
  }

  @Test func the_series_screen_counts_series_and_images_not_studies() throws {
    var m = Model()
    m.studies = [UpdateTests.study(1), UpdateTests.study(2)]
    let keys = try UpdateTests.keymap("default")
    _ = update(&m, .studiesLoaded(m.studies), keymap: keys)
    #expect(m.status == "2 studies")
    let series = Self.model(series: 3, columns: 80, rows: 24).series
    _ = update(&m, .seriesLoaded(studyInstanceUID: m.studies[0].studyInstanceUID, series), keymap: keys)
    #expect(ScreenText.lines(m, keymap: keys).last?.hasPrefix("3 series, 30 images") == true)
    _ = update(&m, .key("Esc"), keymap: keys)
    #expect(m.screen == .studies)
    #expect(ScreenText.lines(m, keymap: keys).last?.hasPrefix("2 studies") == true)
  }

  @Test func a_terminal_too_small_for_a_band_shows_the_list_alone() {
    let m = Self.model(series: 3, columns: 80, rows: 10)
    #expect(ScreenText.thumbnailSlots(m).isEmpty)
    #expect(ScreenText.pictureRows(m).isEmpty)
  }
}

@Suite struct OpenWhileArrivingTests {
  static func remoteModel() -> Model {
    var m = Model()
    m.sources = ["Local", "PACS"]
    m.sourceIndex = 1
    m.studies = [UpdateTests.study(1), UpdateTests.study(2)]
    return m
  }

  @Test func a_retrieved_study_opens_as_soon_as_its_first_image_is_here() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Self.remoteModel()
    #expect(update(&m, .key("Enter"), keymap: keys) == [.retrieve(node: "PACS", studyInstanceUID: "1.2.1")])
    #expect(update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(completed: 0, remaining: 40)), keymap: keys).isEmpty)
    #expect(
      update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(completed: 1, remaining: 39)), keymap: keys) == [
        .loadSeries(studyInstanceUID: "1.2.1")
      ])
    let series = LocalArchive.SeriesSummary(
      seriesInstanceUID: "1.2.1.1", seriesNumber: 1, modality: "CT", description: "AXIAL", instanceCount: 1)
    _ = update(&m, .seriesLoaded(studyInstanceUID: "1.2.1", [series]), keymap: keys)
    #expect(m.screen == .series)
    // Later images refresh the series list, and keep the selection on its series.
    let more = LocalArchive.SeriesSummary(
      seriesInstanceUID: "1.2.1.0", seriesNumber: 0, modality: "SR", description: "", instanceCount: 1)
    #expect(
      update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(completed: 5, remaining: 35)), keymap: keys) == [
        .loadSeries(studyInstanceUID: "1.2.1")
      ])
    _ = update(&m, .seriesLoaded(studyInstanceUID: "1.2.1", [more, series]), keymap: keys)
    #expect(m.selectedSeries?.seriesInstanceUID == "1.2.1.1")
  }

  @Test func moving_to_another_study_before_the_first_image_does_not_yank_the_screen() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Self.remoteModel()
    _ = update(&m, .key("Enter"), keymap: keys)
    _ = update(&m, .key("Down"), keymap: keys)
    #expect(update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(completed: 1)), keymap: keys).isEmpty)
    #expect(m.screen == .studies)
    // Back on it, Enter opens what has arrived.
    _ = update(&m, .key("Up"), keymap: keys)
    #expect(update(&m, .key("Enter"), keymap: keys) == [.loadSeries(studyInstanceUID: "1.2.1")])
  }

  @Test func the_viewer_keeps_its_slice_while_the_series_grows() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel(slices: 3)
    m.viewer?.index = 1
    #expect(
      update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(completed: 4)), keymap: keys) == [
        .loadPaths(seriesInstanceUID: "1.2.1.1")
      ])
    // Two slices arrived, one of them before the one shown.
    #expect(
      update(
        &m,
        .pathsLoaded(
          seriesInstanceUID: "1.2.1.1",
          [
            ViewerStack(
              slices: ["/s0.dcm", "/new.dcm", "/s1.dcm", "/s2.dcm", "/z.dcm"].map { StackSlice(path: $0, frame: 0) })
          ]),
        keymap: keys
      ).isEmpty)
    #expect(m.viewer?.index == 2 && m.viewer?.paths.count == 5)
    #expect(ScreenText.lines(m, keymap: keys)[m.size.rows - 4].hasPrefix("Im 3/5"))
  }
}

@Suite struct LayoutTests {
  /// A viewer on series 1 of a study with three series of 40, 20 and 40 slices.
  static func model() -> Model {
    var m = UpdateTests.viewerModel(slices: 40)
    m.series = [40, 20, 40].enumerated().map { i, n in
      LocalArchive.SeriesSummary(
        seriesInstanceUID: "1.2.1.\(i + 1)", seriesNumber: i + 1, modality: "CT", description: "S\(i + 1)",
        instanceCount: n)
    }
    let first = m.series[0]
    m.viewer?.series = first
    return m
  }

  static func command(_ m: inout Model, _ text: String, _ keys: Keymap) {
    for key in [":"] + text.map(String.init) + ["Enter"] { _ = update(&m, .key(key), keymap: keys) }
  }

  static func viewer(_ m: Model, series i: Int) -> Viewer {
    let s = m.series[i]
    return Viewer(study: m.viewer!.study, series: s, paths: (0..<s.instanceCount).map { "/\(i)/\($0).dcm" })
  }

  @Test func a_wider_layout_fills_its_panes_with_the_following_series_and_1x1_closes_them() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Self.model()
    let effects = update(&m, .key("|"), keymap: keys)
    #expect(m.layout == .sideBySide)
    #expect(
      effects == [.fillPane(1, studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.1.2")])
    _ = update(&m, .paneFilled(1, Self.viewer(m, series: 1)), keymap: keys)
    _ = update(&m, .key("|"), keymap: keys)
    #expect(m.layout == .grid)
    _ = update(&m, .paneFilled(2, Self.viewer(m, series: 2)), keymap: keys)
    _ = update(&m, .paneFilled(3, Self.viewer(m, series: 0)), keymap: keys)
    #expect(m.panes.map(\.series.seriesNumber) == [1, 2, 3, 1])
    let areas = ScreenText.paneAreas(m)
    #expect(areas.count == 4)
    #expect(areas[1].x == areas[0].columns + 1 && areas[2].y > areas[0].y + areas[0].rows)
    let lines = ScreenText.lines(m, keymap: keys)
    #expect(lines[areas[0].labelRow!].hasPrefix("*Se 1 S1  1/40 W 400 L 40"))
    #expect(lines[areas[3].labelRow!].contains(" Se 1 S1  1/40"))
    Self.command(&m, "layout 1x1", keys)
    #expect(m.layout == .single && m.panes.count == 1)
  }

  @Test func a_window_change_in_the_active_pane_changes_only_that_panes_render_key() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Self.model()
    Self.command(&m, "layout 1x2", keys)
    _ = update(&m, .paneFilled(1, Self.viewer(m, series: 1)), keymap: keys)
    let before = m.panes.map(\.picture)
    _ = update(&m, .key("Right"), keymap: keys)
    #expect(m.panes[0].picture != before[0] && m.panes[1].picture == before[1])
    // What a render reports back is not a reason to render again.
    m.panes[1].slice = SliceInfo(window: nil, sliceLocation: 3, isLossy: false, rows: 1, columns: 1)
    #expect(m.panes[1].picture == before[1])
    _ = update(&m, .key("Down"), keymap: keys)
    #expect(m.panes[1].picture != before[1], "scrolling together moves the other pane too")
  }

  @Test func panes_scroll_together_unless_sync_is_off_and_tab_moves_the_keys_to_the_next_pane() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Self.model()
    Self.command(&m, "layout 1x2", keys)
    _ = update(&m, .paneFilled(1, Self.viewer(m, series: 1)), keymap: keys)
    _ = update(&m, .key("PageDown"), keymap: keys)
    #expect(m.panes.map(\.index) == [10, 10])
    _ = update(&m, .key("End"), keymap: keys)
    #expect(m.panes.map(\.index) == [39, 19], "each pane stops at its own last slice")
    Self.command(&m, "sync off", keys)
    _ = update(&m, .key("Tab"), keymap: keys)
    #expect(m.activePane == 1)
    _ = update(&m, .key("Home"), keymap: keys)
    #expect(m.panes.map(\.index) == [39, 0])
    _ = update(&m, .key("Right"), keymap: keys)
    #expect(m.panes[1].window != nil && m.panes[0].window == nil, "window keys act on the active pane")
    #expect(
      update(&m, .key("]"), keymap: keys) == [
        .fillPane(1, studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.1.3")
      ])
  }
}

@Suite struct OpenOnStartTests {
  @Test func a_study_given_at_start_opens_and_a_single_series_goes_straight_to_the_viewer() throws {
    let keys = try UpdateTests.keymap("default")
    var m = Model()
    m.openWhenArrived = "1.2.2"
    #expect(
      update(&m, .studiesLoaded([UpdateTests.study(1), UpdateTests.study(2)]), keymap: keys) == [
        .loadSeries(studyInstanceUID: "1.2.2")
      ])
    #expect(m.selectedStudy?.studyInstanceUID == "1.2.2")
    let one = LocalArchive.SeriesSummary(
      seriesInstanceUID: "1.2.2.1", seriesNumber: 1, modality: "CT", description: "AX", instanceCount: 3)
    #expect(
      update(&m, .seriesLoaded(studyInstanceUID: "1.2.2", [one]), keymap: keys) == [
        .openSeries(studyInstanceUID: "1.2.2", seriesInstanceUID: "1.2.2.1")
      ])
    // Later, choosing a study by hand shows its series list even when it has one series.
    #expect(update(&m, .seriesLoaded(studyInstanceUID: "1.2.2", [one]), keymap: keys).isEmpty)
  }
}

@Suite struct GrayMarkTests {
  @Test func the_corner_says_when_the_terminal_shows_fewer_grays_than_the_image_has() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.viewer?.slice?.isLossy = false
    #expect(!ScreenText.lines(m, keymap: keys)[m.size.rows - 4].contains("GRAYS"))
    m.grayLevels = 101
    #expect(ScreenText.lines(m, keymap: keys)[m.size.rows - 4].hasSuffix("Zoom 100%  101 GRAYS"))
  }
}

@Suite struct RemoteSeriesTests {
  @Test func a_remote_studys_series_are_listed_and_enter_retrieves_just_that_series() throws {
    let keys = try UpdateTests.keymap("default")
    var m = OpenWhileArrivingTests.remoteModel()
    #expect(update(&m, .key("Right"), keymap: keys) == [.findRemoteSeries(node: "PACS", studyInstanceUID: "1.2.1")])
    let series = [2, 1].map { (n: Int) in
      LocalArchive.SeriesSummary(
        seriesInstanceUID: "1.2.1.\(n)", seriesNumber: n, modality: "CT", description: "S\(n)", instanceCount: 5)
    }
    _ = update(&m, .remoteSeriesLoaded(studyInstanceUID: "1.2.1", series), keymap: keys)
    #expect(m.screen == .series && m.seriesAreRemote)
    #expect(m.series.map(\.seriesNumber) == [1, 2], "in series order")
    let lines = ScreenText.lines(m, keymap: keys)
    #expect(lines[0].contains("(on PACS: Enter retrieves a series)"))
    #expect(ScreenText.thumbnailSlots(m).isEmpty, "nothing local to draw")
    _ = update(&m, .key("Down"), keymap: keys)
    #expect(
      update(&m, .key("Enter"), keymap: keys) == [
        .retrieve(node: "PACS", studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.1.2")
      ])
    #expect(m.screen == .studies && m.openWhenArrived == "1.2.1")
    // Its first image here: the study opens from the archive (local series, with thumbnails).
    #expect(
      update(&m, .job(studyInstanceUID: "1.2.1", JobProgress(completed: 1, remaining: 4)), keymap: keys) == [
        .loadSeries(studyInstanceUID: "1.2.1")
      ])
    _ = update(&m, .seriesLoaded(studyInstanceUID: "1.2.1", [series[0]]), keymap: keys)
    #expect(!m.seriesAreRemote)
  }

  @Test func the_local_tab_has_no_remote_series() throws {
    var m = Model()
    m.studies = [UpdateTests.study(1)]
    #expect(update(&m, .key("Right"), keymap: try UpdateTests.keymap("default")).isEmpty)
  }
}

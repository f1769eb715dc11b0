import Testing

@testable import Workstation

/// The help screen never cuts a key name or a description, at the smallest terminal Biloba supports and
/// at large ones, with either shipped keymap, on every screen.
@Suite struct HelpScreenTests {
  /// Every line the help shows, scrolled through to the end with PageDown as a reader would.
  static func everyShownLine(_ model: Model, keymap: Keymap) -> [String] {
    var m = model
    var shown: [String] = []
    for _ in 0..<20 {
      let lines = ScreenText.lines(m, keymap: keymap)
      shown += lines.dropFirst(2).dropLast(2)
      let top = m.helpTop
      _ = update(&m, .key("PageDown"), keymap: keymap)
      if m.screen != .help || m.helpTop == top { break }
    }
    return shown
  }

  @Test(arguments: [(80, 24), (100, 30), (160, 48), (300, 100)], ["default", "vim"])
  func every_key_name_and_description_is_shown_whole(size: (Int, Int), keymapName: String) throws {
    let keys = try UpdateTests.keymap(keymapName)
    for screen in [Model.Screen.studies, .series, .viewer] {
      var m = UpdateTests.viewerModel()
      m.size = (size.0, size.1)
      m.screen = screen
      _ = update(&m, .key("?"), keymap: keys)
      #expect(m.screen == .help)
      let shown = Self.everyShownLine(m, keymap: keys)
      let words = Set(shown.flatMap { $0.split(separator: " ").map(String.init) })
      let lines = shown.map { " " + $0 + " " }
      for entry in keys.help(for: screen) {
        #expect(lines.contains { $0.contains(" " + entry.keys + " ") }, "\(entry.keys) whole at \(size) on \(screen)")
        for word in entry.summary.split(separator: " ") {
          #expect(words.contains(String(word)), "'\(word)' of '\(entry.summary)' whole at \(size) on \(screen)")
        }
      }
    }
  }

  @Test func a_help_taller_than_the_screen_scrolls_and_any_other_key_returns() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.size = (80, 24)
    _ = update(&m, .key("?"), keymap: keys)
    let first = ScreenText.lines(m, keymap: keys)
    #expect(first[0].contains("scroll"), "the title says it scrolls: \(first[0])")
    _ = update(&m, .key("PageDown"), keymap: keys)
    #expect(m.screen == .help && m.helpTop > 0)
    #expect(ScreenText.lines(m, keymap: keys)[2] != first[2])
    _ = update(&m, .key("x"), keymap: keys)
    #expect(m.screen == .viewer)
  }

  @Test func a_help_that_fits_returns_on_any_key() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.size = (300, 100)
    _ = update(&m, .key("?"), keymap: keys)
    #expect(ScreenText.lines(m, keymap: keys)[0].contains("(any key returns)"))
    _ = update(&m, .key("PageDown"), keymap: keys)
    #expect(m.screen == .viewer)
  }

  @Test func words_wrap_by_words_and_a_word_longer_than_a_line_is_split_not_dropped() {
    #expect(TextWrap.lines("level down (brighter)", width: 12) == ["level down", "(brighter)"])
    #expect(TextWrap.lines("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    #expect(TextWrap.lines("", width: 4) == [""])
  }
}

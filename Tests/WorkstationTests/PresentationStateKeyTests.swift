import DICOMImaging
import Testing

@testable import Workstation

/// `P` cycles the study's presentation states for the series: none, each by its label, none again; the
/// window goes back to what the state (or the file) says.
@Suite struct PresentationStateKeyTests {
  @Test func p_cycles_none_then_each_state_by_label_then_none() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.screen = .viewer
    m.size = (120, 30)
    m.viewer?.presentationStates = [
      PresentationChoice(path: "/pr1.dcm", label: "KEY SLICE"), PresentationChoice(path: "/pr2.dcm", label: "LUNG"),
    ]
    m.viewer?.window = Window(center: 10, width: 20)
    let corner = { ScreenText.lines(m, keymap: keys)[m.size.rows - 4] }
    #expect(corner().contains("PR off"))
    _ = update(&m, .key("P"), keymap: keys)
    #expect(m.viewer?.picture.presentation == "/pr1.dcm" && m.viewer?.window == nil)
    #expect(m.status == "presentation state KEY SLICE")
    _ = update(&m, .key("P"), keymap: keys)
    #expect(m.viewer?.picture.presentation == "/pr2.dcm")
    _ = update(&m, .key("P"), keymap: keys)
    #expect(m.viewer?.picture.presentation == nil && corner().contains("PR off"))
  }

  @Test func without_states_p_says_so_and_the_corner_does_not_mention_them() throws {
    let keys = try UpdateTests.keymap("default")
    var m = UpdateTests.viewerModel()
    m.screen = .viewer
    m.size = (120, 30)
    _ = update(&m, .key("P"), keymap: keys)
    #expect(m.status.contains("no presentation state"))
    #expect(!ScreenText.lines(m, keymap: keys).joined().contains("PR "))
  }
}

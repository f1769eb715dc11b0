import Testing

@testable import CursesUI

/// Mouse reports as xterm sends them, in both encodings: X10 (`ESC [ M` and three bytes, each plus 32)
/// and SGR (`ESC [ < b ; x ; y M` or `m`).
struct MouseReportTests {
  @Test func x10_reports_give_wheel_press_motion_and_release_at_zero_based_cells() {
    #expect(MouseReport.x10([32 + 64, 33 + 5, 33 + 7]) == .wheelUp)
    #expect(MouseReport.x10([32 + 65, 33, 33]) == .wheelDown)
    #expect(MouseReport.x10([32, 33 + 30, 33 + 12]) == .pressed(x: 30, y: 12))
    #expect(MouseReport.x10([32 + 32, 33 + 35, 33 + 12]) == .dragged(x: 35, y: 12))
    #expect(MouseReport.x10([32 + 3, 33 + 35, 33 + 8]) == .released(x: 35, y: 8))
    #expect(MouseReport.x10([32 + 2, 40, 40]) == .other, "the right button is not ours")
    #expect(MouseReport.x10([10, 40]) == .other, "a short report is ignored")
  }

  @Test func sgr_reports_say_release_with_a_small_m_and_count_cells_from_one() {
    #expect(MouseReport.sgr("0;31;13", final: "M") == .pressed(x: 30, y: 12))
    #expect(MouseReport.sgr("32;36;13", final: "M") == .dragged(x: 35, y: 12))
    #expect(MouseReport.sgr("0;36;9", final: "m") == .released(x: 35, y: 8))
    #expect(MouseReport.sgr("64;1;1", final: "M") == .wheelUp)
    #expect(MouseReport.sgr("65;200;300", final: "M") == .wheelDown, "SGR has no 223-cell limit")
    #expect(MouseReport.sgr("0;0;5", final: "M") == .other, "cells start at 1")
    #expect(MouseReport.sgr("x;1;1", final: "M") == .other)
    #expect(MouseReport.sgr("0;1", final: "M") == .other)
  }
}

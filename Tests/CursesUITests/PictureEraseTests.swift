import TerminalGraphics
import Testing

@testable import CursesUI

/// A pane's picture replaced by one over other cells (smaller on a thin link, turned by a presentation
/// state) first erases the cells the last one covered, so none of its edges stay.
struct PictureEraseTests {
  @Test func the_last_pictures_cells_are_erased_row_by_row_for_sixel_and_blocks() {
    let cells = CursesApp.PictureCells(x: 10, columns: 44, rows: 3)
    let bytes = String(decoding: CursesApp.erase(cells, fromRow: 2, proto: .sixel), as: UTF8.self)
    // 1-based rows 3 to 5, from column 11: 44 characters erased on each.
    #expect(bytes == "\u{1B}[3;11H\u{1B}[44X\u{1B}[4;11H\u{1B}[44X\u{1B}[5;11H\u{1B}[44X")
    #expect(!CursesApp.erase(cells, fromRow: 2, proto: .blocks).isEmpty)
  }

  @Test func kitty_pictures_replace_their_placement_and_need_no_erasing() {
    #expect(CursesApp.erase(CursesApp.PictureCells(x: 0, columns: 5, rows: 5), fromRow: 0, proto: .kitty).isEmpty)
  }
}

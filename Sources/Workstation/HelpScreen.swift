/// The help screen: every binding of the screen it was opened from, laid out so that no key name and no
/// description is ever cut. Entries go column after column; a description wraps under itself when its
/// column is narrow; when even the narrowest layout is taller than the screen, the lines scroll.
enum HelpScreen {
  /// The columns an entry may not be narrower than for its description (else one column).
  static let minimumSummaryWidth = 16
  /// Blank columns between two columns of entries.
  static let gap = 2

  /// The title line.
  static func title(_ model: Model, scrolls: Bool) -> String {
    "Keys of the \(model.previousScreen.rawValue) screen"
      + (scrolls ? " (arrows, PageUp/PageDown scroll; other keys return)" : " (any key returns)")
  }

  /// Every line of the help below the title, for a screen of `width` columns with `rows` rows for them:
  /// the fewest columns whose lines fit in `rows`, else the layout with the fewest lines (which scrolls).
  static func lines(_ entries: [(keys: String, summary: String)], width: Int, rows: Int) -> [String] {
    let keyWidth = entries.map(\.keys.count).max() ?? 0
    var shortest: [String]?
    let widest = max(1, width / (keyWidth + 1 + minimumSummaryWidth + gap))
    for columns in 1...widest {
      let columnWidth = (width - gap * (columns - 1)) / columns
      guard columns == 1 || columnWidth - keyWidth - 1 >= minimumSummaryWidth else { break }
      let blocks = entries.map { block($0, keyWidth: keyWidth, width: columnWidth) }
      let laidOut = arrange(blocks, columns: columns, columnWidth: columnWidth)
      if laidOut.count <= rows { return laidOut }
      if laidOut.count < shortest?.count ?? .max { shortest = laidOut }
    }
    return shortest ?? []
  }

  /// One entry's lines in a column: the keys padded to the keys' column, the description wrapped
  /// beside them; where the column cannot hold both, the description goes under the keys.
  static func block(_ entry: (keys: String, summary: String), keyWidth: Int, width: Int) -> [String] {
    let summaryWidth = width - keyWidth - 1
    guard summaryWidth >= minimumSummaryWidth / 2 else {
      return TextWrap.lines(entry.keys, width: width)
        + TextWrap.lines(entry.summary, width: max(1, width - 2)).map { "  " + $0 }
    }
    let indent = String(repeating: " ", count: keyWidth + 1)
    return TextWrap.lines(entry.summary, width: summaryWidth).enumerated().map { i, line in
      (i == 0 ? entry.keys.padding(toLength: keyWidth + 1, withPad: " ", startingAt: 0) : indent) + line
    }
  }

  /// Entries column after column, an entry never split between two columns, the columns as even as that
  /// allows.
  static func arrange(_ blocks: [[String]], columns: Int, columnWidth: Int) -> [String] {
    let total = blocks.reduce(0) { $0 + $1.count }
    var height = (total + columns - 1) / columns
    while true {
      var filled: [[String]] = [[]]
      for block in blocks {
        if filled[filled.count - 1].count + block.count > height && !filled[filled.count - 1].isEmpty {
          filled.append([])
        }
        filled[filled.count - 1] += block
      }
      if filled.count <= columns {
        let rows = filled.map(\.count).max() ?? 0
        return (0..<rows).map { r in
          filled.enumerated().map { c, column in
            let cell = r < column.count ? column[r] : ""
            return c == filled.count - 1 ? cell : cell.padding(toLength: columnWidth + gap, withPad: " ", startingAt: 0)
          }.joined()
        }
      }
      height += 1
    }
  }
}

import Archive
import DICOM
import DICOMImaging
import Foundation
import RasterCore
import SyntheticData
import TestSupport
import Testing

@testable import Workstation

/// Reading with a prior: a current CT and one a year before (its own Frame of Reference, 5 mm slices where
/// the current has 2.5 mm, the table 12 mm higher), a coronal scout of the current. Synchronized
/// scrolling pairs slices by where they lie, an offset lines the prior up, window and level can be linked,
/// and the reference line on the scout is where the axial slice cuts it.
@Suite struct ComparisonTests {
  let keymap: Keymap
  let layout = SyntheticData.ComparisonLayout()
  let dir: TemporaryDirectory
  let archive: LocalArchive
  let runtime: Runtime

  init() throws {
    keymap = try UpdateTests.keymap("default")
    dir = try TemporaryDirectory()
    let (scout, current, prior) = try SyntheticData.comparisonStudies(layout)
    let folder = dir.file("in")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (i, ds) in ([scout] + current + prior).enumerated() {
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: folder + "/\(i).dcm")
    }
    archive = try LocalArchive(root: dir.file("archive"))
    #expect(try Importer(archive: archive).run([folder]).imported == 31)
    runtime = Runtime(archive: archive)
  }

  var currentUID: String { SyntheticData.uid(11) }
  var priorUID: String { SyntheticData.uid(12) }

  /// The current study's axial series open in the viewer, drawn.
  func openCurrent() throws -> Model {
    var m = Model()
    m.studies = try StudyQuery().run(on: archive)
    m.studyIndex = try #require(m.studies.firstIndex { $0.studyInstanceUID == currentUID })
    m.series = try archive.series(studyInstanceUID: currentUID)
    let axial = try #require(m.series.first { $0.seriesNumber == 2 })
    apply(
      &m,
      runtime.perform(.openSeries(studyInstanceUID: currentUID, seriesInstanceUID: axial.seriesInstanceUID), model: m))
    try draw(&m, pane: 0)
    return m
  }

  func apply(_ m: inout Model, _ msgs: [Msg]) {
    for msg in msgs {
      for effect in update(&m, msg, keymap: keymap) where !Runtime.runsInBackground(effect) {
        apply(&m, runtime.perform(effect, model: m))
      }
    }
  }

  @discardableResult
  func draw(_ m: inout Model, pane: Int) throws -> Raster {
    let (raster, info) = try runtime.render(m.panes[pane], box: (256, 256), fit: { (width: $0, height: $1) }).get()
    apply(&m, [.sliceRendered(info, pane: pane)])
    return raster
  }

  func press(_ m: inout Model, _ keys: [String]) {
    for key in keys { apply(&m, [.key(key)]) }
  }

  /// z of the slice a pane shows, from the file itself.
  func z(_ m: Model, pane: Int) throws -> Double {
    let path = try #require(m.panes[pane].current?.path)
    return try #require(
      try DICOMFile.read(path: path, options: .headerOnly).dataset.doubles(Tag.imagePositionPatient)?[2])
  }

  func withPriorBeside() throws -> Model {
    var m = try openCurrent()
    m.layout = .sideBySide
    apply(&m, runtime.perform(.openBeside(1, studyInstanceUID: priorUID), model: m))
    #expect(m.panes.count == 2 && m.panes[1].study.studyInstanceUID == priorUID)
    try draw(&m, pane: 1)
    return m
  }

  @Test func scrolling_the_current_study_shows_the_prior_slice_at_the_same_place_within_half_its_thickness() throws {
    var m = try withPriorBeside()
    let priorRange = layout.priorStart...(layout.priorStart + Double(layout.priorCount - 1) * layout.priorStep)
    for _ in 0..<layout.currentCount - 1 {
      let here = try z(m, pane: 0)
      let there = try z(m, pane: 1)
      if priorRange.contains(here) {
        #expect(abs(there - here) <= layout.priorStep / 2, "current z \(here) paired with prior z \(there)")
      } else {
        #expect(there == (here < priorRange.lowerBound ? priorRange.lowerBound : priorRange.upperBound))
      }
      press(&m, ["Down"])
    }
    // Each pane's label names its study by date.
    let lines = ScreenText.lines(m, keymap: keymap)
    #expect(lines.contains { $0.contains("*20260115 Se 2") && $0.contains(" 20250110 Se 1") }, "\(lines.prefix(4))")
  }

  @Test func an_offset_lines_the_prior_up_and_clears() throws {
    var m = try withPriorBeside()
    press(&m, ["Home"])
    for _ in 0..<8 { press(&m, ["Down"]) }
    // The prior's table was 12 mm higher: the same anatomy lies 12 mm further up in it.
    apply(&m, [.key(":")] + "offset 12".map { .key(String($0)) } + [.key("Enter")])
    #expect(m.status == "panes paired with offset +12.0 mm", "\(m.status)")
    for _ in 0..<6 {
      press(&m, ["Down"])
      let (a, b) = (try z(m, pane: 0), try z(m, pane: 1))
      #expect(abs(b - (a + 12)) <= layout.priorStep / 2, "\(a) paired with \(b)")
    }
    // The pairing on screen kept as it is: scroll the prior alone one slice, then `:offset`.
    apply(
      &m, [.key(":")] + "sync off".map { .key(String($0)) } + [.key("Enter"), .key("Tab"), .key("Down"), .key("Tab")])
    let shown = try z(m, pane: 1) - (try z(m, pane: 0))
    apply(&m, [.key(":")] + "offset".map { .key(String($0)) } + [.key("Enter")])
    #expect(abs(m.panes[1].syncOffset - shown) < 1e-9, "\(m.panes[1].syncOffset) vs \(shown)")
    apply(&m, [.key(":")] + "sync on".map { .key(String($0)) } + [.key("Enter")])
    press(&m, ["Up", "Up"])
    let (a, b) = (try z(m, pane: 0), try z(m, pane: 1))
    #expect(abs(b - (a + shown)) <= layout.priorStep / 2, "\(a) paired with \(b)")
    apply(&m, [.key(":")] + "offset clear".map { .key(String($0)) } + [.key("Enter")])
    press(&m, ["Down"])
    let (c, d) = (try z(m, pane: 0), try z(m, pane: 1))
    #expect(m.panes[1].syncOffset == 0 && abs(d - c) <= layout.priorStep / 2, "\(c) paired with \(d)")
  }

  @Test func linked_window_and_level_follow_the_active_pane() throws {
    var m = try withPriorBeside()
    apply(&m, [.key(":")] + "link on".map { .key(String($0)) } + [.key("Enter")])
    press(&m, ["3", "i"])
    #expect(m.panes[1].window == m.panes[0].window && m.panes[1].window != nil && m.panes[1].invert)
    apply(&m, [.key(":")] + "link off".map { .key(String($0)) } + [.key("Enter")])
    press(&m, ["1"])
    #expect(m.panes[1].window != m.panes[0].window)
  }

  @Test func the_reference_line_on_the_scout_is_where_the_axial_slice_cuts_it_and_moves_with_it() throws {
    var m = try openCurrent()
    m.layout = .sideBySide
    let scout = try #require(m.series.first { $0.seriesNumber == 1 })
    apply(
      &m,
      runtime.perform(.fillPane(1, studyInstanceUID: currentUID, seriesInstanceUID: scout.seriesInstanceUID), model: m))
    let plain = try draw(&m, pane: 1)
    for step in 0..<3 {
      let here = try z(m, pane: 0)
      // The scout's rows run down from z = scoutTop, one pixel spacing a row: the slice cuts row
      // (scoutTop - z) / spacing, from its first column to its last.
      let row = (layout.scoutTop - here) / layout.spacing
      let line = try #require(m.panes[1].referenceLine, "step \(step)")
      #expect(abs(line.y1 - row) < 1e-6 && abs(line.y2 - row) < 1e-6, "\(line) for z \(here)")
      #expect(Set([line.x1, line.x2]) == [0, Double(layout.size - 1)])
      // Drawn on the scout's picture along that row, and nowhere else.
      let drawn = try draw(&m, pane: 1)
      let width = drawn.width * drawn.format.channels
      let changed = Set(drawn.pixels.indices.filter { drawn.pixels[$0] != plain.pixels[$0] }.map { $0 / width })
      #expect(changed == [Int(row.rounded())], "rows changed: \(changed.sorted())")
      #expect(m.panes[0].referenceLine == nil, "none on the active pane")
      press(&m, ["PageDown"])
    }
    // The scout is across the axial slices: it does not scroll with them.
    #expect(m.panes[1].index == 0)
  }
}

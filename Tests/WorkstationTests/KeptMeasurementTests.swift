import Archive
import Audit
import DICOM
import DICOMImaging
import Foundation
import RasterCore
import TestSupport
import Testing

@testable import Workstation

/// Measurements that last: `m` (or `r`) twice keeps the measurement on the image shown, the pane's picture
/// carries it (so it is drawn), it is there again when the series is opened by a new workstation on the
/// same archive, `:measurements` lists it with its value, `:measurements clear` takes it away.
@Suite struct KeptMeasurementTests {
  let keymap: Keymap

  init() throws { keymap = try UpdateTests.keymap("default") }

  func press(_ m: inout Model, _ keys: [String]) -> [Effect] { keys.flatMap { update(&m, .key($0), keymap: keymap) } }

  @Test func m_twice_keeps_the_distance_on_the_image_shown_once_its_picture_is_drawn() throws {
    var m = UpdateTests.viewerModel(slices: 5)
    // The slice's picture has not said which image it is: nothing is kept, and the reader hears why.
    #expect(press(&m, ["m", "S-Right", "m"]).isEmpty)
    #expect(m.status.hasPrefix("the slice is not drawn yet"), "\(m.status)")
    var info = try #require(m.viewer?.slice)
    info.describes = m.viewer?.current
    info.sopInstanceUID = "1.2.3.4"
    _ = update(&m, .sliceRendered(info), keymap: keymap)
    let effects = press(&m, ["m", "S-Right", "S-Down", "m"])
    // The probe stayed where the first try left it (one step of 8 pixels right of the centre).
    let kept = KeptMeasurement(
      sopInstanceUID: "1.2.3.4", frame: 0, kind: .distance, from: .init(x: 264, y: 256), to: .init(x: 272, y: 264))
    #expect(effects == [.keepMeasurement(kept)])
    #expect(m.viewer?.measure == nil && m.viewer?.picture.kept == [kept])
    #expect(m.status.hasPrefix("distance kept (1 on this image"), "\(m.status)")
    _ = press(&m, ["Down"])
    #expect(m.viewer?.picture.kept == [], "another slice shows none")
    _ = press(&m, ["Up"])
    #expect(
      try AnonymizeActionTests.type("measurements clear", into: &m) == [
        .removeMeasurements(sopInstanceUID: "1.2.3.4", frame: 0)
      ])
    #expect(m.viewer?.picture.kept == [])
  }

  @Test func a_kept_measurement_is_drawn_listed_and_there_again_after_a_restart() throws {
    let dir = try TemporaryDirectory()
    let archive = try AnonymizeActionTests.archiveWithSamples(dir)
    let study = try #require(try StudyQuery().run(on: archive).first)
    func session() -> (Runtime, Model) {
      var m = Model()
      m.studies = [study]
      m.series = (try? archive.series(studyInstanceUID: study.studyInstanceUID)) ?? []
      let runtime = Runtime(archive: archive)
      for msg in runtime.perform(
        .openSeries(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: m.series[0].seriesInstanceUID),
        model: m)
      {
        _ = update(&m, msg, keymap: keymap)
      }
      return (runtime, m)
    }
    func draw(_ runtime: Runtime, _ m: inout Model) throws -> Raster {
      let (raster, info) = try runtime.render(
        try #require(m.viewer), box: (512, 512), fit: { (width: $0, height: $1) }
      ).get()
      _ = update(&m, .sliceRendered(info), keymap: keymap)
      return raster
    }
    var (runtime, m) = session()
    let before = try draw(runtime, &m)
    let keys: [String] = ["r", "S-Right", "S-Right", "S-Right", "S-Right", "S-Down", "S-Down", "r", "p"]
    for effect in press(&m, keys) {
      for msg in runtime.perform(effect, model: m) { _ = update(&m, msg, keymap: keymap) }
    }
    let after = try draw(runtime, &m)
    // The rectangle's outline is drawn where its corners are (the probe is off: nothing else changed):
    // from the centre, four probe steps right and two down (a step is a 64th of the width).
    let width = try #require(m.viewer?.slice?.columns)
    let (c, step) = (width / 2, max(1, width / 64))
    let far = (c + 4 * step, c + 2 * step)
    let channels = before.format.channels
    var changed: [(Int, Int)] = []
    for i in before.pixels.indices where before.pixels[i] != after.pixels[i] {
      changed.append((i / channels % before.width, i / channels / before.width))
    }
    #expect(changed.contains { $0 == (c, c) } && changed.contains { $0 == far }, "\(changed.prefix(5))")
    #expect(changed.allSatisfy { (c...far.0).contains($0.0) && (c...far.1).contains($0.1) })
    #expect(changed.count >= 2 * (4 + 2) * step, "the whole outline")

    // A new workstation on the same archive: the series opens with the rectangle on its slice.
    (runtime, m) = session()
    let shown = try #require(m.viewer?.current)
    #expect(m.viewer?.kept[shown]?.map(\.kind) == [.rectangle])
    #expect(try draw(runtime, &m).pixels == after.pixels)
    for msg in try AnonymizeActionTests.type("measurements", into: &m).flatMap({ runtime.perform($0, model: m) }) {
      _ = update(&m, msg, keymap: keymap)
    }
    let pixels = (4 * step + 1) * (2 * step + 1)
    #expect(m.status.hasPrefix("1 measurement: Se 1 Im 1 ROI mean"), "\(m.status)")
    #expect(m.status.contains("HU area") && m.status.contains("(n \(pixels))"), "\(m.status)")
    let file = dir.file("m.json")
    for msg in try AnonymizeActionTests.type("measurements export \(file)", into: &m).flatMap({
      runtime.perform($0, model: m)
    }) {
      _ = update(&m, msg, keymap: keymap)
    }
    #expect(m.status == "wrote 1 measurement to \(file)", "\(m.status)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
    #expect(json.first?["kind"] as? String == "rectangle" && json.first?["pixels"] as? Int == pixels)
    for effect in try AnonymizeActionTests.type("measurements clear", into: &m) {
      _ = runtime.perform(effect, model: m)
    }
    (runtime, m) = session()
    #expect(m.viewer?.kept.isEmpty == true, "taken away for good")
  }
}

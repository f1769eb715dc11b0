import Archive
import Audit
import DICOM
import Foundation
import TestSupport
import Testing

@testable import Workstation

/// Key images in the workstation: `*` marks and unmarks, `n`/`N` jump between marks round the stack, the
/// corner says KEY, `:keys save` asks the runtime to keep them, and a study's key objects mark its slices
/// when it opens again.
@Suite struct KeyImageActionTests {
  func press(_ m: inout Model, _ keys: [String]) throws -> [Effect] {
    let keymap = try UpdateTests.keymap("default")
    return keys.flatMap { update(&m, .key($0), keymap: keymap) }
  }

  @Test func star_marks_the_slice_and_n_and_N_jump_between_marks_round_the_stack() throws {
    var m = UpdateTests.viewerModel(slices: 40)
    _ = try press(&m, ["PageDown", "*"])  // slice 11
    #expect(m.status.hasPrefix("slice 11 marked"), "\(m.status)")
    _ = try press(&m, ["PageDown", "PageDown", "*", "Home"])  // slice 31
    let keymap = try UpdateTests.keymap("default")
    #expect(!ScreenText.lines(m, keymap: keymap).joined().contains("KEY"))
    _ = try press(&m, ["n"])
    #expect(m.viewer?.index == 10)
    #expect(ScreenText.lines(m, keymap: keymap).contains { $0.hasPrefix("Im 11/40  KEY") })
    _ = try press(&m, ["n"])
    #expect(m.viewer?.index == 30)
    _ = try press(&m, ["n"])
    #expect(m.viewer?.index == 10, "round the stack")
    _ = try press(&m, ["N"])
    #expect(m.viewer?.index == 30, "back round")
    _ = try press(&m, ["*"])
    #expect(m.status.hasPrefix("slice 31 unmarked") && m.status.contains("1 in this study"), "\(m.status)")
    #expect(m.keyImages["1.2.1"] == [KeyImages.Mark(path: "/s10.dcm", frame: 0)])
  }

  @Test func keys_save_sends_the_marks_to_the_runtime_and_nothing_when_none() throws {
    var m = UpdateTests.viewerModel(slices: 10)
    #expect(try AnonymizeActionTests.type("keys save", into: &m).isEmpty)
    #expect(m.status.hasPrefix("no key image to save"), "\(m.status)")
    _ = try press(&m, ["End", "*", "Home", "*"])
    #expect(
      try AnonymizeActionTests.type("keys save compare with prior", into: &m) == [
        .saveKeyImages(
          studyInstanceUID: "1.2.1", marks: [.init(path: "/s0.dcm", frame: 0), .init(path: "/s9.dcm", frame: 0)],
          note: "compare with prior")
      ])
    // Unsaved marks survive the study's documents being read again; once saved, the documents win.
    let keymap = try UpdateTests.keymap("default")
    _ = update(&m, .keyImagesLoaded(studyInstanceUID: "1.2.1", []), keymap: keymap)
    #expect(m.keyImages["1.2.1"]?.count == 2)
    _ = update(&m, .keyImagesSaved(studyInstanceUID: "1.2.1"), keymap: keymap)
    _ = update(&m, .keyImagesLoaded(studyInstanceUID: "1.2.1", [.init(path: "/s9.dcm", frame: 0)]), keymap: keymap)
    #expect(m.keyImages["1.2.1"] == [.init(path: "/s9.dcm", frame: 0)])
    #expect(try AnonymizeActionTests.type("keys clear", into: &m).isEmpty && m.keyImages["1.2.1"] == [])
  }

  @Test func a_saved_key_object_marks_its_slices_when_the_series_opens_again_and_is_listed() throws {
    let dir = try TemporaryDirectory()
    let archive = try AnonymizeActionTests.archiveWithSamples(dir)
    let runtime = Runtime(archive: archive, audit: AuditLog(path: dir.file("audit.jsonl")))
    let study = try #require(try StudyQuery().run(on: archive).first)
    var m = Model()
    m.studies = [study]
    m.series = try archive.series(studyInstanceUID: study.studyInstanceUID)
    let keymap = try UpdateTests.keymap("default")
    func open() {
      for msg in runtime.perform(
        .openSeries(studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: m.series[0].seriesInstanceUID),
        model: m)
      {
        _ = update(&m, msg, keymap: keymap)
      }
    }
    open()
    #expect(m.screen == .viewer && m.keyImages[study.studyInstanceUID] == [])
    _ = try press(&m, ["Down", "Down", "*", "End", "*"])
    let effects = try AnonymizeActionTests.type("keys save", into: &m)
    let said = effects.flatMap { runtime.perform($0, model: m) }
    for msg in said { _ = update(&m, msg, keymap: keymap) }
    #expect(m.status == "saved 2 key images as a key object of the study", "\(m.status)")
    let marked = try #require(m.keyImages[study.studyInstanceUID])

    // Opened afresh (a new session): the key object in the study marks the same slices.
    m = Model()
    m.studies = [study]
    m.series = try archive.series(studyInstanceUID: study.studyInstanceUID)
    #expect(m.series.contains { $0.modality == "KO" }, "the key object is a series of the study")
    open()
    #expect(m.keyImages[study.studyInstanceUID] == marked)
    _ = try press(&m, ["n"])
    #expect(m.viewer?.index == 2)
    _ = try press(&m, ["n"])
    #expect(m.viewer.map { $0.index == $0.slices.count - 1 } == true)
    for msg in try AnonymizeActionTests.type("keys", into: &m).flatMap({ runtime.perform($0, model: m) }) {
      _ = update(&m, msg, keymap: keymap)
    }
    #expect(m.status == "2 key images: Se 1 Im 3, 24", "\(m.status)")
    let records = try String(contentsOfFile: dir.file("audit.jsonl"), encoding: .utf8)
    #expect(records.contains("key object"))
  }
}

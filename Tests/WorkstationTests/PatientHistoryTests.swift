import Archive
import DICOM
import Foundation
import SyntheticData
import Synchronization
import TestSupport
import Testing

@testable import Workstation

/// The patient history: every study of the patient read, from the archive and each node, newest first,
/// another issuer's patient of the same ID left out; a panel beside the viewer from 160 columns and a
/// screen of its own; `o` opens the selected prior beside the study read, retrieving it first when it is
/// only on a node.
@Suite struct PatientHistoryTests {
  static func study(_ n: Int, date: String, id: String = "BILOBA-0001", issuer: String = "", modality: String = "CT")
    -> StudyQuery.Study
  {
    StudyQuery.Study(
      studyInstanceUID: SyntheticData.uid(n), patientName: "PHANTOM^HEAD", patientID: id, studyDate: date,
      studyTime: "090000", accessionNumber: "", description: "STUDY \(n)", modalities: modality, seriesCount: 1,
      instanceCount: 10, issuerOfPatientID: issuer)
  }

  @Test func answers_merge_newest_first_with_where_each_study_is_and_another_issuers_patient_left_out() {
    let key = PatientKey(patientID: "BILOBA-0001", issuer: "HOSPITAL_A")
    var history = PatientHistory.merged(
      [], [Self.study(11, date: "20260115", issuer: "HOSPITAL_A"), Self.study(12, date: "20250110")], of: key,
      node: nil)
    history = PatientHistory.merged(
      history,
      [
        Self.study(12, date: "20250110"), Self.study(13, date: "20230301", modality: "MR"),
        Self.study(14, date: "20240101", issuer: "HOSPITAL_B"), Self.study(15, date: "20240202", id: "BILOBA-00011"),
      ], of: key, node: "PACS")
    history = PatientHistory.merged(history, [Self.study(13, date: "20230301")], of: key, node: "ARCHIVE")
    #expect(history.map(\.study.studyInstanceUID) == [11, 12, 13].map { SyntheticData.uid($0) })
    #expect(history.map(\.whereHeld) == ["local", "local PACS", "PACS ARCHIVE"])
  }

  @Test func the_panel_shows_from_160_columns_only_when_the_patient_has_another_study() {
    var m = UpdateTests.viewerModel()
    m.size = (200, 50)
    let reading = m.viewer!.study
    m.history = [HistoryEntry(study: reading, isLocal: true)]
    #expect(!m.showsHistoryPanel, "the study read alone takes no width from the image")
    m.history.append(HistoryEntry(study: Self.study(12, date: "20250110"), isLocal: false, nodes: ["PACS"]))
    #expect(m.showsHistoryPanel)
    m.size = (159, 50)
    #expect(!m.showsHistoryPanel)
    m.historyPanel = true
    #expect(m.showsHistoryPanel, ":history on shows it whatever the width")
    m.size = (200, 50)
    m.historyPanel = false
    #expect(!m.showsHistoryPanel)
  }

  /// The comparison studies (a current CT with its scout, a prior a year before) in an archive.
  static func archive(_ dir: TemporaryDirectory) throws -> LocalArchive {
    let (scout, current, prior) = try SyntheticData.comparisonStudies()
    let folder = dir.file("in")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (i, ds) in ([scout] + current + prior).enumerated() {
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: folder + "/\(i).dcm")
    }
    let archive = try LocalArchive(root: dir.file("archive"))
    _ = try Importer(archive: archive).run([folder])
    return archive
  }

  /// A node that holds one more study of the patient (an older MR) and answers queries by patient.
  final class HistoryNode: StubNode, Sendable {
    let asked = Mutex<[StudyQuery]>([])
    func studies(node: String, query: StudyQuery) async throws -> [StudyQuery.Study] {
      asked.withLock { $0.append(query) }
      return [
        PatientHistoryTests.study(12, date: "20250110"),
        PatientHistoryTests.study(13, date: "20230301", modality: "MR"),
      ]
    }
  }

  @Test func opening_a_study_lists_its_patients_history_and_o_opens_the_prior_beside() async throws {
    let keymap = try UpdateTests.keymap("default")
    let dir = try TemporaryDirectory()
    let archive = try Self.archive(dir)
    let node = HistoryNode()
    let runtime = Runtime(archive: archive, remote: node)
    let posted = Mutex<[Msg]>([])
    var m = Model()
    m.size = (160, 40)
    m.sources = ["Local", "PACS"]
    m.studies = try StudyQuery().run(on: archive)
    m.studyIndex = try #require(m.studies.firstIndex { $0.studyInstanceUID == SyntheticData.uid(11) })
    m.series = try archive.series(studyInstanceUID: SyntheticData.uid(11))
    func apply(_ msgs: [Msg]) {
      for msg in msgs {
        for effect in update(&m, msg, keymap: keymap) {
          if Runtime.runsInBackground(effect) {
            runtime.performInBackground(effect) { msg in posted.withLock { $0.append(msg) } }
          } else {
            apply(runtime.perform(effect, model: m))
          }
        }
      }
    }
    let axial = try #require(m.series.first { $0.seriesNumber == 2 })
    apply(
      runtime.perform(
        .openSeries(studyInstanceUID: SyntheticData.uid(11), seriesInstanceUID: axial.seriesInstanceUID), model: m))
    #expect(m.historyOf == PatientKey(patientID: "BILOBA-0001"))
    // The node's answer comes in the background; merged with the archive's.
    for _ in 0..<200 where posted.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
    apply(posted.withLock { $0 })
    #expect(node.asked.withLock { $0.map(\.patientID) } == ["BILOBA-0001"])
    #expect(m.history.map(\.study.studyDate) == ["20260115", "20250110", "20230301"])
    #expect(m.history.map(\.whereHeld) == ["local", "local PACS", "PACS"])
    #expect(m.historyIndex == 1, "the newest other study is selected")

    // At 160 columns the panel shows beside the viewer; at 120 it folds away, the image takes the width.
    let lines = ScreenText.lines(m, keymap: keymap)
    #expect(lines.contains { $0.hasSuffix("\u{2502}History (3)  o opens" + String(repeating: " ", count: 13)) })
    #expect(lines.contains { $0.hasSuffix("\u{2502} *2026-01-15 CT   CT HEAD  local ") })
    #expect(lines.contains { $0.hasSuffix("\u{2502}> 2025-01-10 CT   CT HEAD  local ") })
    #expect(lines.contains { $0.hasSuffix("\u{2502}  2023-03-01 MR   STUDY 13 PACS  ") })
    #expect(ScreenText.imageArea(m)?.columns == 160 - Model.historyPanelColumns)
    m.size = (120, 40)
    #expect(!ScreenText.lines(m, keymap: keymap).joined().contains("History ("))
    #expect(ScreenText.imageArea(m)?.columns == 120)

    // `o`: the prior opens beside, in a layout of two panes, on its axial series.
    apply([.key("o")])
    #expect(m.layout == .sideBySide && m.panes.count == 2)
    #expect(m.panes[1].study.studyInstanceUID == SyntheticData.uid(12) && m.activePane == 0)

    // The whole history on its screen; the MR only on the node is retrieved, then opens beside.
    apply([.key("H")])
    #expect(m.screen == .history)
    #expect(
      ScreenText.lines(m, keymap: keymap).contains {
        $0.contains("2023-03-01 MR") && $0.trimmingCharacters(in: .whitespaces).hasSuffix("PACS")
      })
    apply([.key("End"), .key("Enter")])
    #expect(m.screen == .viewer && m.openBesideWhenArrived == SyntheticData.uid(13))
    #expect(m.retrievingFrom[SyntheticData.uid(13)] == "PACS")
    apply([.job(studyInstanceUID: SyntheticData.uid(13), JobProgress(completed: 5, remaining: 0, finished: true))])
    #expect(m.openBesideWhenArrived == nil && m.history.last?.isLocal == true)
  }
}

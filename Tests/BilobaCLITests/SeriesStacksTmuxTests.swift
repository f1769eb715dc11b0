import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Series as a reader scrolls them, in tmux: in space whatever the instance numbers, and one stack a plane.
@Suite(.serialized) struct SeriesStacksTmuxTests {
  /// Imports `datasets` into a new archive and opens the workstation on its one series.
  static func openSeries(_ datasets: [Dataset], in dir: TemporaryDirectory) throws -> WorkstationTmuxTests.Session {
    try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
    for (i, ds) in datasets.enumerated() {
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: dir.file("in/\(i).dcm"))
    }
    return try WorkstationTmuxTests.openFirstSeries(importing: [dir.file("in")], in: dir)
  }

  static func location(_ screen: String) -> Double? {
    screen.range(of: #"Loc -?[0-9.]+ mm"#, options: .regularExpression).flatMap {
      Double(screen[$0].dropFirst(4).dropLast(3))
    }
  }

  @Test func a_series_with_shuffled_instance_numbers_scrolls_in_spatial_order() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    let count = 10
    var slices = try SyntheticData.ctSeries(count: count, rows: 32, columns: 32)
    // Numbers a device might give single slices: no order at all.
    let numbers = [7, 2, 9, 4, 1, 10, 5, 3, 8, 6]
    for i in slices.indices { try slices[i].set(Tag.instanceNumber, .IS, String(numbers[i])) }
    let session = try Self.openSeries(slices, in: dir)
    var seen: [Double] = []
    for i in 1...count {
      // The corner gives a slice's location once its picture is drawn (never a neighbour's meanwhile).
      let screen = try session.wait("slice \(i) and its location") {
        $0.contains("Im \(i)/\(count)") && Self.location($0) != nil
      }
      if let at = Self.location(screen) { seen.append(at) }
      try session.keys("Down")
    }
    #expect(seen.count == count, "\(seen)")
    let ascending = zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 }
    let descending = zip(seen, seen.dropFirst()).allSatisfy { $0 > $1 }
    #expect(ascending || descending, "locations in scrolling order: \(seen)")
  }

  @Test func a_series_of_a_scout_and_an_axial_stack_shows_two_stacks() throws {
    guard ProcessRunner.isInstalled("tmux") else {
      Issue.record("tmux is needed (apt-get install tmux)")
      return
    }
    let dir = try TemporaryDirectory()
    var series = try SyntheticData.ctSeries(count: 12, rows: 32, columns: 32)
    for i in series.indices { try series[i].set(Tag.instanceNumber, .IS, String(i + 2)) }
    // The scout: a lateral localizer of the same series, numbered first.
    var scout = try SyntheticData.ctSlice(index: 0, of: 12, rows: 32, columns: 32)
    try scout.set(Tag.sopInstanceUID, .UI, "2.25.4242424242")
    try scout.set(Tag.instanceNumber, .IS, "1")
    try scout.set(Tag.imageType, .CS, ["ORIGINAL", "PRIMARY", "LOCALIZER"])
    try scout.set(Tag.imageOrientationPatient, .DS, ["0", "1", "0", "0", "0", "-1"])
    try scout.set(Tag.imagePositionPatient, .DS, ["0", "-120", "120"])
    let session = try Self.openSeries([scout] + series, in: dir)
    // Opened on the axial stack, the larger one.
    try session.wait(for: "Im 1/12  Stack 2/2 AX")
    try session.keys("Down", "Down")
    try session.wait(for: "Im 3/12  Stack 2/2 AX")
    try session.keys("}")
    try session.wait(for: "Im 1/1  Stack 1/2 SAG")
    try session.keys("}")
    try session.wait(for: "Im 3/12  Stack 2/2 AX")
  }
}

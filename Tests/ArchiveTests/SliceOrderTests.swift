import Archive
import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// A series is scrolled in space: by position along the slices' normal, in the direction the instance
/// numbers mostly run, a plane at a time.
@Suite struct SliceOrderTests {
  static func write(_ slices: [Dataset], in dir: TemporaryDirectory) throws -> [String] {
    try slices.enumerated().map { i, slice in
      let path = dir.file("in/\(i).dcm")
      try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
      try DICOMFile(dataset: slice, transferSyntax: .explicitVRLittleEndian).write(to: path)
      return path
    }
  }

  static func order(of slices: [Dataset]) throws -> [String] {
    let dir = try TemporaryDirectory()
    _ = try write(slices, in: dir)
    let archive = try LocalArchive(root: dir.file("archive"))
    _ = try Importer(archive: archive).run([dir.file("in")])
    let series = try #require(slices.first?.string(Tag.seriesInstanceUID))
    return try archive.instances(seriesInstanceUID: series).map {
      try DICOMFile.read(path: $0.path, options: .headerOnly).dataset.string(Tag.sopInstanceUID) ?? ""
    }
  }

  @Test func shuffled_instance_numbers_do_not_shuffle_the_stack() throws {
    var slices = try SyntheticData.ctSeries(count: 10, rows: 8, columns: 8)
    let spatial = slices.compactMap { $0.string(Tag.sopInstanceUID) }
    // A device numbered two slices wrongly: 3 and 8 swapped.
    try slices[2].set(Tag.instanceNumber, .IS, "8")
    try slices[7].set(Tag.instanceNumber, .IS, "3")
    #expect(try Self.order(of: slices) == spatial)
  }

  @Test func a_stack_numbered_the_other_way_reads_in_its_numbers_direction() throws {
    var slices = try SyntheticData.ctSeries(count: 6, rows: 8, columns: 8)
    for i in slices.indices { try slices[i].set(Tag.instanceNumber, .IS, String(6 - i)) }
    let spatial = slices.compactMap { $0.string(Tag.sopInstanceUID) }
    #expect(try Self.order(of: slices) == Array(spatial.reversed()))
  }

  @Test func a_scout_and_an_axial_stack_are_each_kept_together() throws {
    var slices = try SyntheticData.ctSeries(count: 5, rows: 8, columns: 8)
    // The third file is a coronal scout numbered first.
    try slices[2].set(Tag.imageOrientationPatient, .DS, ["1", "0", "0", "0", "0", "-1"])
    try slices[2].set(Tag.instanceNumber, .IS, "0")
    let uids = slices.compactMap { $0.string(Tag.sopInstanceUID) }
    #expect(try Self.order(of: slices) == [uids[2], uids[0], uids[1], uids[3], uids[4]])
  }

  @Test func slices_without_a_position_keep_their_number_order_after_the_others() {
    let s = { (p: String, o: String?, z: Double?) in
      SliceOrder.Slice(path: p, sopClassUID: "", orientation: o, position: z)
    }
    // Numbers run from z 3 down to z 1: that direction is kept.
    let ordered = SliceOrder.ordered([
      s("a", nil, nil), s("b", "ax", 3), s("c", "ax", 2), s("d", nil, nil), s("e", "ax", 1),
    ])
    #expect(ordered.map(\.path) == ["b", "c", "e", "a", "d"])
  }

  @Test func the_index_keeps_how_many_frames_an_object_holds() throws {
    let dir = try TemporaryDirectory()
    let paths = try Self.write([try SyntheticData.multiFrame(frames: 7)], in: dir)
    let archive = try LocalArchive(root: dir.file("archive"))
    _ = try Importer(archive: archive).run(paths)
    let series = try #require(try SyntheticData.multiFrame(frames: 7).string(Tag.seriesInstanceUID))
    #expect(try archive.instances(seriesInstanceUID: series).map(\.frames) == [7])
  }

  @Test func a_two_echo_series_is_each_echo_in_space_not_the_echoes_interleaved() throws {
    // A dual-echo acquisition as scanners number it: both echoes of a position one after the other.
    var slices: [Dataset] = []
    for (i, base) in try SyntheticData.ctSeries(count: 5, rows: 8, columns: 8).enumerated() {
      for echo in 1...2 {
        var slice = base
        try slice.set(Tag.sopInstanceUID, .UI, "2.25.77\(i)\(echo)")
        try slice.set(Tag.instanceNumber, .IS, String(2 * i + echo))
        try slice.set(Tag.echoNumbers, .IS, String(echo))
        slices.append(slice)
      }
    }
    let echo = { (e: Int) in (0..<5).map { "2.25.77\($0)\(e)" } }
    #expect(try Self.order(of: slices) == echo(1) + echo(2))
  }

  @Test func a_scan_repeated_over_the_same_positions_is_one_stack_an_acquisition() throws {
    // Before and after contrast: the same five positions, acquisitions 1 and 2, numbered on.
    var slices: [Dataset] = []
    for acquisition in 1...2 {
      for (i, base) in try SyntheticData.ctSeries(count: 5, rows: 8, columns: 8).enumerated() {
        var slice = base
        try slice.set(Tag.sopInstanceUID, .UI, "2.25.88\(acquisition)\(i)")
        try slice.set(Tag.instanceNumber, .IS, String(5 * (acquisition - 1) + i + 1))
        try slice.set(Tag.acquisitionNumber, .IS, String(acquisition))
        slices.append(slice)
      }
    }
    let acquisition = { (a: Int) in (0..<5).map { "2.25.88\(a)\($0)" } }
    #expect(try Self.order(of: slices) == acquisition(1) + acquisition(2))
  }

  @Test func a_slice_an_acquisition_at_its_own_position_stays_one_stack_in_space() throws {
    // Step-and-shoot scanners may number every slice's acquisition: no position repeats, no split.
    var slices = try SyntheticData.ctSeries(count: 6, rows: 8, columns: 8)
    let spatial = slices.compactMap { $0.string(Tag.sopInstanceUID) }
    for i in slices.indices { try slices[i].set(Tag.acquisitionNumber, .IS, String(6 - i)) }
    try slices[1].set(Tag.instanceNumber, .IS, "5")
    try slices[4].set(Tag.instanceNumber, .IS, "2")
    #expect(try Self.order(of: slices) == spatial)
  }
}

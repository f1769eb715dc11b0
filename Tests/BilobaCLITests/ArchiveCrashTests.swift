import DICOM
import Foundation
import Spawn
import SyntheticData
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `biloba import` killed with SIGKILL at random moments, 50 times: after each kill the archive opens,
/// and `archive check` finds no row without its file; interrupted writes leave only temporary files,
/// which the check removes.
@Suite struct ArchiveCrashTests {
  @Test func import_killed_at_random_points_leaves_a_consistent_archive() throws {
    let dir = try TemporaryDirectory()
    let biloba = try BuiltProducts.biloba()
    let source = dir.file("source")
    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    for i in 0..<60 {
      var subject = SyntheticData.Subject()
      subject.studyNumber = 100 + i / 10
      let ds = try SyntheticData.ctSlice(index: i % 10, of: 10, rows: 64, columns: 64, subject: subject)
      try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: source + "/\(i).dcm")
    }
    let archive = dir.file("archive")
    var generator = SystemRandomNumberGenerator()
    for round in 0..<50 {
      let importer = try ChildProcess([biloba, "import", source, "--archive", archive, "--replace"])
      usleep(UInt32.random(in: 0...150_000, using: &generator))
      importer.send(SIGKILL)
      importer.wait()
      let check = try ProcessRunner.run(biloba, ["archive", "check", "--archive", archive])
      #expect(check.stdout.contains("missing files 0"), "round \(round): \(check.stdout)")
      // Orphans (a file whose row never came) are allowed between crashes; repair removes them.
      _ = try ProcessRunner.run(biloba, ["archive", "check", "--repair", "--archive", archive])
    }
    let final = try ProcessRunner.run(biloba, ["archive", "check", "--archive", archive])
    #expect(final.status == 0, "\(final.stdout)")
    let temporaries = (FileManager.default.enumerator(atPath: archive)?.allObjects as? [String] ?? [])
      .filter { ($0 as NSString).lastPathComponent.hasPrefix(".tmp-") }
    #expect(temporaries.isEmpty)
    let done = try ProcessRunner.run(biloba, ["import", source, "--archive", archive])
    #expect(done.status == 0)
    let stats = try ProcessRunner.run(biloba, ["archive", "stats", "--archive", archive])
    #expect(stats.stdout.contains("instances 60"))
  }
}

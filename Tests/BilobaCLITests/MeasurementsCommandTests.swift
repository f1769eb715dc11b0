import Archive
import DICOM
import Foundation
import TestSupport
import Testing

/// `biloba measurements` gives each kept measurement's values as pydicom and numpy compute them from the
/// same file: a length in mm from Pixel Spacing, a rectangle's mean and SD of rescaled values (HU) and
/// its area; the points in patient coordinates from Image Position and Orientation.
@Suite struct MeasurementsCommandTests {
  @Test func kept_measurements_as_json_agree_with_pydicom_and_numpy() throws {
    guard ProcessRunner.isInstalled("python3") else {
      Issue.record("python3 with pydicom and numpy is needed")
      return
    }
    let dir = try TemporaryDirectory()
    let env = MediaCommandTests.environment(dir)
    let b = try BuiltProducts.biloba()
    let imported = try ProcessRunner.run(
      b, ["import", MediaCommandTests.root + "/Samples/ct-head"], environment: env)
    #expect(imported.status == 0, "\(imported.stderr)")
    let archive = try LocalArchive(root: dir.file("data") + "/biloba")
    let study = try #require(try StudyQuery().run(on: archive).first)
    let series = try #require(try archive.series(studyInstanceUID: study.studyInstanceUID).first)
    let paths = try archive.instancePaths(seriesInstanceUID: series.seriesInstanceUID)
    func uid(_ path: String) throws -> String {
      try #require(try DICOMFile.read(path: path, options: .headerOnly).dataset.string(Tag.sopInstanceUID))
    }
    let kept = [
      KeptMeasurement(
        sopInstanceUID: try uid(paths[5]), frame: 0, kind: .distance, from: .init(x: 40, y: 60),
        to: .init(x: 200, y: 170)),
      KeptMeasurement(
        sopInstanceUID: try uid(paths[12]), frame: 0, kind: .rectangle, from: .init(x: 150, y: 90),
        to: .init(x: 100, y: 140)),
    ]
    for m in kept { try archive.keep(m) }
    let printed = try ProcessRunner.run(
      b, ["measurements", "--study", study.studyInstanceUID], environment: env)
    #expect(printed.status == 0, "\(printed.stderr)")
    let json = dir.file("m.json")
    try printed.stdout.write(toFile: json, atomically: true, encoding: .utf8)

    // The oracle: pydicom reads each image named by the JSON (by SOP Instance UID, among the samples).
    let script = """
      import glob, json, sys
      import numpy as np
      from pydicom import dcmread
      from pydicom.pixels import apply_modality_lut
      files = {dcmread(p).SOPInstanceUID: p for p in glob.glob(sys.argv[2] + "/*.dcm")}
      rows = json.load(open(sys.argv[1]))
      assert len(rows) == 2, rows
      def close(a, b): assert abs(a - b) < 1e-6 * max(1, abs(b)), (a, b)
      for row in rows:
          ds = dcmread(files[row["image"]])
          assert row["series"] == ds.SeriesInstanceUID and row["frame"] == 1
          (c1, r1), (c2, r2) = row["points_px"]
          dr, dc = [float(v) for v in ds.PixelSpacing]
          ipp = np.array([float(v) for v in ds.ImagePositionPatient])
          o = [float(v) for v in ds.ImageOrientationPatient]
          for (c, r), mm in zip(row["points_px"], row["points_mm"]):
              want = ipp + c * dc * np.array(o[:3]) + r * dr * np.array(o[3:])
              for a, b in zip(mm, want): close(a, b)
          if row["kind"] == "distance":
              close(row["length"]["value"], np.hypot((c2 - c1) * dc, (r2 - r1) * dr))
              assert row["length"]["unit"] == "mm"
          else:
              hu = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
              box = hu[min(r1, r2):max(r1, r2) + 1, min(c1, c2):max(c1, c2) + 1]
              close(row["mean"]["value"], box.mean())
              close(row["sd"]["value"], box.std(ddof=1))
              assert row["pixels"] == box.size
              close(row["area"]["value"], box.size * dr * dc)
              assert row["area"]["unit"] == "mm2" and row["mean"]["unit"] == "HU", row
          print(row["kind"])
      """
    let check = try ProcessRunner.run(
      "python3", ["-c", script, json, MediaCommandTests.root + "/Samples/ct-head"])
    #expect(check.status == 0, "\(check.stderr)\n\(printed.stdout)")
    #expect(check.stdout == "distance\nrectangle\n", "\(check.stdout)")

    // -o writes the same JSON to a file; a study that is not a UID is refused.
    let out = dir.file("out.json")
    let written = try ProcessRunner.run(
      b, ["measurements", "--study", study.studyInstanceUID, "-o", out], environment: env)
    #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
    #expect(try String(contentsOfFile: out, encoding: .utf8) + "\n" == printed.stdout)
    let refused = try ProcessRunner.run(b, ["measurements", "--study", "1.2.x"], environment: env)
    #expect(refused.status != 0 && refused.stderr.contains("wants a UID"), "\(refused.stderr)")
  }
}

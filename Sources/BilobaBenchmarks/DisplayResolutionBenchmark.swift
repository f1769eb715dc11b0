import DICOM
import DICOMImaging
import Foundation
import RasterCore
import Spawn
import SyntheticData

/// Issue 12's figures: the first display of big images fitted to the screen, decoded at display
/// resolution against decoded whole (both ours, side by side in one run), and cine of a JPEG baseline
/// ultrasound loop in frames a second with the memory it holds.
enum DisplayResolutionBenchmark {
  /// The image area of a 160x48 terminal with 10x20-pixel cells, as the thin-link figures use.
  static let area = (width: 840, height: 840)

  static func write(_ ds: Dataset, to path: String, compress command: [String]?) throws -> String {
    if FileManager.default.fileExists(atPath: path) { return path }
    let plain = command == nil ? path : path + ".plain.dcm"
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: plain)
    if let command {
      guard try ChildProcess(command + [plain, path]).wait() == .exited(0) else {
        throw BenchmarkError.peerFailed("\(command[0]) failed")
      }
      try? FileManager.default.removeItem(atPath: plain)
    }
    return path
  }

  /// Opens the file and shows its first frame fitted to the area, decoded whole or, `fitted`, as the
  /// workstation decodes it (the largest halving that keeps the fitted size).
  static func firstDisplay(_ path: String, fitted: Bool) throws -> Raster {
    let image = try DICOMImage(path: path)
    let size = Resampler.fitSize(width: image.pixel.columns, height: image.pixel.rows, box: area)
    let frame = try image.decodeFrame(0, downscale: fitted ? image.downscale(toShow: size) : 1)
    let rendered = try DisplayPipeline.render(frame, of: image)
    return Resampler.resize(rendered.raster, width: size.width, height: size.height)
  }

  /// Resident memory now and at its peak since the last reset, in MB (Linux: /proc/self/status).
  static func memory() -> (resident: Double, peak: Double) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
      let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
      return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
    return (field("VmRSS"), field("VmHWM"))
  }

  /// Starts a new peak for `memory()` (writing 5 to clear_refs resets VmHWM).
  static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

  static func run(repeats: Int, directory: String) throws -> [Figure] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var figures: [Figure] = []
    let cases: [(String, () throws -> Dataset, [String]?)] = [
      ("3000x3000 J2K lossless", { try SyntheticData.radiograph(columns: 3000, rows: 3000) }, ["gdcmconv", "-K"]),
      ("4000x5000 J2K lossless", { try SyntheticData.radiograph(columns: 4000, rows: 5000) }, ["gdcmconv", "-K"]),
      ("4000x5000 uncompressed", { try SyntheticData.radiograph(columns: 4000, rows: 5000) }, nil),
    ]
    for (name, make, command) in cases {
      let file = directory + "/" + name.replacingOccurrences(of: " ", with: "-") + ".dcm"
      let path = try write(try make(), to: file, compress: command)
      let fitted = try Timing.median(repeats: repeats) { _ = try firstDisplay(path, fitted: true) }
      let whole = try Timing.median(repeats: repeats) { _ = try firstDisplay(path, fitted: false) }
      figures.append(
        Figure(
          name: "fitted first display, " + name, ours: fitted.seconds * 1e3, peer: whole.seconds * 1e3,
          peerName: "full res", unit: "ms"))
    }

    // Cine: every frame decoded, windowed and fitted in turn, as the viewer plays it.
    var loops: [(String, String)] = []
    let synthetic = try write(
      try SyntheticData.ultrasoundCine(frames: 60, size: 512), to: directory + "/us-cine-512-jpeg.dcm",
      compress: ["dcmcjpeg", "+eb"])
    loops.append(("512x512 JPEG US", synthetic))
    // pydicom's 120-frame 640x480 colour ultrasound, when pydicom-data is installed.
    if let real = try? ChildProcess.run([
      "python3", "-c",
      "from pydicom.data import get_testdata_file as g; print(g('color3d_jpeg_baseline.dcm') or '')",
    ]), real.status == 0 {
      let path = String(decoding: real.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if FileManager.default.fileExists(atPath: path) { loops.append(("640x480 RGB JPEG US", path)) }
    }
    for (name, path) in loops {
      let image = try DICOMImage(path: path)
      let size = Resampler.fitSize(width: image.pixel.columns, height: image.pixel.rows, box: area)
      resetPeak()
      let before = memory().resident
      let elapsed = try Timing.median(repeats: repeats) {
        for f in 0..<image.frameCount {
          let rendered = try DisplayPipeline.render(try image.decodeFrame(f), of: image, frameIndex: f)
          _ = Resampler.resize(rendered.raster, width: size.width, height: size.height)
        }
      }
      let peak = memory().peak
      figures.append(
        Figure(
          name: "cine \(name), frames", ours: Double(image.frameCount) / elapsed.seconds, peer: 30,
          peerName: "goal", unit: "fps", higherIsBetter: true))
      figures.append(
        Figure(
          name: "cine \(name), peak memory added", ours: peak - before, peer: nil, peerName: "", unit: "MB"))
    }
    return figures
  }
}

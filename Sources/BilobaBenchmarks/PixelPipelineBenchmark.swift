import DICOM
import DICOMImaging
import Foundation
import Spawn

/// Issue 3's figures on a 200-slice 512x512 CT series: uncompressed read + modality LUT + window to
/// 8 bits against pydicom + numpy; JPEG 2000 lossless and JPEG-LS series decode (both cores) against
/// pydicom with pylibjpeg-openjpeg and with pyjpegls (CharLS), all in the same run.
enum PixelPipelineBenchmark {
  static let window = Window(center: 40, width: 400)

  static let pythonScript = """
    import sys, time, statistics, numpy as np, pydicom
    from pydicom.pixels import apply_modality_lut
    mode, repeats, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    def window(arr, c=40.0, w=400.0):
        low, high = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
        out = ((arr - (c - 0.5)) / (w - 1) + 0.5) * 255
        out = np.where(arr <= low, 0, np.where(arr > high, 255, out))
        return np.rint(out).astype(np.uint8)
    def once():
        t = time.perf_counter()
        for f in files:
            ds = pydicom.dcmread(f)
            a = ds.pixel_array
            if mode == "window":
                window(apply_modality_lut(a, ds))
        return time.perf_counter() - t
    once()
    print(statistics.median(once() for _ in range(repeats)))
    """

  static func compress(_ paths: [String], into directory: String, command: [String]) throws -> [String] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var out: [String] = []
    for p in paths {
      let target = directory + "/" + (p as NSString).lastPathComponent
      if !FileManager.default.fileExists(atPath: target) {
        guard try ChildProcess(command + [p, target]).wait() == .exited(0) else {
          throw BenchmarkError.peerFailed("\(command[0]) failed on \(p)")
        }
      }
      out.append(target)
    }
    return out
  }

  static func run(paths: [String], repeats: Int, directory: String) throws -> [Figure] {
    let n = Double(paths.count)
    func perSlice(_ s: Double) -> Double { s / n * 1e3 }
    var figures: [Figure] = []
    let windowed = try Timing.median(repeats: repeats) {
      for p in paths {
        let image = try DICOMImage(path: p)
        _ = try DisplayPipeline.render(
          try image.decodeFrame(0), of: image,
          options: DisplayOptions(voi: .window(window)))
      }
    }
    let peerWindow = try? PythonPeer.run(pythonScript, arguments: ["window", String(repeats)] + paths).first
    figures.append(
      Figure(
        name: "read + modality LUT + window, per slice", ours: perSlice(windowed.seconds),
        peer: peerWindow.map(perSlice), peerName: "pydicom+np", unit: "ms"))

    for (label, sub, command, peerName) in [
      ("JPEG 2000 lossless series decode, wall", "j2k", ["gdcmconv", "-K"], "pylibjpeg-oj"),
      ("JPEG-LS lossless series decode, wall", "jls", ["dcmcjpls", "+el"], "pyjpegls"),
    ] {
      let compressed = try compress(paths, into: directory + "-" + sub, command: command)
      let ours = Timing.median(repeats: repeats) {
        let results = ParallelDecoder.decode(paths: compressed)
        precondition(results.allSatisfy { (try? $0.get()) != nil }, "a frame failed to decode")
      }
      let theirs = try? PythonPeer.run(pythonScript, arguments: ["decode", String(repeats)] + compressed).first
      figures.append(
        Figure(
          name: label + ", per slice", ours: perSlice(ours.seconds), peer: theirs.map(perSlice),
          peerName: peerName, unit: "ms"))
    }
    return figures
  }
}

import DICOM
import Deidentification
import Foundation

/// Issue 15's figure: de-identifying the 200-slice CT series into a folder, against dicognito (PyPI)
/// doing the same files in the same run. Both read every file, de-identify it and write it; dicognito is
/// timed inside Python, so its interpreter's start is not counted against it. Biloba flushes its output
/// to disk (one syncfs), which dicognito does not: both figures are given.
enum DeidentificationBenchmark {
  static let peerScript = """
    import sys, os, time, shutil, pydicom
    from dicognito.anonymizer import Anonymizer
    out = sys.argv[1]
    files = sys.argv[2:]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    start = time.perf_counter()
    anonymizer = Anonymizer()
    for path in files:
        ds = pydicom.dcmread(path)
        anonymizer.anonymize(ds)
        ds.save_as(os.path.join(out, ds.SOPInstanceUID + ".dcm"))
    print(time.perf_counter() - start)
    """

  static func run(paths: [String], repeats: Int, directory: String) throws -> [Figure] {
    let output = directory + "-deidentified"
    let times = min(repeats, 5)
    var peer: Double? = nil
    if let samples = try? (0..<times).map({ _ in
      try PythonPeer.run(peerScript, arguments: [output + "-dicognito"] + paths)
    }),
      samples.allSatisfy({ $0.count == 1 })
    {
      peer = samples.map { $0[0] }.sorted()[samples.count / 2]
    }
    return [
      Figure(
        name: "de-identify \(paths.count) CT 512x512, flushed to disk",
        ours: try time(paths, flush: true, output, times),
        peer: peer.map { $0 * 1000 }, peerName: "dicognito", unit: "ms"),
      Figure(
        name: "de-identify \(paths.count) CT 512x512, not flushed", ours: try time(paths, flush: false, output, times),
        peer: peer.map { $0 * 1000 }, peerName: "dicognito", unit: "ms"),
    ]
  }

  /// Median milliseconds of Biloba's run over the files.
  static func time(_ paths: [String], flush: Bool, _ output: String, _ times: Int) throws -> Double {
    let key = PseudonymKey(bytes: [UInt8](repeating: 42, count: 32))
    let run = DeidentificationRun(
      deidentifier: Deidentifier(settings: DeidentificationSettings(), key: key), flush: flush)
    // The previous run's output is removed before the clock starts, as the peer's script does.
    var samples: [Double] = []
    for _ in 0..<times {
      try? FileManager.default.removeItem(atPath: output)
      let clock = ContinuousClock()
      let start = clock.now
      let summary = try run.run(files: paths, into: output)
      samples.append((clock.now - start).seconds)
      precondition(summary.written.count == paths.count)
    }
    return samples.sorted()[samples.count / 2] * 1000
  }
}

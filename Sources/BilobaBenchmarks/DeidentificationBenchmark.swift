import DICOM
import Deidentification
import Foundation

/// Issue 15's figure: de-identifying the 200-slice CT series into a folder, against dicognito (PyPI)
/// doing the same files in the same run. Both read every file, de-identify it and write it; dicognito is
/// timed inside Python, so its interpreter's start is not counted against it.
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
    let key = PseudonymKey(bytes: [UInt8](repeating: 42, count: 32))
    let run = DeidentificationRun(deidentifier: Deidentifier(settings: DeidentificationSettings(), key: key))
    let output = directory + "-deidentified"
    let times = min(repeats, 3)
    let ours = try Timing.median(repeats: times) {
      try? FileManager.default.removeItem(atPath: output)
      let summary = try run.run(files: paths, into: output)
      precondition(summary.written.count == paths.count)
    }
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
        name: "de-identify \(paths.count) CT files 512x512", ours: ours.seconds * 1000, peer: peer.map { $0 * 1000 },
        peerName: "dicognito", unit: "ms")
    ]
  }
}

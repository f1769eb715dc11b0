import DICOM
import Foundation
import SyntheticData

/// Issue 2's figures: header-only parse and full read of a 200-file 512x512 CT series, against
/// pydicom's dcmread on the same files in the same run.
enum DICOMParsingBenchmark {
  static func makeSeries(in directory: String, count: Int) throws -> [String] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var paths: [String] = []
    for i in 0..<count {
      let path = directory + String(format: "/ct%03d.dcm", i)
      if !FileManager.default.fileExists(atPath: path) {
        try DICOMFile(dataset: try SyntheticData.ctSlice(index: i, of: count), transferSyntax: .explicitVRLittleEndian)
          .write(to: path)
      }
      paths.append(path)
    }
    return paths
  }

  static let pydicomScript = """
    import sys, time, statistics, pydicom
    files = sys.argv[2:]
    repeats = int(sys.argv[1])
    def run(full):
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            for f in files:
                ds = pydicom.dcmread(f, stop_before_pixels=not full)
                if full:
                    len(ds.PixelData)
                else:
                    ds.PatientName
            samples.append(time.perf_counter() - t)
        return statistics.median(samples)
    run(False)
    print(run(False))
    print(run(True))
    """

  static func run(files: Int, repeats: Int, directory: String) throws -> [Figure] {
    let paths = try makeSeries(in: directory, count: files)
    // Warm the page cache for both readers.
    for p in paths { _ = try DICOMFile.read(path: p, options: ReadOptions(loadBulkData: true)) }

    let header = try Timing.median(repeats: repeats) {
      for p in paths {
        let file = try DICOMFile.read(path: p, options: .headerOnly)
        precondition(file.dataset.string(Tag.patientName) != nil)
      }
    }
    let full = try Timing.median(repeats: repeats) {
      for p in paths {
        let file = try DICOMFile.read(path: p, options: ReadOptions(loadBulkData: true))
        precondition(file.dataset[.pixelData]?.bytes?.count == 512 * 512 * 2)
      }
    }
    let lazy = try Timing.median(repeats: repeats) {
      for p in paths { _ = try DICOMFile.read(path: p) }
    }
    var peer: [Double] = []
    do {
      peer = try PythonPeer.run(pydicomScript, arguments: [String(repeats)] + paths)
    } catch {
      FileHandle.standardError.write(Data("pydicom peer unavailable (pip install pydicom): \(error)\n".utf8))
    }
    let n = Double(files)
    func perFile(_ s: Double) -> Double { s / n * 1e6 }
    return [
      Figure(
        name: "header-only parse, per file", ours: perFile(header.seconds), peer: peer.first.map(perFile),
        peerName: "pydicom", unit: "us"),
      Figure(
        name: "full read with pixel data, per file", ours: perFile(full.seconds),
        peer: peer.count > 1 ? perFile(peer[1]) : nil, peerName: "pydicom", unit: "us"),
      Figure(
        name: "open with pixel data deferred, per file", ours: perFile(lazy.seconds), peer: nil,
        peerName: "", unit: "us"),
    ]
  }
}

import Foundation
import Spawn

/// Wall-clock timing: run a body several times and keep the median, so one hiccup does not decide.
enum Timing {
  static func median(repeats: Int, _ body: () throws -> Void) rethrows -> Duration {
    let clock = ContinuousClock()
    var samples: [Duration] = []
    for _ in 0..<repeats {
      let start = clock.now
      try body()
      samples.append(clock.now - start)
    }
    samples.sort()
    return samples[samples.count / 2]
  }
}

extension Duration {
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Runs a Python peer script and reads the seconds it prints, one figure a line.
enum PythonPeer {
  static func run(_ script: String, arguments: [String]) throws -> [Double] {
    let run = try ChildProcess.run(["python3", "-c", script] + arguments)
    guard run.status == 0 else { throw BenchmarkError.peerFailed("python3 exited \(run.status)") }
    return String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }
  }
}

enum BenchmarkError: Error { case peerFailed(String) }

/// One row of the printed table.
struct Figure {
  let name: String
  let ours: Double
  let peer: Double?
  let peerName: String
  let unit: String
  /// For counts where more is better (gray levels), the ratio is ours over theirs.
  var higherIsBetter = false

  var line: String {
    // Below one, two decimals: a goal such as "at least 0.5x" is not met by 0.46 printed as 0.5.
    let ratio =
      peer.map { peer in
        let r = higherIsBetter ? ours / peer : peer / ours
        return String(format: r < 1 ? "%.2fx" : "%.1fx", r)
      } ?? "n/a"
    let theirs = peer.map { String(format: "%.1f", $0) } ?? "n/a"
    return Figure.row([name, String(format: "%.1f", ours), theirs, unit, peerName, ratio])
  }

  static let widths = [44, 10, 10, 5, 10, 9]

  /// Columns padded to fixed widths: names left-aligned, figures right-aligned.
  static func row(_ cells: [String]) -> String {
    zip(cells, widths).enumerated().map { i, pair in
      let (cell, width) = pair
      let pad = String(repeating: " ", count: max(0, width - cell.count))
      return i == 0 || i >= 3 ? cell + pad : pad + cell
    }.joined(separator: " ")
  }
}

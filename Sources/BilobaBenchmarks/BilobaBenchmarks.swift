import Foundation

/// The benchmark executable: every figure of the performance table, each beside its peer, in one run.
/// Usage: swift run -c release BilobaBenchmarks [--files N] [--repeats N] [--dir DIR]
@main
struct BilobaBenchmarks {
  static func main() throws {
    if CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "--sixel-encode" {
      try GraphicsBenchmark.encodeChild(CommandLine.arguments[2])
      return
    }
    var files = 200
    var repeats = 5
    var directory = NSTemporaryDirectory() + "biloba-bench-ct"
    var only: String? = nil
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let a = args.next() {
      switch a {
      case "--files": files = Int(args.next() ?? "") ?? files
      case "--repeats": repeats = Int(args.next() ?? "") ?? repeats
      case "--dir": directory = args.next() ?? directory
      case "--only": only = args.next()
      default:
        FileHandle.standardError.write(
          Data(
            "usage: BilobaBenchmarks [--files N] [--repeats N] [--dir DIR] [--only parse|pixels|graphics|archive|network|workstation|deidentify|images|reading]\n"
              .utf8))
        exit(2)
      }
    }
    print(
      "Biloba benchmarks: \(files) CT files 512x512, median of \(repeats) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores"
    )
    print(Figure.row(["figure", "biloba", "peer", "unit", "peer", "speed-up"]))
    let paths = try DICOMParsingBenchmark.makeSeries(in: directory, count: files)
    if only == nil || only == "parse" {
      for figure in try DICOMParsingBenchmark.run(files: files, repeats: repeats, directory: directory) {
        print(figure.line)
      }
    }
    if only == nil || only == "graphics" {
      for figure in try GraphicsBenchmark.run(slice: paths[paths.count / 2], repeats: repeats, directory: directory) {
        print(figure.line)
      }
    }
    if only == nil || only == "archive" {
      for figure in try ArchiveBenchmark.run(repeats: repeats, directory: directory) { print(figure.line) }
    }
    if only == nil || only == "workstation" {
      for figure in try WorkstationBenchmark.run(paths: paths, directory: directory) { print(figure.line) }
    }
    if only == nil || only == "network" {
      for figure in try NetworkBenchmark.run(paths: paths, repeats: repeats, directory: directory) {
        print(figure.line)
      }
    }
    if only == nil || only == "deidentify" {
      for figure in try DeidentificationBenchmark.run(paths: paths, repeats: repeats, directory: directory) {
        print(figure.line)
      }
    }
    if only == nil || only == "images" {
      for figure in try DisplayResolutionBenchmark.run(repeats: repeats, directory: directory + "-images") {
        print(figure.line)
      }
    }
    if only == nil || only == "reading" {
      for figure in try ReadingBenchmark.run(repeats: repeats, directory: directory + "-reading") {
        print(figure.line)
      }
    }
    if only == nil || only == "pixels" {
      for figure in try PixelPipelineBenchmark.run(paths: paths, repeats: repeats, directory: directory) {
        print(figure.line)
      }
    }
  }
}

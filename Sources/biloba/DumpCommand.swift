import ArgumentParser
import DICOM

/// `biloba dump`: dcmdump for the terminal, or the DICOM JSON model with --json.
struct DumpCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dump",
    abstract: "List the elements of DICOM files, file meta group included, as dcmdump does.",
    discussion: """
      Each element takes one line: tag (gggg,eeee), VR, value, length, value multiplicity and keyword. \
      Long values are cut at 64 characters unless --all is given. Unreadable files are reported on \
      stderr with the offset and tag where reading failed; the other files are still dumped, and the \
      exit status is 1.
      """
  )

  @Argument(help: "DICOM files (Part 10, or bare datasets).")
  var files: [String]

  @Flag(name: [.short, .long], help: "Print whole values instead of cutting long ones.")
  var all = false

  @Flag(name: .long, help: "Print the DICOM JSON model of PS3.18 F instead of a listing.")
  var json = false

  @Flag(name: .long, help: "Print UIDs as numbers, not as registered keywords.")
  var uidNumbers = false

  @Flag(name: .long, help: "Stop before the pixel data.")
  var headerOnly = false

  func run() throws {
    var failed = false
    let formatter = DumpFormatter(showAll: all, uidNames: !uidNumbers)
    for (index, path) in files.enumerated() {
      do {
        let file = try DICOMFile.read(path: path, options: ReadOptions(stopBeforePixelData: headerOnly))
        for warning in file.warnings {
          StandardError.line("biloba dump: \(path.strippingControlCharacters): warning: \(warning)")
        }
        if json {
          StandardOutput.line(try DICOMJSON.encode(file.dataset.removingGroup(0x0002)))
        } else {
          if files.count > 1 {
            StandardOutput.line((index > 0 ? "\n" : "") + "# File: " + path.strippingControlCharacters)
          }
          for line in formatter.format(file) { StandardOutput.line(line) }
        }
      } catch {
        failed = true
        StandardError.line("biloba dump: \(path.strippingControlCharacters): \(error)")
      }
    }
    if failed { throw ExitCode.failure }
  }
}

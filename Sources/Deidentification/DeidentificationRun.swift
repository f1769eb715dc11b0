import DICOM
import Foundation
import SystemIO

/// De-identifies a set of files into a folder, all or nothing: every file is checked first (readable,
/// not refused for burned-in text) and nothing is written unless all pass; each output file appears
/// whole (written aside, then renamed); and when a write fails, the files this run wrote are removed.
/// Output files are named by their new UIDs, never by anything of the patient:
/// `DIR/ANON-CODE/STUDY/SERIES/INSTANCE.dcm`.
public struct DeidentificationRun: Sendable {
  public struct Summary: Sendable, Equatable {
    public var written: [String] = []
    /// The original Study Instance UIDs, for the local audit trail.
    public var studies: Set<String> = []
    public var patients: Set<String> = []
  }

  public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Files refused before anything was written, each with why.
    case refused([(path: String, reason: String)])
    case output(path: String, reason: String)

    public static func == (a: Failure, b: Failure) -> Bool { a.description == b.description }

    public var description: String {
      switch self {
      case .refused(let list):
        let lines = list.prefix(20).map { "\($0.path.strippingControlCharacters): \($0.reason)" }
        let more = list.count > 20 ? ["... and \(list.count - 20) more"] : []
        return "nothing written: \(list.count) of the files cannot be de-identified\n"
          + (lines + more).joined(separator: "\n")
      case .output(let path, let reason):
        return "nothing written: cannot write to \(path.strippingControlCharacters): \(reason)"
      }
    }
  }

  public let deidentifier: Deidentifier

  public init(deidentifier: Deidentifier) { self.deidentifier = deidentifier }

  public func run(
    files: [String], into directory: String, progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws(Failure) -> Summary {
    var refused: [(path: String, reason: String)] = []
    for path in files {
      do {
        try deidentifier.preflight(DICOMFile.read(path: path, options: .headerOnly))
      } catch let error as DICOMError {
        refused.append((path, "not readable as DICOM: \(error)"))
      } catch let error as DeidentificationError {
        refused.append((path, error.description))
      } catch {
        refused.append((path, "\(error)"))
      }
    }
    guard refused.isEmpty else { throw .refused(refused) }
    try Self.checkWritable(directory)

    var summary = Summary()
    do {
      for (index, path) in files.enumerated() {
        let file = try DICOMFile.read(path: path)
        let out = try deidentifier.deidentify(file)
        let d = out.dataset
        let patient = d.string(.patientID) ?? "ANON"
        let folder = [
          directory, patient, d.string(.studyInstanceUID) ?? "study", d.string(.seriesInstanceUID) ?? "series",
        ]
        .joined(separator: "/")
        if let reason = Self.makeFolders(folder) { throw DICOMError.io(path: folder, reason: reason) }
        let target = folder + "/" + (d.string(.sopInstanceUID) ?? "object-\(index + 1)") + ".dcm"
        try out.write(to: target, durable: false)
        summary.written.append(target)
        if let study = file.dataset.string(.studyInstanceUID) { summary.studies.insert(study) }
        summary.patients.insert(patient)
        progress?(index + 1, files.count)
      }
      // Each file was written whole (aside, then renamed); they reach the disk together here.
      if let reason = SystemIO.syncFileSystem(holding: directory) {
        throw DICOMError.io(path: directory, reason: reason)
      }
    } catch {
      for path in summary.written { unlink(path) }
      let reason =
        switch error {
        case let e as DeidentificationError: e.description
        default: "\(error)"
        }
      throw .output(path: directory, reason: reason)
    }
    return summary
  }

  /// The output folder made if need be, and tried with a file, so a read-only folder is found before
  /// any work.
  static func checkWritable(_ directory: String) throws(Failure) {
    if let reason = makeFolders(directory) { throw .output(path: directory, reason: reason) }
    let probe = directory + "/.biloba-write-check-\(getpid())"
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard fd >= 0 else { throw .output(path: directory, reason: String(cString: strerror(errno))) }
    close(fd)
    unlink(probe)
  }

  /// Makes a folder and its parents (mode 0755 less the umask); the reason it could not, or nil.
  static func makeFolders(_ path: String) -> String? {
    var built = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o755) != 0 && errno != EEXIST { return String(cString: strerror(errno)) }
    }
    return nil
  }

}

import DICOM
import Foundation
import Synchronization
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
  /// Flush the output to disk before returning (one syncfs). Off only for a measurement that compares
  /// with a tool that does not flush.
  public let flush: Bool

  public init(deidentifier: Deidentifier, flush: Bool = true) {
    self.deidentifier = deidentifier
    self.flush = flush
  }

  public func run(
    files: [String], into directory: String, progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws(Failure) -> Summary {
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, files.count))
    // Every header is checked first, on every core: nothing is written unless all pass.
    let shares = (0..<workers).map { worker in Array(stride(from: worker, to: files.count, by: workers)) }
    let refused = Self.onEveryCore(shares) { share in
      share.compactMap { index in refusal(of: files[index]).map { (index: index, reason: $0) } }
    }
    .flatMap { $0 }.sorted { $0.index < $1.index }.map { (path: files[$0.index], reason: $0.reason) }
    guard refused.isEmpty else { throw .refused(refused) }
    try Self.checkWritable(directory)

    // The files are shared among the cores; each is independent of the others.
    let shared = SharedProgress(total: files.count, progress: progress)
    let outcomes = Self.onEveryCore(shares) { share in
      write(files: share.map { (index: $0, path: files[$0]) }, into: directory, shared: shared)
    }
    var summary = Summary()
    for outcome in outcomes {
      summary.written += outcome.summary.written
      summary.studies.formUnion(outcome.summary.studies)
      summary.patients.formUnion(outcome.summary.patients)
    }
    var failure = outcomes.compactMap(\.failure).first
    // Each file was written whole (aside, then renamed); they reach the disk together here.
    if failure == nil, flush, let reason = SystemIO.syncFileSystem(holding: directory) { failure = reason }
    if let failure {
      for path in summary.written { unlink(path) }
      throw .output(path: directory, reason: failure)
    }
    return summary
  }

  /// `body` run for each share at once (one share a core), the results in the shares' order.
  static func onEveryCore<Share: Sendable, Result: Sendable>(
    _ shares: [Share], _ body: @Sendable (Share) -> Result
  ) -> [Result] {
    let results = Mutex<[Int: Result]>([:])
    DispatchQueue.concurrentPerform(iterations: shares.count) { i in
      let result = body(shares[i])
      results.withLock { $0[i] = result }
    }
    return results.withLock { done in shares.indices.compactMap { done[$0] } }
  }

  /// A folder or file name made of what a file says, when it is safe as one (letters, digits, dots and
  /// dashes, not "." or ".."); else the fallback. UIDs kept with --retain-uids come from the input, and a
  /// hostile one ("../..") must not choose where the output goes.
  static func pathComponent(_ text: String?, fallback: String) -> String {
    guard let text, !text.isEmpty, text.count <= 64, text != ".", text != "..",
      text.unicodeScalars.allSatisfy({
        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-")
      })
    else { return fallback }
    return text
  }

  /// Why a file would not be de-identified, from its header; nil when it would.
  private func refusal(of path: String) -> String? {
    do {
      try deidentifier.preflight(DICOMFile.read(path: path, options: .headerOnly))
      return nil
    } catch let error as DICOMError {
      return "not readable as DICOM: \(error)"
    } catch let error as DeidentificationError {
      return error.description
    } catch {
      return "\(error)"
    }
  }

  /// What one worker wrote, or why it stopped.
  struct WorkerOutcome: Sendable {
    var summary = Summary()
    var failure: String?
  }

  /// One worker's share of the files, until the end or until any worker fails.
  private func write(
    files: [(index: Int, path: String)], into directory: String, shared: SharedProgress
  ) -> WorkerOutcome {
    var outcome = WorkerOutcome()
    for (index, path) in files {
      if shared.failed { break }
      do {
        let file = try DICOMFile.read(path: path)
        let out = try deidentifier.deidentify(file)
        let d = out.dataset
        let patient = Self.pathComponent(d.string(.patientID), fallback: "ANON")
        let folder = [
          directory, patient, Self.pathComponent(d.string(.studyInstanceUID), fallback: "study"),
          Self.pathComponent(d.string(.seriesInstanceUID), fallback: "series"),
        ]
        .joined(separator: "/")
        if let reason = Self.makeFolders(folder) { throw DICOMError.io(path: folder, reason: reason) }
        let name = Self.pathComponent(d.string(.sopInstanceUID), fallback: "object-\(index + 1)")
        let target = folder + "/" + name + ".dcm"
        try out.write(to: target, durable: false)
        outcome.summary.written.append(target)
        if let study = file.dataset.string(.studyInstanceUID) { outcome.summary.studies.insert(study) }
        outcome.summary.patients.insert(patient)
        shared.advance()
      } catch {
        outcome.failure =
          switch error {
          case let e as DeidentificationError: e.description
          default: "\(error)"
          }
        shared.fail()
        break
      }
    }
    return outcome
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

/// The count of files done, for the progress callback, and whether a worker has failed (the others
/// then stop), shared by the workers under a lock.
final class SharedProgress: Sendable {
  private let state = Mutex<(done: Int, stopped: Bool)>((0, false))
  let total: Int
  let progress: (@Sendable (Int, Int) -> Void)?

  init(total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
    self.total = total
    self.progress = progress
  }

  var failed: Bool { state.withLock { $0.stopped } }
  func fail() { state.withLock { $0.stopped = true } }

  func advance() {
    let count = state.withLock {
      $0.done += 1
      return $0.done
    }
    progress?(count, total)
  }
}

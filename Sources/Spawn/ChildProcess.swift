import CSpawn
import Synchronization
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with `posix_spawnp` and reaped with a blocking `waitpid` on its own pid.
///
/// Why not Foundation's `Process`: on Linux it learns of a child's exit from SIGCHLD read through a
/// signalfd, and a SIGCHLD taken by a thread that does not block it (any thread not made by Dispatch:
/// SwiftNIO's, our own) is lost: `waitUntilExit()` then waits forever beside a zombie. That hung CI for
/// 90 minutes. `swift-subprocess` solves it with pidfds but is async only, and our callers (terminal
/// probing, test helpers, benchmark peers) are synchronous. Every pipe here is close-on-exec, so a
/// daemon the child starts (a tmux server) keeps none of them open.
public final class ChildProcess: @unchecked Sendable {
  /// Where a standard stream of the child goes.
  public enum Stream: Sendable {
    /// /dev/null.
    case null
    /// A pipe whose other end this object holds.
    case pipe
    /// Appended to a file.
    case file(String)
    /// The same descriptor as ours.
    case inherit
  }

  /// How the child ended: its exit status, or the signal that killed it.
  public enum Termination: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)

    /// The exit status, or 128 + the signal as shells report it.
    public var status: Int32 {
      switch self {
      case .exited(let code): code
      case .signalled(let signal): 128 + signal
      }
    }
  }

  public struct SpawnError: Error, CustomStringConvertible {
    public let program: String
    public let errno: Int32
    public var description: String { "cannot start \(program): \(String(cString: strerror(errno)))" }
  }

  public let pid: Int32
  /// Our ends of the pipes asked for (nil for other streams). Closed by `closeInput()` and on release.
  public private(set) var input: Int32?
  public let output: Int32?
  public let error: Int32?

  /// How the child ended, once it has been reaped: kept under a lock, since any thread may wait or signal.
  private let ended = Mutex<Termination?>(nil)

  /// Starts `arguments[0]`, searched on PATH, with the rest as its arguments. `environment` replaces
  /// ours when given.
  public init(
    _ arguments: [String], environment: [String: String]? = nil, stdin: Stream = .null, stdout: Stream = .null,
    stderr: Stream = .null
  ) throws {
    precondition(!arguments.isEmpty, "a child process needs a program")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var ours: [Int32?] = [nil, nil, nil]
    var theirs: [Int32] = []
    defer { theirs.forEach { _ = close($0) } }
    for (target, stream) in [stdin, stdout, stderr].enumerated() {
      let fd = Int32(target)
      switch stream {
      case .null:
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
      case .file(let path):
        posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
      case .inherit:
        break
      case .pipe:
        var ends: [Int32] = [-1, -1]
        guard biloba_pipe_cloexec(&ends) == 0 else {
          let code = Glibc.errno
          ours.compactMap { $0 }.forEach { _ = close($0) }
          throw SpawnError(program: arguments[0], errno: code)
        }
        let (child, parent) = target == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
        posix_spawn_file_actions_adddup2(&actions, child, fd)
        ours[target] = parent
        theirs.append(child)
      }
    }
    var argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { envp?.forEach { free($0) } }
    // The child starts with no signal blocked and every signal at its default: the spawning thread may
    // be one of Dispatch's, which block signals. Seen here: a tmux server started from a test inherited
    // SIGCHLD and SIGTERM blocked, never reaped its panes and ignored kill-server.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var child: pid_t = 0
    let result: Int32 =
      if envp != nil {
        posix_spawnp(&child, arguments[0], &actions, &attributes, &argv, &envp!)
      } else {
        posix_spawnp(&child, arguments[0], &actions, &attributes, &argv, Glibc.environ)
      }
    guard result == 0 else {
      ours.compactMap { $0 }.forEach { _ = close($0) }
      throw SpawnError(program: arguments[0], errno: result)
    }
    pid = child
    input = ours[0]
    output = ours[1]
    error = ours[2]
  }

  deinit {
    [input, output, error].compactMap { $0 }.forEach { _ = close($0) }
  }

  /// Writes all of `bytes` to the child's standard input (a `.pipe`).
  /// A child that exits without reading all of it ends the write (its pipe is closed: EPIPE) without
  /// the SIGPIPE that would otherwise kill this process: the signal is blocked on this thread for the
  /// write, and one it raised is taken back before the mask is restored.
  public func write(_ bytes: [UInt8]) {
    guard let fd = input else { return }
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    if SystemIO.writeAll(fd, bytes) == EPIPE {
      // Take back the SIGPIPE the failed write raised while it was blocked, so it is never delivered.
      var none = timespec()
      _ = sigtimedwait(&pipeSignal, nil, &none)
    }
  }

  /// Closes our end of the child's standard input, so it reads end of file.
  public func closeInput() {
    if let fd = input { close(fd) }
    input = nil
  }

  /// Sends `signal` to the child unless it has been reaped (its pid may belong to another by then).
  public func send(_ signal: Int32) {
    ended.withLock { ended in if ended == nil { _ = kill(pid, signal) } }
  }

  /// Waits for the child to end (once; later calls return the same).
  @discardableResult
  public func wait() -> Termination {
    ended.withLock { ended in
      if let ended { return ended }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && Glibc.errno == EINTR {}
      let termination = Self.termination(status)
      ended = termination
      return termination
    }
  }

  /// Whether the child still runs (reaps it if it has ended).
  public var isRunning: Bool {
    ended.withLock { ended in
      guard ended == nil else { return false }
      var status: Int32 = 0
      guard waitpid(pid, &status, WNOHANG) == pid else { return true }
      ended = Self.termination(status)
      return false
    }
  }

  private static func termination(_ status: Int32) -> Termination {
    status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
  }
}

/// What a finished child printed.
public struct CapturedRun: Sendable {
  public let termination: ChildProcess.Termination
  public let stdout: [UInt8]
  public let stderr: [UInt8]

  public var status: Int32 { termination.status }
}

extension ChildProcess {
  /// Runs a program to its end with `input` on its standard input, and returns what it printed. Both
  /// pipes are read at once (the error one on a thread of its own), so a chatty child cannot block on a
  /// full pipe.
  public static func run(
    _ arguments: [String], input: [UInt8]? = nil, environment: [String: String]? = nil
  ) throws -> CapturedRun {
    let child = try ChildProcess(
      arguments, environment: environment, stdin: input == nil ? .null : .pipe, stdout: .pipe, stderr: .pipe)
    let errorReader = DrainThread(fd: child.error!)
    if let input {
      child.write(input)
      child.closeInput()
    }
    let out = readToEnd(child.output!)
    let err = errorReader.join()
    return CapturedRun(termination: child.wait(), stdout: out, stderr: err)
  }

  /// Everything readable from `fd` until end of file.
  public static func readToEnd(_ fd: Int32) -> [UInt8] {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && Glibc.errno == EINTR { continue }
      guard n > 0 else { return data }
      data += buffer[0..<n]
    }
  }
}

/// Reads a descriptor to its end on a pthread of its own.
private final class DrainThread: @unchecked Sendable {
  private var thread = pthread_t()
  private var data: [UInt8] = []
  private let fd: Int32

  private var started = false

  init(fd: Int32) {
    self.fd = fd
    let context = Unmanaged.passRetained(self).toOpaque()
    started =
      pthread_create(
        &thread, nil,
        { raw in
          let drain = Unmanaged<DrainThread>.fromOpaque(raw!).takeRetainedValue()
          drain.data = ChildProcess.readToEnd(drain.fd)
          return nil
        }, context) == 0
    // No thread (out of resources): drop the reference it would have taken; `join` reads instead, once
    // the other stream is drained, so nothing is lost.
    if !started { Unmanaged<DrainThread>.fromOpaque(context).release() }
  }

  func join() -> [UInt8] {
    guard started else { return ChildProcess.readToEnd(fd) }
    pthread_join(thread, nil)
    return data
  }
}

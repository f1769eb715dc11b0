import Glibc
import Spawn
import Testing

@Suite struct ChildProcessTests {
  @Test func the_exit_status_and_the_killing_signal_are_reported() throws {
    #expect(try ChildProcess(["sh", "-c", "exit 3"]).wait() == .exited(3))
    let sleeper = try ChildProcess(["sleep", "30"])
    #expect(sleeper.isRunning)
    sleeper.send(SIGKILL)
    #expect(sleeper.wait() == .signalled(SIGKILL))
    #expect(sleeper.wait().status == 128 + SIGKILL)
    #expect(!sleeper.isRunning)
  }

  @Test func a_child_filling_both_pipes_at_once_does_not_stall_the_reader() throws {
    // 1 MiB on each stream, interleaved: more than a pipe holds, so reading one to its end before the
    // other would deadlock.
    let run = try ChildProcess.run([
      "sh", "-c", "for i in $(seq 1 16); do head -c 65536 /dev/zero; head -c 65536 /dev/zero >&2; done",
    ])
    #expect(run.status == 0)
    #expect(run.stdout.count == 1 << 20)
    #expect(run.stderr.count == 1 << 20)
  }

  @Test func input_reaches_the_child_and_its_end_is_seen() throws {
    let run = try ChildProcess.run(["tr", "a-z", "A-Z"], input: Array("dicom\n".utf8))
    #expect(String(decoding: run.stdout, as: UTF8.self) == "DICOM\n")
  }

  @Test func a_daemon_started_by_the_child_does_not_hold_our_pipes_open() throws {
    // The background sleep keeps the shell's descriptors only when given them; it is sent to /dev/null,
    // and no other descriptor of ours may leak to it, or reading to the end would take 5 s.
    let clock = ContinuousClock()
    let start = clock.now
    let run = try ChildProcess.run(["sh", "-c", "sleep 5 >/dev/null 2>&1 </dev/null & echo started"])
    #expect(String(decoding: run.stdout, as: UTF8.self) == "started\n")
    #expect(clock.now - start < .seconds(3))
  }

  @Test func the_child_starts_with_no_signal_blocked_even_when_its_parent_blocks_them() throws {
    var all = sigset_t()
    sigfillset(&all)
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &all, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    let run = try ChildProcess.run(["grep", "SigBlk", "/proc/self/status"])
    #expect(String(decoding: run.stdout, as: UTF8.self).contains("0000000000000000"))
  }

  @Test func a_missing_program_is_a_typed_error() {
    #expect(throws: ChildProcess.SpawnError.self) { try ChildProcess(["biloba-no-such-program"]) }
  }

  @Test func a_given_environment_replaces_ours() throws {
    let run = try ChildProcess.run(["/usr/bin/env"], environment: ["ONLY": "this"])
    #expect(String(decoding: run.stdout, as: UTF8.self) == "ONLY=this\n")
  }
}

@Suite struct ChildProcessInputTests {
  @Test func a_child_that_leaves_its_input_unread_does_not_take_us_down() throws {
    // More than a pipe holds, to a child that exits at once: the write meets a closed pipe (EPIPE),
    // which must not raise SIGPIPE in this process.
    let run = try ChildProcess.run(["true"], input: [UInt8](repeating: 0x41, count: 1 << 20))
    #expect(run.status == 0)
  }
}

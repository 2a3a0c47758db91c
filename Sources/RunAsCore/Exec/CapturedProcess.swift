#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a helper program to completion and collects what it prints: `mfa_process` (whose standard
/// output is the MFA code), the browser opened for a device sign-in,
/// `session-manager-plugin --version`, `ssh -G`, `ssh-keygen -y`, `docker login --password-stdin`.
///
/// The child reads the given bytes or `/dev/null` (it must not compete for the terminal with a
/// prompt or the TUI), inherits no descriptor above 2, and runs in its own process group, so
/// Ctrl-C at the terminal reaches aws-runas, which then ends it. Waiting happens on a thread of
/// its own (``DedicatedThread``), never on the concurrency pool; cancelling the calling task, or
/// the time limit running out, kills the child and everything it started.
public enum CapturedProcess {
  /// Where a stream of the child goes.
  public enum Output: Sendable, Equatable {
    /// Ours: the user sees it.
    case inherit
    /// `/dev/null`.
    case discard
    /// Read into the ``Outcome``.
    case capture
  }

  /// How a captured command ended, with its output.
  public struct Outcome: Sendable, Equatable {
    /// How it ended.
    public var termination: ChildProcess.Termination
    /// Its standard output when captured (at most ``outputLimit`` bytes), else empty.
    public var standardOutput: [UInt8]
    /// Its standard error when captured (at most ``outputLimit`` bytes), else empty.
    public var standardError: [UInt8]
    /// Whether it was killed for running past the time limit.
    public var timedOut: Bool

    /// The exit status, or 128 + the signal that killed it.
    public var exitStatus: Int32 { termination.exitCode }
    /// Standard output as text.
    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
  }

  /// The most kept of each stream; the rest is read and dropped.
  public static let outputLimit = 1 << 20

  /// The most standard input given: a socket's buffer, so writing it never waits for the child.
  public static let inputLimit = 64 * 1024

  /// Runs `arguments[0]` (a path, or a name looked up on `PATH`) with `arguments` and exactly
  /// `environment`.
  ///
  /// - Parameters:
  ///   - arguments: The program and its arguments (`argv`).
  ///   - environment: The whole environment of the child.
  ///   - standardInput: Bytes the child reads, then end of input (at most ``inputLimit``);
  ///     `nil` for `/dev/null`.
  ///   - standardOutput: Where standard output goes.
  ///   - standardError: Where standard error goes.
  ///   - timeLimit: When it has not ended by then, it is killed and ``Outcome/timedOut`` is set;
  ///     `nil` waits as long as it runs.
  /// - Throws: ``ChildProcess/LaunchError`` when the command cannot be started, or
  ///   `CancellationError` (after killing it).
  public static func run(
    _ arguments: [String], environment: [String: String], standardInput: [UInt8]? = nil,
    standardOutput: Output = .capture, standardError: Output = .capture, timeLimit: Duration? = .seconds(120)
  ) async throws -> Outcome {
    guard let program = arguments.first, !program.isEmpty else {
      throw ChildProcess.LaunchError(message: "no command to run", hint: nil)
    }
    if let standardInput, standardInput.count > inputLimit {
      throw ChildProcess.LaunchError(
        message: "cannot give \(TerminalText.excerpt(program, limit: 100)) more than 64 KiB of input", hint: nil)
    }
    let executable =
      program.contains("/") ? program : (ChildProcess.findExecutable(program, path: environment["PATH"]) ?? program)

    // Socket pairs rather than pipes: created close-on-exec in one step (so no other child started
    // meanwhile inherits them), and `send` with MSG_NOSIGNAL reports a child that exits without
    // reading its input as EPIPE instead of raising SIGPIPE in this process.
    var input = try SocketPair(if: standardInput != nil, for: program)
    var output = try SocketPair(if: standardOutput == .capture, for: program)
    var error = try SocketPair(if: standardError == .capture, for: program)
    defer {
      input.closeAll()
      output.closeAll()
      error.closeAll()
    }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signalNumber in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP] { sigaddset(&defaults, signalNumber) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var spawned: pid_t = 0
    let status = ChildProcess.spawn(&spawned, executable, attributes: &attributes, argv, envp) { actions in
      if standardInput != nil {
        posix_spawn_file_actions_adddup2(&actions, input.childEnd, 0)
      } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      }
      redirect(&actions, 1, standardOutput, to: output.childEnd)
      redirect(&actions, 2, standardError, to: error.childEnd)
    }
    // Our copies of the child's ends: the streams end when the child's do.
    input.closeChildEnd()
    output.closeChildEnd()
    error.closeChildEnd()
    guard status == 0 else {
      throw ChildProcess.LaunchError(
        message: "cannot run \(TerminalText.excerpt(program, limit: 100)): \(String(cString: strerror(status)))",
        hint: nil)
    }
    let pid = spawned
    if let standardInput { input.write(standardInput) }
    input.closeAll()

    let streams = (output: output.takeOurEnd(), error: error.takeOurEnd())
    let limitMilliseconds = timeLimit.map {
      Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000)
    }
    return try await withTaskCancellationHandler {
      let outcome = try await DedicatedThread.run {
        collect(pid: pid, outputFD: streams.output, errorFD: streams.error, limitMilliseconds: limitMilliseconds)
      }
      try Task.checkCancellation()
      return outcome
    } onCancel: {
      kill(-pid, SIGKILL)
    }
  }

  private static func redirect(
    _ actions: inout posix_spawn_file_actions_t, _ descriptor: Int32, _ output: Output, to captured: Int32
  ) {
    switch output {
    case .capture: posix_spawn_file_actions_adddup2(&actions, captured, descriptor)
    case .discard: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
    case .inherit: break
    }
  }

  /// Reads the captured streams to their end (killing the child's process group past the limit),
  /// then reaps it. Runs on a dedicated thread.
  private static func collect(pid: pid_t, outputFD: Int32, errorFD: Int32, limitMilliseconds: Int?) -> Outcome {
    var output: [UInt8] = []
    var error: [UInt8] = []
    var open = [outputFD, errorFD].filter { $0 >= 0 }
    var timedOut = false
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    func elapsedMilliseconds() -> Int {
      var current = timespec()
      clock_gettime(CLOCK_MONOTONIC, &current)
      return (current.tv_sec - start.tv_sec) * 1000 + (current.tv_nsec - start.tv_nsec) / 1_000_000
    }
    // With nothing captured, the streams are the child's own end: poll it until it exits.
    if open.isEmpty, let limitMilliseconds {
      while !timedOut {
        var waitStatus: Int32 = 0
        let reaped = waitpid(pid, &waitStatus, WNOHANG)
        if reaped == pid {
          let low = waitStatus & 0x7f
          let termination: ChildProcess.Termination = low == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(low)
          return Outcome(termination: termination, standardOutput: [], standardError: [], timedOut: false)
        }
        if reaped < 0 && errno != EINTR { break }
        if elapsedMilliseconds() >= limitMilliseconds {
          timedOut = true
          kill(-pid, SIGKILL)
        } else {
          var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
          nanosleep(&pause, nil)
        }
      }
    }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !open.isEmpty {
      var wait: Int32 = 1000
      if let limitMilliseconds {
        let left = limitMilliseconds - elapsedMilliseconds()
        if left <= 0 && !timedOut {
          timedOut = true
          kill(-pid, SIGKILL)
        }
        if !timedOut { wait = Int32(min(max(left, 1), 1000)) }
      }
      var pollers = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&pollers, nfds_t(pollers.count), wait)
      if ready < 0 && errno != EINTR { break }
      for poller in pollers where poller.revents != 0 {
        let count = buffer.withUnsafeMutableBytes { read(poller.fd, $0.baseAddress, $0.count) }
        if count > 0 {
          if poller.fd == outputFD {
            output += buffer.prefix(min(count, max(0, outputLimit - output.count)))
          } else {
            error += buffer.prefix(min(count, max(0, outputLimit - error.count)))
          }
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
          close(poller.fd)
          open.removeAll { $0 == poller.fd }
        }
      }
    }
    for descriptor in open { close(descriptor) }
    let termination = ChildProcess.reap(pid)
    return Outcome(termination: termination, standardOutput: output, standardError: error, timedOut: timedOut)
  }

  /// A connected pair of close-on-exec sockets: one end for the child, one for us.
  private struct SocketPair {
    private(set) var childEnd: Int32 = -1
    private var ourEnd: Int32 = -1

    /// A pair when `wanted`, else two closed ends.
    init(if wanted: Bool, for program: String) throws {
      guard wanted else { return }
      var ends: [Int32] = [-1, -1]
      guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
        throw ChildProcess.LaunchError(
          message:
            "cannot make a pipe for \(TerminalText.excerpt(program, limit: 100)): \(String(cString: strerror(errno)))",
          hint: nil)
      }
      (ourEnd, childEnd) = (ends[0], ends[1])
      _ = fcntl(ourEnd, F_SETFL, fcntl(ourEnd, F_GETFL) | O_NONBLOCK)
    }

    mutating func closeChildEnd() {
      if childEnd >= 0 { close(childEnd) }
      childEnd = -1
    }

    /// Our end, no longer closed by ``closeAll()``; -1 when there is none.
    mutating func takeOurEnd() -> Int32 {
      defer { ourEnd = -1 }
      return ourEnd
    }

    /// Writes `bytes` (at most ``CapturedProcess/inputLimit``, which the socket's buffer holds)
    /// and stops at the first error: a child that does not read gets what fitted.
    func write(_ bytes: [UInt8]) {
      var written = 0
      while written < bytes.count {
        let count = bytes.withUnsafeBytes {
          send(ourEnd, $0.baseAddress! + written, bytes.count - written, Int32(MSG_NOSIGNAL))
        }
        if count > 0 {
          written += count
        } else if count < 0 && errno == EINTR {
          continue
        } else if count < 0 && errno == EAGAIN {
          var poller = pollfd(fd: ourEnd, events: Int16(POLLOUT), revents: 0)
          if poll(&poller, 1, 1000) <= 0 { break }
        } else {
          break
        }
      }
    }

    mutating func closeAll() {
      for descriptor in [childEnd, ourEnd] where descriptor >= 0 { close(descriptor) }
      (childEnd, ourEnd) = (-1, -1)
    }
  }
}

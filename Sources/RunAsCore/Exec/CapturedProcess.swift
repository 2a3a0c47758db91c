#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a helper command and collects what it prints: `mfa_process` (whose standard output is the
/// MFA code) and the browser opened for a device sign-in.
///
/// The child reads `/dev/null` (it must not compete for the terminal with a prompt or the TUI)
/// and inherits no descriptor but its pipes. Waiting happens on a thread of its own
/// (``DedicatedThread``), never on the concurrency pool; cancelling the calling task, or the time
/// limit running out, kills the child and everything it started (its process group).
public enum CapturedProcess {
  /// How a captured command ended, with its output.
  public struct Outcome: Sendable, Equatable {
    /// How it ended.
    public var termination: ChildProcess.Termination
    /// Its standard output (at most ``outputLimit`` bytes).
    public var standardOutput: [UInt8]
    /// Its standard error (at most ``outputLimit`` bytes).
    public var standardError: [UInt8]
    /// Whether it was killed for running past the time limit.
    public var timedOut: Bool
  }

  /// The most kept of each stream; the rest is read and dropped.
  public static let outputLimit = 64 * 1024

  /// Runs `arguments[0]` (a path, or a name looked up on `PATH`) with `arguments` and
  /// `environment`, for at most `timeLimit`.
  ///
  /// - Throws: ``ChildProcess/LaunchError`` when the command cannot be started, or
  ///   `CancellationError` (after killing it).
  public static func run(
    _ arguments: [String], environment: [String: String], timeLimit: Duration = .seconds(120)
  ) async throws -> Outcome {
    guard let program = arguments.first, !program.isEmpty else {
      throw ChildProcess.LaunchError(message: "no command to run", hint: nil)
    }
    let executable =
      program.contains("/") ? program : (ChildProcess.findExecutable(program, path: environment["PATH"]) ?? program)
    var outputPipe: [Int32] = [-1, -1]
    var errorPipe: [Int32] = [-1, -1]
    guard pipe(&outputPipe) == 0 else { throw launchError(program, errno) }
    guard pipe(&errorPipe) == 0 else {
      let code = errno
      close(outputPipe[0])
      close(outputPipe[1])
      throw launchError(program, code)
    }
    for descriptor in [outputPipe[0], errorPipe[0]] {
      _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
      _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
    if let closeFrom = addCloseFrom {
      _ = closeFrom(&actions, 3)
    } else {
      posix_spawn_file_actions_addclose(&actions, outputPipe[1])
      posix_spawn_file_actions_addclose(&actions, errorPipe[1])
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
    // Its own process group, so Ctrl-C at the terminal reaches aws-runas (which then kills it).
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
    let status = posix_spawn(&spawned, executable, &actions, &attributes, argv, envp)
    close(outputPipe[1])
    close(errorPipe[1])
    guard status == 0 else {
      close(outputPipe[0])
      close(errorPipe[0])
      throw launchError(program, status)
    }
    let pid = spawned
    let (outputFD, errorFD) = (outputPipe[0], errorPipe[0])
    let limitMilliseconds = Int(timeLimit.components.seconds * 1000)
    return try await withTaskCancellationHandler {
      let outcome = try await DedicatedThread.run {
        collect(pid: pid, outputFD: outputFD, errorFD: errorFD, limitMilliseconds: limitMilliseconds)
      }
      try Task.checkCancellation()
      return outcome
    } onCancel: {
      kill(-pid, SIGKILL)
    }
  }

  /// Reads both pipes to their end (killing the child past the limit), then reaps it.
  private static func collect(pid: pid_t, outputFD: Int32, errorFD: Int32, limitMilliseconds: Int) -> Outcome {
    var output: [UInt8] = []
    var error: [UInt8] = []
    var open = [outputFD, errorFD]
    var timedOut = false
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    func elapsedMilliseconds() -> Int {
      var current = timespec()
      clock_gettime(CLOCK_MONOTONIC, &current)
      return (current.tv_sec - start.tv_sec) * 1000 + (current.tv_nsec - start.tv_nsec) / 1_000_000
    }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !open.isEmpty {
      let left = limitMilliseconds - elapsedMilliseconds()
      if left <= 0 && !timedOut {
        timedOut = true
        kill(-pid, SIGKILL)
      }
      var pollers = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&pollers, nfds_t(pollers.count), Int32(timedOut ? 1000 : min(max(left, 1), 1000)))
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
    var waitStatus: Int32 = 0
    while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
    let low = waitStatus & 0x7f
    let termination: ChildProcess.Termination = low == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(low)
    return Outcome(termination: termination, standardOutput: output, standardError: error, timedOut: timedOut)
  }

  private static func launchError(_ program: String, _ code: Int32) -> ChildProcess.LaunchError {
    ChildProcess.LaunchError(
      message: "cannot run \(TerminalText.excerpt(program, limit: 100)): \(String(cString: strerror(code)))", hint: nil)
  }

  private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

  /// glibc's `posix_spawn_file_actions_addclosefrom_np`, when the C library has it.
  private static let addCloseFrom: AddCloseFrom? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(symbol, to: AddCloseFrom.self)
  }()
}

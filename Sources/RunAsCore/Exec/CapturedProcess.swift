#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a helper program to completion: `session-manager-plugin --version`, `ssh -G`,
/// `ssh-keygen -y`, `docker login --password-stdin`. Its standard input is the given bytes (or
/// `/dev/null`), its output is captured or passed through, and the wait happens on a thread of
/// its own, never on the concurrency pool.
public enum CapturedProcess {
  /// Where a stream of the child goes.
  public enum Output: Sendable, Equatable {
    /// Ours: the user sees it.
    case inherit
    /// `/dev/null`.
    case discard
    /// A pipe read into ``Result/standardOutput`` (standard output only).
    case capture
  }

  /// How the program ended and what it printed.
  public struct Result: Sendable, Equatable {
    /// The exit status, or 128 + the signal that killed it.
    public var exitStatus: Int32
    /// Standard output when captured, else empty.
    public var standardOutput: [UInt8]

    /// Standard output as text.
    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
  }

  /// A program that could not be started or did not finish in time.
  public struct Failure: UserFacingError, Sendable, Equatable {
    /// What went wrong.
    public let message: String
  }

  /// The most standard output kept.
  public static let outputLimit = 1 << 20

  /// Runs `executable` (a path) with `arguments` (without argv[0]) and exactly `environment`.
  ///
  /// - Parameters:
  ///   - executable: The program's path; `argv[0]` is its last path component.
  ///   - arguments: The arguments after `argv[0]`.
  ///   - environment: The whole environment of the child.
  ///   - standardInput: Bytes written to a pipe that is then closed (at most 64 KiB, a pipe's
  ///     buffer, so writing never waits for the child); `nil` for `/dev/null`.
  ///   - standardOutput: Where standard output goes.
  ///   - standardError: Where standard error goes (``Output/capture`` counts as discard).
  ///   - timeout: When captured output has not ended by then, the child is killed and this throws;
  ///     `nil` waits as long as it runs.
  /// - Returns: The exit status and captured output.
  /// - Throws: ``Failure`` when it cannot start or runs out of time.
  public static func run(
    _ executable: String, arguments: [String], environment: [String: String], standardInput: [UInt8]? = nil,
    standardOutput: Output = .capture, standardError: Output = .discard, timeout: Duration? = .seconds(10)
  ) async throws -> Result {
    let name = executable.split(separator: "/").last.map(String.init) ?? executable
    if let standardInput, standardInput.count > 65536 {
      throw Failure(message: "cannot give \(name) more than 64 KiB of input")
    }
    return try await DedicatedThread.run {
      try runBlocking(
        executable, name: name, arguments: arguments, environment: environment, standardInput: standardInput,
        standardOutput: standardOutput, standardError: standardError, timeout: timeout)
    }
  }

  private static func runBlocking(
    _ executable: String, name: String, arguments: [String], environment: [String: String],
    standardInput: [UInt8]?, standardOutput: Output, standardError: Output, timeout: Duration?
  ) throws -> Result {
    var inputPipe: [Int32] = [-1, -1]
    var outputPipe: [Int32] = [-1, -1]
    defer {
      for descriptor in inputPipe + outputPipe where descriptor >= 0 { close(descriptor) }
    }
    // A socket pair rather than a pipe for input: `send` with MSG_NOSIGNAL reports a child that
    // exits without reading as EPIPE instead of raising SIGPIPE in this process.
    if standardInput != nil,
      socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &inputPipe) != 0
    {
      throw Failure(message: "cannot make a pipe for \(name): \(String(cString: strerror(errno)))")
    }
    // Socket pairs also for output: created close-on-exec in one step (glibc's pipe2 is not
    // visible to Swift), so no other child started meanwhile inherits them.
    if standardOutput == .capture,
      socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &outputPipe) != 0
    {
      throw Failure(message: "cannot make a pipe for \(name): \(String(cString: strerror(errno)))")
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if standardInput != nil {
      posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    switch standardOutput {
    case .capture: posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
    case .discard: posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    case .inherit: break
    }
    if standardError != .inherit {
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    if let closeFrom = addCloseFrom {
      _ = closeFrom(&actions, 3)
    } else {
      ChildProcess.markInheritedDescriptorsCloseOnExec()
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signalNumber in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signalNumber) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let argv = ([name] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard status == 0 else {
      throw Failure(message: "cannot run \(executable): \(String(cString: strerror(status)))")
    }
    // Our copies of the child's ends: the pipes end when the child's do.
    for descriptor in [inputPipe[0], outputPipe[1]] where descriptor >= 0 { close(descriptor) }
    inputPipe[0] = -1
    outputPipe[1] = -1

    if let standardInput {
      var written = 0
      while written < standardInput.count {
        let count = standardInput.withUnsafeBytes {
          send(inputPipe[1], $0.baseAddress! + written, standardInput.count - written, Int32(MSG_NOSIGNAL))
        }
        if count > 0 {
          written += count
        } else if count < 0 && errno == EINTR {
          continue
        } else {
          break
        }
      }
      close(inputPipe[1])
      inputPipe[1] = -1
    }

    var output: [UInt8] = []
    if standardOutput == .capture {
      let clock = ContinuousClock()
      let deadline = timeout.map { clock.now.advanced(by: $0) }
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        if let deadline {
          let left = clock.now.duration(to: deadline)
          let milliseconds = max(
            0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
          var poller = pollfd(fd: outputPipe[0], events: Int16(POLLIN), revents: 0)
          let ready = poll(&poller, 1, Int32(min(milliseconds, 60_000)))
          if ready == 0 && left <= .zero {
            kill(pid, SIGKILL)
            _ = waitForExit(pid)
            throw Failure(message: "\(name) did not finish within \(GoDuration.format(timeout ?? .zero))")
          }
          if ready <= 0 { continue }
        }
        let count = read(outputPipe[0], &buffer, buffer.count)
        if count > 0 {
          if output.count < outputLimit { output += buffer[0..<min(count, outputLimit - output.count)] }
        } else if count == 0 || errno != EINTR {
          break
        }
      }
    }
    return Result(exitStatus: waitForExit(pid), standardOutput: output)
  }

  /// Waits for `pid` and returns its status, or 128 + the signal that killed it.
  static func waitForExit(_ pid: pid_t) -> Int32 {
    var waitStatus: Int32 = 0
    while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
    let low = waitStatus & 0x7f
    return low == 0 ? (waitStatus >> 8) & 0xff : 128 + low
  }

  private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

  /// glibc's `posix_spawn_file_actions_addclosefrom_np`, as in ``ChildProcess``.
  private static let addCloseFrom: AddCloseFrom? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(symbol, to: AddCloseFrom.self)
  }()
}

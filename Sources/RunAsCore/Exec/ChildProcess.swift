import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a command as a child process with inherited standard streams, the way `aws-runas profile
/// cmd …` does: terminal signals (Ctrl-C, Ctrl-\) go to the child alone, SIGTERM and SIGHUP sent to
/// aws-runas are passed on, and the child's exit status becomes ours.
public enum ChildProcess {
  /// Why a command could not be started.
  public struct LaunchError: UserFacingError, Sendable {
    /// What went wrong.
    public let message: String
    /// What to do.
    public let hint: String?
  }

  /// How a child ended.
  public enum Termination: Sendable, Equatable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal killed it.
    case signalled(Int32)

    /// The shell convention for our own exit status: the status, or 128 + signal number.
    public var exitCode: Int32 {
      switch self {
      case .exited(let status): status
      case .signalled(let signal): 128 + signal
      }
    }
  }

  /// The argument vector to run: `arguments` as given when the program exists on `PATH` (or is a
  /// path), otherwise `$SHELL -i -c "<arguments joined by spaces>"` for a known shell so aliases and
  /// functions work, otherwise `nil`.
  public static func resolveCommand(_ arguments: [String], environment: [String: String]) -> [String]? {
    guard let program = arguments.first, !program.isEmpty else { return nil }
    if program.contains("/") || findExecutable(program, path: environment["PATH"]) != nil {
      return arguments
    }
    let shells: Set<String> = ["bash", "fish", "zsh", "ksh", "ash", "sh", "dash"]
    if let shell = environment["SHELL"], let name = shell.split(separator: "/").last, shells.contains(String(name)) {
      return [shell, "-i", "-c", arguments.joined(separator: " ")]
    }
    return nil
  }

  /// The full path of `program` on `path` (colon-separated), if it is there and executable.
  public static func findExecutable(_ program: String, path: String?) -> String? {
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(directory)/\(program)"
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }

  /// `posix_spawn` with only standard input, output and error inherited.
  ///
  /// Libraries open descriptors without close-on-exec (SwiftNIO's listening sockets, accepted
  /// connections and epoll descriptor among them); a child that inherited the credential
  /// endpoint's socket would keep the port open, through any background process it leaves, after
  /// aws-runas exits. So everything above 2 is closed in the child, whoever opened it.
  ///
  /// - Returns: 0, or the error number `posix_spawn` returns.
  ///
  /// - Parameter redirect: Adds the child's own redirections of descriptors 0–2 (dup2, open), which
  ///   run before everything above 2 is closed.
  public static func spawn(
    _ pid: inout pid_t, _ executable: String, attributes: UnsafeMutablePointer<posix_spawnattr_t>?,
    _ argv: [UnsafeMutablePointer<CChar>?], _ envp: [UnsafeMutablePointer<CChar>?],
    redirect: (inout posix_spawn_file_actions_t) -> Void = { _ in }
  ) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    redirect(&actions)
    if let closeFrom = addCloseFrom {
      let status = closeFrom(&actions, 3)
      if status != 0 { return status }
    } else {
      markInheritedDescriptorsCloseOnExec()
    }
    return posix_spawn(&pid, executable, &actions, attributes, argv, envp)
  }

  private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Swift module
  /// does not export; `nil` where the C library lacks it.
  private static let addCloseFrom: AddCloseFrom? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(symbol, to: AddCloseFrom.self)
  }()

  /// Sets close-on-exec on every open descriptor above 2, for C libraries without
  /// `addclosefrom`. (A descriptor another thread opens meanwhile can still slip through.)
  static func markInheritedDescriptorsCloseOnExec() {
    // Listed first, so the directory's own descriptor is closed before the loop.
    for descriptor in (POSIXFile.entries(ofDirectory: "/proc/self/fd") ?? []).compactMap({ Int32($0) })
    where descriptor > 2 {
      let flags = fcntl(descriptor, F_GETFD)
      if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }
  }

  /// Runs `arguments` with exactly `environment` and waits for it to end.
  public static func run(_ arguments: [String], environment: [String: String]) async throws -> Termination {
    guard let command = resolveCommand(arguments, environment: environment) else {
      throw LaunchError(
        message: "command not found: \(TerminalText.excerpt(arguments.first ?? "", limit: 100))",
        hint: "check the name, or that it is on PATH")
    }
    let executable =
      command[0].contains("/") ? command[0] : (findExecutable(command[0], path: environment["PATH"]) ?? command[0])

    // Terminal signals reach the child through its process group; aws-runas itself ignores them
    // while the child runs. SIGTERM and SIGHUP are forwarded.
    let ignored: [Int32] = [SIGINT, SIGQUIT]
    let forwarded: [Int32] = [SIGTERM, SIGHUP]
    var previous: [Int32: sighandler_t?] = [:]
    for signalNumber in ignored + forwarded { previous[signalNumber] = signal(signalNumber, SIG_IGN) }
    defer {
      for (signalNumber, handler) in previous { signal(signalNumber, handler ?? SIG_DFL) }
    }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signalNumber in ignored + forwarded + [SIGPIPE] { sigaddset(&defaults, signalNumber) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let argv = command.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var spawned: pid_t = 0
    let status = spawn(&spawned, executable, attributes: &attributes, argv, envp)
    let pid = spawned
    guard status == 0 else {
      throw LaunchError(message: "cannot run \(command[0]): \(String(cString: strerror(status)))", hint: nil)
    }

    let forwarders = forwarded.map { signalNumber in
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler { kill(pid, signalNumber) }
      source.resume()
      return source
    }
    defer { forwarders.forEach { $0.cancel() } }

    return await waitForTermination(of: pid)
  }

  /// Waits, off the concurrency pool, for the child `pid` to end.
  static func waitForTermination(of pid: pid_t) async -> Termination {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: reap(pid)) }
    }
  }

  /// Waits for the child `pid` to end, blocking the calling thread (never call it on the
  /// concurrency pool: use ``DedicatedThread``).
  package static func reap(_ pid: pid_t) -> Termination {
    var waitStatus: Int32 = 0
    while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
    let low = waitStatus & 0x7f
    return low == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(low)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The child a signal sent to aws-runas is passed on to; 0 when none runs. Written before the
/// handlers are installed and after they are removed, read by the handler.
nonisolated(unsafe) private var signalForwardingTarget: pid_t = 0
/// Set by the handler once it has passed a signal on.
nonisolated(unsafe) private var forwardedSignal: sig_atomic_t = 0

/// Passes a signal that another process sent (`kill`) on to the plugin. Signals from the terminal
/// (Ctrl-C, Ctrl-\, hang-up) reach the plugin by themselves, through the foreground process
/// group; sending them again would, in a shell session, interrupt the remote command twice.
private func forwardSignalToPlugin(
  _ signalNumber: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?
) {
  // si_code ≤ 0: sent by a process (SI_USER, SI_QUEUE, SI_TKILL); > 0: by the kernel.
  guard let info, info.pointee.si_code <= 0 else { return }
  let target = signalForwardingTarget
  if target > 0 {
    forwardedSignal = signalNumber
    kill(target, signalNumber)
  }
}

/// Runs the session plugin with the terminal (or the ssh connection of a `ProxyCommand`) as its
/// standard streams, and waits for it.
///
/// While it runs, aws-runas survives SIGINT, SIGQUIT, SIGTERM and SIGHUP, so it can end the
/// session with TerminateSession afterwards: those sent with `kill` are passed on to the plugin,
/// those from the terminal already reached it.
public enum SessionPluginProcess {
  /// How the plugin ended.
  public struct Outcome: Sendable, Equatable {
    /// Its exit status, or 128 + the signal that killed it.
    public var exitStatus: Int32
    /// The signal aws-runas passed on to it, if any.
    public var forwardedSignal: Int32?
  }

  /// Signals handled while the plugin runs.
  static let handledSignals: [Int32] = [SIGINT, SIGQUIT, SIGTERM, SIGHUP]

  /// Starts `path` with `arguments` (after argv[0]) and exactly `environment`, and waits for it.
  ///
  /// - Throws: ``ChildProcess/LaunchError`` when it cannot be started.
  public static func run(path: String, arguments: [String], environment: [String: String]) async throws -> Outcome {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signalNumber in handledSignals + [SIGPIPE] { sigaddset(&defaults, signalNumber) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let name = path.split(separator: "/").last.map(String.init) ?? path
    let argv = ([name] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }

    // Handlers first, so a signal between the spawn and their installation cannot kill
    // aws-runas and leave the session open.
    signalForwardingTarget = 0
    forwardedSignal = 0
    let previous = SignalHandlers.install(forwardSignalToPlugin, for: handledSignals)
    defer {
      signalForwardingTarget = 0
      SignalHandlers.restore(previous)
    }

    var spawned: pid_t = 0
    let status = ChildProcess.spawn(&spawned, path, attributes: &attributes, argv, envp)
    guard status == 0 else {
      throw ChildProcess.LaunchError(message: "cannot run \(path): \(String(cString: strerror(status)))", hint: nil)
    }
    let pid = spawned
    signalForwardingTarget = pid
    let exitStatus = try await DedicatedThread.run { ChildProcess.reap(pid).exitCode }
    let signal = forwardedSignal
    return Outcome(exitStatus: exitStatus, forwardedSignal: signal == 0 ? nil : signal)
  }
}

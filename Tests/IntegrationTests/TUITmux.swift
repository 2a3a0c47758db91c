import Foundation
import RunAsCore
import TestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// `aws-runas-tui` in a real terminal: a tmux session of a given size on a private tmux server,
/// driven with `send-keys` and read with `capture-pane`. Released, the pane's processes are killed
/// and the tmux server is sent SIGTERM; nothing waits for them.
final class TUISession: Sendable {
  let socket = "aws-runas-tui-test-" + UUID().uuidString.prefix(8).lowercased()
  let name = "tui"
  let scriptPath: String
  /// The tmux server and the pane's first process (its process group holds the TUI).
  private let processes: LockedValue<(server: pid_t, pane: pid_t)?> = LockedValue(nil)

  /// Starts the TUI with exactly `environment` in a `columns` × `rows` terminal. When the TUI ends,
  /// the pane prints `TUI-EXIT <status>` and the terminal's `stty` modes, then waits. With `user`,
  /// the TUI (and the shells it opens) run as that user. With `commandLine`, that program runs
  /// instead of the TUI (e.g. `aws-runas password p`, to answer its prompts).
  init(
    environment: [String: String], directory: String, columns: Int = 80, rows: Int = 24,
    as user: UnprivilegedUser? = nil, commandLine: [String]? = nil
  ) async throws {
    let program =
      commandLine ?? [
        URL(fileURLWithPath: runAsBinary()).deletingLastPathComponent().appendingPathComponent("aws-runas-tui").path
      ]
    func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let assignments = environment.sorted { $0.key < $1.key }.map { quoted("\($0.key)=\($0.value)") }
    let env = user?.command(["/usr/bin/env"]) ?? ["/usr/bin/env"]
    scriptPath = directory + "/run-tui.sh"
    let script = """
      #!/bin/sh
      \(env.map(quoted).joined(separator: " ")) -i \(assignments.joined(separator: " ")) \(program.map(quoted).joined(separator: " "))
      echo "TUI-EXIT $?"
      echo "STTY: $(stty -a | tr ' ' '\\n' | grep -xE -- '-?(icrnl|opost|icanon|echo)' | tr '\\n' ' ')"
      exec sleep 600

      """
    try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
    chmod(scriptPath, 0o755)
    try await tmux([
      "new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", "/bin/sh " + quoted(scriptPath),
    ])
    let pids = try await tmux(["display-message", "-p", "-t", name, "#{pid} #{pane_pid}"]).split(separator: " ")
    if pids.count == 2, let server = pid_t(pids[0]),
      let pane = pid_t(pids[1].trimmingCharacters(in: .whitespacesAndNewlines))
    {
      processes.withLock { $0 = (server, pane) }
    }
    try await tmux(["set-option", "-t", name, "window-size", "manual"])
  }

  deinit {
    guard let (server, pane) = processes.withLock({ $0 }) else { return }
    // SIGKILL for the pane's process group: a TUI running a shell passes SIGTERM on to the shell,
    // and once the terminal is gone it spins instead of exiting. Tests of a clean exit quit first.
    kill(-pane, SIGKILL)
    kill(server, SIGTERM)
  }

  @discardableResult
  func tmux(_ arguments: [String]) async throws -> String {
    let command = ["tmux", "-L", socket] + arguments
    let result = try await DedicatedThread.run { try Self.spawn(command) }
    guard result.status == 0 else {
      throw HarnessError("tmux \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
    }
    return result.output
  }

  /// Runs a command with a clean signal mask and default handlers, returning its exit status and
  /// its standard output and error together.
  ///
  /// Test threads block most signals and children inherit the mask: a tmux server that cannot see
  /// SIGCHLD never notices its pane's process end. Foundation's `Process` also fails to notice
  /// tmux's client exiting after it forks the server, so this uses `posix_spawn` and `waitpid`,
  /// which block: call it on a thread of its own.
  private static func spawn(_ arguments: [String]) throws -> (status: Int32, output: String) {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { throw HarnessError("pipe: \(String(cString: strerror(errno)))") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
    posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
    posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigfillset(&defaults)
    sigdelset(&defaults, SIGKILL)
    sigdelset(&defaults, SIGSTOP)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var environment = [
      "PATH=" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "TERM=xterm-256color",
      "LANG=C.UTF-8",
    ]
    if let tmp = ProcessInfo.processInfo.environment["TMPDIR"] { environment.append("TMPDIR=" + tmp) }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
    close(pipeEnds[1])
    defer { close(pipeEnds[0]) }
    guard status == 0 else { throw HarnessError("cannot run \(arguments[0]): \(String(cString: strerror(status)))") }
    // tmux's server closes the inherited descriptors when it daemonizes, so EOF comes with the client.
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = read(pipeEnds[0], &buffer, buffer.count)
      if count > 0 {
        output += buffer[0..<count]
      } else if count < 0 && errno == EINTR {
        continue
      } else {
        break
      }
    }
    var waitStatus: Int32 = 0
    while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
    let exitStatus = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
    return (exitStatus, String(decoding: output, as: UTF8.self))
  }

  /// Sends tmux key names (`Enter`, `Escape`, `C-c`) or literal text with `literal`.
  func send(_ keys: String..., literal: Bool = false) async throws {
    try await tmux(["send-keys", "-t", name] + (literal ? ["-l"] : []) + keys)
  }

  /// The visible screen.
  func capture() async throws -> String {
    try await tmux(["capture-pane", "-p", "-t", name])
  }

  /// Captures until `condition` holds (polling every 50 ms) or `timeout` passes (long enough that
  /// only a hang trips it); throws with the last screen on timeout.
  @discardableResult
  func waitFor(
    _ description: String, timeout: Duration = .seconds(90), _ condition: (String) -> Bool
  ) async throws -> String {
    var screen = ""
    let found = try await poll(every: .milliseconds(50), timeout: timeout) { () -> String? in
      screen = try await capture()
      return condition(screen) ? screen : nil
    }
    guard let found else {
      throw HarnessError("no \(description) within \(timeout); last screen:\n\(screen)")
    }
    return found
  }

  /// Waits until the screen contains `text`.
  @discardableResult
  func waitFor(_ text: String, timeout: Duration = .seconds(90)) async throws -> String {
    try await waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
  }

  /// Resizes the terminal.
  func resize(columns: Int, rows: Int) async throws {
    try await tmux(["resize-window", "-t", name, "-x", "\(columns)", "-y", "\(rows)"])
  }

  /// The TUI's process id (the child of the pane's shell).
  func tuiProcessID() async throws -> pid_t {
    let shell = try await tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(
      in: .whitespacesAndNewlines)
    let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
    guard let first = children.split(separator: " ").first, let pid = pid_t(first) else {
      throw HarnessError("no TUI process under the pane's shell \(shell)")
    }
    return pid
  }

  /// The line of `screen` that contains `text`.
  static func line(containing text: String, in screen: String) -> String? {
    screen.split(separator: "\n").first { $0.contains(text) }.map(String.init)
  }
}

extension TUISession {
  /// Waits for the profile list, filters it to `profile` (a name no other profile contains),
  /// selects it and opens its details pane.
  func openDetails(of profile: String) async throws {
    try await waitFor("PROFILE")
    try await send("/")
    try await send(profile, literal: true)
    try await send("Enter")
    try await send("i")
  }
}

import Foundation
import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A started child process whose exit is awaited (a thread of its own waits for it), never
/// waited for on the concurrency pool.
///
/// Started with `posix_spawn` (``ChildProcess/spawn(_:_:attributes:_:_:redirect:)``: only
/// descriptors 0–2 inherited, a clean signal mask and default handlers), not Foundation's
/// `Process`: on Linux, `Process.run()` reads `/proc/self/fd` past the end of a `dirent` and
/// crashes the test process now and then (swift-corelibs-foundation #5472).
package final class SpawnedProcess: Sendable {
  private let exited = OneShot<Int32>()
  /// The process id.
  package let pid: pid_t

  /// Starts `executable` with `arguments` and exactly `environment`; its standard input, output
  /// and error are the given descriptors (`nil`: `/dev/null`), which the caller still owns.
  package init(
    _ executable: String, _ arguments: [String], environment: [String: String], stdin: Int32? = nil,
    stdout: Int32? = nil, stderr: Int32? = nil
  ) throws {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Test threads block most signals and children inherit the mask.
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigfillset(&defaults)
    sigdelset(&defaults, SIGKILL)
    sigdelset(&defaults, SIGSTOP)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var spawned: pid_t = 0
    let status = ChildProcess.spawn(&spawned, executable, attributes: &attributes, argv, envp) { actions in
      for (descriptor, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
        if let descriptor {
          posix_spawn_file_actions_adddup2(&actions, descriptor, target)
        } else {
          posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
        }
      }
    }
    guard status == 0 else {
      throw HarnessError("cannot run \(executable): \(String(cString: strerror(status)))")
    }
    pid = spawned
    let (exited, pid) = (exited, spawned)
    Thread.detachNewThread {
      switch ChildProcess.reap(pid) {
      case .exited(let code): exited.fulfil(code)
      case .signalled(let signal): exited.fulfil(128 + signal)
      }
    }
  }

  /// The exit status (128 + N for signal N, as a shell reports it) once the process has ended.
  package var exitStatus: Int32? { exited.value }

  /// The exit status, or nil when the process still runs after `timeout`.
  package func exit(within timeout: Duration) async -> Int32? {
    await exited.wait(timeout: timeout)
  }

  /// Sends SIGTERM, then SIGKILL when the process still runs after `grace`; returns its status.
  @discardableResult
  package func terminate(grace: Duration = .seconds(5)) async -> Int32 {
    if let status = exitStatus { return status }
    kill(pid, SIGTERM)
    if let status = await exit(within: grace) { return status }
    kill(pid, SIGKILL)
    // SIGKILL cannot be caught: only a process stuck in the kernel outlives this.
    return await exit(within: .seconds(60)) ?? 128 + SIGKILL
  }

  /// `terminate(grace:)` without waiting, for `deinit`s (which cannot await).
  package func terminateInBackground(grace: Duration = .seconds(5)) {
    guard exitStatus == nil else { return }
    Task.detached { [self] in await terminate(grace: grace) }
  }
}

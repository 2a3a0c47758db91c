import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A started child process whose exit is awaited (from Foundation's termination handler), never
/// waited for on a thread.
package final class SpawnedProcess: @unchecked Sendable {
  // @unchecked: `process` is configured before `run()` and only read afterwards.
  private let process: Process
  private let exited = OneShot<Int32>()

  /// Starts `process` (configured, not yet running).
  package init(_ process: Process) throws {
    self.process = process
    process.terminationHandler = { [exited] process in
      let status = process.terminationStatus
      exited.fulfil(process.terminationReason == .uncaughtSignal ? 128 + status : status)
    }
    try process.run()
  }

  /// The process id.
  package var pid: pid_t { process.processIdentifier }

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

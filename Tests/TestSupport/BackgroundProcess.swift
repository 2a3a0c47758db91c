import Foundation

/// A long-running child (a server under test, an emulator) whose stdout and stderr go to files
/// that can be read while it runs. Released, it is stopped without waiting and its files removed.
package final class BackgroundProcess: Sendable {
  /// One of the child's output streams.
  package enum Stream: String, Sendable {
    case stdout, stderr
  }

  private let child: SpawnedProcess
  /// Holds the files `stdout` and `stderr`.
  private let directory: TemporaryDirectory
  /// The write end of the child's stdin, when it watches stdin for end of file.
  private let stdinWriter: FileHandle?
  private let description: String

  /// Starts `executable` with exactly `environment`. With `holdingStdin`, the child's stdin is a
  /// pipe that stays open until `stop()` (or until the test process dies), for children that exit
  /// when their stdin closes; otherwise it is /dev/null.
  package init(
    _ executable: String, _ arguments: [String], environment: [String: String], holdingStdin: Bool = false
  ) throws {
    description = ([executable] + arguments).joined(separator: " ")
    directory = try TemporaryDirectory(prefix: "child")
    var outputs: [Stream: FileHandle] = [:]
    for stream in [Stream.stdout, .stderr] {
      let file = URL(fileURLWithPath: directory.path(stream.rawValue))
      _ = FileManager.default.createFile(atPath: file.path, contents: nil)
      outputs[stream] = try FileHandle(forWritingTo: file)
    }
    let stdinPipe = holdingStdin ? Pipe() : nil
    stdinWriter = stdinPipe?.fileHandleForWriting
    do {
      child = try SpawnedProcess(
        executable, arguments, environment: environment, stdin: stdinPipe?.fileHandleForReading.fileDescriptor,
        stdout: outputs[.stdout]?.fileDescriptor, stderr: outputs[.stderr]?.fileDescriptor)
    } catch {
      throw HarnessError("cannot start \(description): \(error)")
    }
    // The child has its own copies.
    for handle in outputs.values { try? handle.close() }
    try? stdinPipe?.fileHandleForReading.close()
  }

  deinit {
    try? stdinWriter?.close()
    child.terminateInBackground()
  }

  /// The process id.
  package var pid: Int32 { child.pid }

  /// The exit status once the process has ended.
  package var exitStatus: Int32? { child.exitStatus }

  /// What the process wrote to `stream` so far.
  package func output(_ stream: Stream) -> String {
    (try? String(contentsOfFile: directory.path(stream.rawValue), encoding: .utf8)) ?? ""
  }

  /// Polls `stream` until `find` returns a value. Throws, quoting both streams, when the process
  /// exits first or `timeout` passes.
  package func waitForOutput<T>(
    _ what: String, on stream: Stream, timeout: Duration, _ find: (String) -> T?
  ) async throws -> T {
    let found = try await poll(timeout: timeout) { () -> Result<T, HarnessError>? in
      if let found = find(output(stream)) { return .success(found) }
      if let status = exitStatus { return .failure(failure("exited with status \(status) before \(what)")) }
      return nil
    }
    guard let found else { throw failure("did not print \(what) within \(timeout)") }
    return try found.get()
  }

  /// The exit status, or nil when the process still runs after `timeout`.
  package func exit(within timeout: Duration) async -> Int32? {
    await child.exit(within: timeout)
  }

  /// Closes its stdin, sends SIGTERM (SIGKILL after `grace`) and returns the exit status.
  @discardableResult
  package func stop(grace: Duration = .seconds(5)) async -> Int32 {
    try? stdinWriter?.close()
    if let status = await child.exit(within: stdinWriter == nil ? .zero : .seconds(2)) { return status }
    return await child.terminate(grace: grace)
  }

  private func failure(_ reason: String) -> HarnessError {
    HarnessError(
      "\(description) \(reason)\n--- stdout ---\n\(output(.stdout))\n--- stderr ---\n\(output(.stderr))")
  }
}

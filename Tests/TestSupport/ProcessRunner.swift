import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Outcome of one finished child process.
package struct ProcessResult: Sendable, Equatable {
  /// Exit status; a child killed by signal N reports 128 + N, as a shell would.
  package var exitCode: Int32
  /// What it wrote to stdout.
  package var stdout: String
  /// What it wrote to stderr.
  package var stderr: String

  /// The outcome `exitCode`, `stdout` and `stderr`.
  package init(exitCode: Int32, stdout: String, stderr: String) {
    self.exitCode = exitCode
    self.stdout = stdout
    self.stderr = stderr
  }

  /// Exit code, stdout and stderr together, for assertion messages.
  package func output() -> String {
    "exit \(exitCode)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
  }
}

/// A failure of the test harness itself (not of the program under test).
package struct HarnessError: Error, CustomStringConvertible, Sendable {
  /// What went wrong.
  package let description: String
  /// The error saying `description`.
  package init(_ description: String) { self.description = description }
}

/// Runs `executable` with exactly `environment` (nothing inherited), feeds it `stdin`
/// (or /dev/null when nil) and collects stdout and stderr concurrently, so output of any
/// size cannot deadlock. A child still running after `timeout` (long enough that only a hang
/// trips it) is killed and the call throws, quoting what it printed so far.
package func run(
  _ executable: String,
  _ args: [String],
  environment: [String: String],
  stdin: String? = nil,
  timeout: Duration = .seconds(120)
) async throws -> ProcessResult {
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    throw HarnessError(
      "no executable at \(executable) (build it first, or set RUNAS_BIN_DIR to its directory)")
  }
  _ = ignoreSIGPIPE

  let stdoutPipe = Pipe()
  let stderrPipe = Pipe()
  let stdinPipe = stdin.map { _ in Pipe() }
  let child = try SpawnedProcess(
    executable, args, environment: environment, stdin: stdinPipe?.fileHandleForReading.fileDescriptor,
    stdout: stdoutPipe.fileHandleForWriting.fileDescriptor, stderr: stderrPipe.fileHandleForWriting.fileDescriptor)
  // The child has its own copies: end of file comes when it (and whatever it started) is done.
  try? stdoutPipe.fileHandleForWriting.close()
  try? stderrPipe.fileHandleForWriting.close()
  try? stdinPipe?.fileHandleForReading.close()

  let started = ContinuousClock.now
  let stdoutReader = PipeReader(stdoutPipe.fileHandleForReading)
  let stderrReader = PipeReader(stderrPipe.fileHandleForReading)
  if let stdinPipe, let stdin {
    let writer = stdinPipe.fileHandleForWriting
    let data = Data(stdin.utf8)
    Thread.detachNewThread {
      // The child may exit without reading; EPIPE is not our failure.
      try? writer.write(contentsOf: data)
      try? writer.close()
    }
  }

  func output() -> String {
    "\n--- stdout ---\n\(stdoutReader.text)\n--- stderr ---\n\(stderrReader.text)"
  }

  guard let status = await child.exit(within: timeout) else {
    await child.terminate(grace: .seconds(2))
    _ = await stdoutReader.finished(within: .seconds(2))
    _ = await stderrReader.finished(within: .seconds(2))
    throw HarnessError(
      "\(executable) \(args.joined(separator: " ")) did not finish within \(timeout); killed it\(output())")
  }
  // Output ends when every holder of the pipes is gone; a background grandchild may keep them.
  let readTimeout = max(.seconds(5), timeout - (ContinuousClock.now - started))
  guard await stdoutReader.finished(within: readTimeout), await stderrReader.finished(within: readTimeout) else {
    throw HarnessError(
      "\(executable) exited, but its stdout/stderr stayed open (a background child still holds them)\(output())")
  }
  return ProcessResult(exitCode: status, stdout: stdoutReader.text, stderr: stderrReader.text)
}

/// `run` for an argument vector whose first element is the executable.
package func run(
  _ command: [String], environment: [String: String], stdin: String? = nil, timeout: Duration = .seconds(120)
) async throws -> ProcessResult {
  try await run(command[0], Array(command.dropFirst()), environment: environment, stdin: stdin, timeout: timeout)
}

/// Reads one pipe to its end on a thread of its own.
private final class PipeReader: Sendable {
  private let data = LockedValue(Data())
  private let done = OneShot<Void>()

  init(_ handle: FileHandle) {
    Thread.detachNewThread { [data, done] in
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        data.withLock { $0.append(chunk) }
      }
      done.fulfil(())
    }
  }

  /// Whether the pipe reached end of file within `timeout`.
  func finished(within timeout: Duration) async -> Bool {
    await done.wait(timeout: timeout) != nil
  }

  var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}

/// Writing to a pipe whose reader has exited must fail with EPIPE, not kill the test process.
private let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

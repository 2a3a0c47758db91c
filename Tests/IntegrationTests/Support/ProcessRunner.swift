import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Outcome of one finished child process.
struct ProcessResult: Sendable, Equatable {
  /// Exit status; a child killed by signal N reports 128 + N, as a shell would.
  var exitCode: Int32
  var stdout: String
  var stderr: String
}

/// A failure of the test harness itself (not of the program under test).
struct HarnessError: Error, CustomStringConvertible, Sendable {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs `executable` with exactly `environment` (nothing inherited), feeds it `stdin`
/// (or /dev/null when nil) and collects stdout and stderr concurrently, so output of any
/// size cannot deadlock. A child still running after `timeout` is killed and the call throws,
/// quoting what it printed so far.
func run(
  _ executable: String,
  _ args: [String],
  environment: [String: String],
  stdin: String? = nil,
  timeout: Duration = .seconds(60)
) throws -> ProcessResult {
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    throw HarnessError(
      "no executable at \(executable) (build it first, or set RUNAS_BIN_DIR to its directory)")
  }
  _ = ignoreSIGPIPE

  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = args
  process.environment = environment
  let stdoutPipe = Pipe()
  let stderrPipe = Pipe()
  let stdinPipe = stdin.map { _ in Pipe() }
  process.standardOutput = stdoutPipe
  process.standardError = stderrPipe
  process.standardInput = stdinPipe ?? FileHandle.nullDevice
  let exited = DispatchSemaphore(value: 0)
  process.terminationHandler = { _ in exited.signal() }
  try process.run()

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

  if exited.wait(timeout: .now() + timeout.timeInterval) == .timedOut {
    process.terminate()
    if exited.wait(timeout: .now() + 2) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      exited.wait()
    }
    _ = stdoutReader.wait(until: .now() + 2)
    _ = stderrReader.wait(until: .now() + 2)
    throw HarnessError(
      "\(executable) \(args.joined(separator: " ")) did not finish within \(timeout); killed it\(output())")
  }
  // Output ends when every holder of the pipes is gone; a background grandchild may keep them.
  let readDeadline = DispatchTime.now() + max(5, (timeout - (ContinuousClock.now - started)).timeInterval)
  guard stdoutReader.wait(until: readDeadline), stderrReader.wait(until: readDeadline) else {
    throw HarnessError(
      "\(executable) exited, but its stdout/stderr stayed open (a background child still holds them)\(output())")
  }

  var status = process.terminationStatus
  if process.terminationReason == .uncaughtSignal { status += 128 }
  return ProcessResult(exitCode: status, stdout: stdoutReader.text, stderr: stderrReader.text)
}

/// Path of the built `aws-runas`: `$RUNAS_BIN_DIR/aws-runas` if set, else next to the running
/// test binary (SwiftPM puts test bundles and executables in the same products directory).
func runAsBinary() -> String {
  if let dir = ProcessInfo.processInfo.environment["RUNAS_BIN_DIR"], !dir.isEmpty {
    return URL(fileURLWithPath: dir).appendingPathComponent("aws-runas").path
  }
  #if os(Linux)
    let testBinary =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    let productsDir = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
  #else
    // On macOS the tests run inside a host tool; the .xctest bundle sits in the products dir.
    let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") } ?? Bundle.main
    let productsDir = bundle.bundleURL.deletingLastPathComponent()
  #endif
  return productsDir.appendingPathComponent("aws-runas").path
}

/// Reads one pipe to its end on a dedicated thread.
private final class PipeReader: Sendable {
  private let data = LockedValue(Data())
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    Thread.detachNewThread { [data, done] in
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        data.withLock { $0.append(chunk) }
      }
      done.signal()
    }
  }

  /// Whether the pipe reached end of file before `deadline`.
  func wait(until deadline: DispatchTime) -> Bool {
    guard done.wait(timeout: deadline) == .success else { return false }
    done.signal()  // keep it signalled for later callers
    return true
  }

  var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}

/// A value shared between threads, guarded by a lock.
final class LockedValue<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) { self.value = value }

  func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}

/// Writing to a pipe whose reader has exited must fail with EPIPE, not kill the test process.
private let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

extension Duration {
  var timeInterval: TimeInterval {
    let (seconds, attoseconds) = components
    return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
  }
}

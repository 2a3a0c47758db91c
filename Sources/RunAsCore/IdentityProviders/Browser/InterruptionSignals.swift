import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ctrl-C (and SIGTERM, SIGHUP) while the browser is open: the browser runs in a process group
/// of its own, so the signal reaches only aws-runas, which would die and leave the browser and
/// its profile behind. While ``cancelling(_:)`` runs, such a signal cancels the work instead (the
/// browser is ended, its profile removed); then the handlers from before are restored and the
/// signal raised again, so the process ends as it would have (or the TUI's handler sees it).
enum InterruptionSignals {
  /// The signals handled.
  static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]
  /// The pipe the handler writes the signal number to (read by a thread of its own).
  nonisolated(unsafe) fileprivate static var wakeDescriptor: Int32 = -1
  private static let isWatching = Atomic<Bool>(false)

  private enum Ending<Value: Sendable>: Sendable {
    case finished(Result<Value, any Error>)
    case signalled(Int32)
  }

  /// Runs `work`; a handled signal meanwhile cancels it and is raised again once it has ended.
  static func cancelling<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
    // One watch at a time (one browser sign-in at a time); a nested one just runs.
    guard isWatching.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
      return try await work()
    }
    defer { isWatching.store(false, ordering: .releasing) }
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return try await work() }
    let (readEnd, writeEnd) = (ends[0], ends[1])
    for end in [readEnd, writeEnd] { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    wakeDescriptor = writeEnd
    let previous = SignalHandlers.install(wakeOnSignal, for: handled)

    let (result, signal) = await withTaskGroup(of: Ending<Value>.self) { group in
      group.addTask {
        do { return .finished(.success(try await work())) } catch { return .finished(.failure(error)) }
      }
      group.addTask {
        let number = (try? await DedicatedThread.run { readSignal(from: readEnd) }) ?? 0
        return .signalled(number)
      }
      var result: Result<Value, any Error> = .failure(CancellationError())
      var signal: Int32 = 0
      while let ending = await group.next() {
        switch ending {
        case .finished(let outcome):
          result = outcome
          if signal == 0 {
            // Wake the reader: 0 is no signal.
            var zero: UInt8 = 0
            _ = write(writeEnd, &zero, 1)
          }
        case .signalled(let number):
          signal = number
          if number != 0 { group.cancelAll() }
        }
      }
      return (result, signal)
    }

    wakeDescriptor = -1
    SignalHandlers.restore(previous)
    close(readEnd)
    close(writeEnd)
    if signal != 0 {
      raise(signal)
      throw CancellationError()
    }
    return try result.get()
  }

  /// Blocks until a byte arrives: the signal's number, or 0 to stop.
  private static func readSignal(from descriptor: Int32) -> Int32 {
    var byte: UInt8 = 0
    while true {
      let count = read(descriptor, &byte, 1)
      if count == 1 { return Int32(byte) }
      if count < 0 && errno == EINTR { continue }
      return 0
    }
  }
}

/// The handler: async-signal-safe, it only writes the signal's number to the pipe.
private func wakeOnSignal(
  _ number: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?
) {
  var byte = UInt8(truncatingIfNeeded: number)
  _ = write(InterruptionSignals.wakeDescriptor, &byte, 1)
}

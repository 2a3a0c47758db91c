/// The error of ``withTimeout(_:_:)`` when the time runs out.
struct TimeoutExceeded: Error, Sendable {
  /// The time that was allowed.
  let timeout: Duration
}

/// Runs `operation` for at most `timeout`: when the time runs out first, `operation` is cancelled
/// and ``TimeoutExceeded`` is thrown.
///
/// This bounds the whole of `operation`, however it spends its time (connecting, waiting for a
/// response, reading a body one byte at a time); `operation` must stop when cancelled.
func withTimeout<T: Sendable>(
  _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask { try await operation() }
    group.addTask {
      try await Task.sleep(for: timeout)
      return nil
    }
    defer { group.cancelAll() }
    // The first child to finish decides; `nil` is the timer.
    guard let first = try await group.next(), let value = first else {
      try Task.checkCancellation()
      throw TimeoutExceeded(timeout: timeout)
    }
    return value
  }
}

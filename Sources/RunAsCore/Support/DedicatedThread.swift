/// Runs blocking work (a read from the terminal, a DNS look-up, a `recv` with a timeout) on a
/// thread of its own, so it never holds one of the few threads of Swift's cooperative pool.
///
/// With two cores the pool has two threads: one task blocked in `read(2)` while the user types
/// halves it, two stop every other task, the credential endpoint's included.
package enum DedicatedThread {
  /// Runs `body` on a new thread and returns (or throws) what it did, suspending the caller
  /// meanwhile.
  package static func run<Value: Sendable>(
    _ body: @escaping @Sendable () throws -> Value
  ) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
      let work: @Sendable () -> Void = { continuation.resume(with: Result { try body() }) }
      // No thread to be had: run it here rather than fail the user's request.
      if !Platform.detachThread(work) { work() }
    }
  }
}

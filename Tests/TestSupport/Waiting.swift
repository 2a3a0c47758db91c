import Foundation

// Swift Testing runs every test on the cooperative pool, which can be one thread. Nothing here
// blocks a pool thread: waits suspend, and blocking system calls run on threads of their own
// (RunAsCore's `DedicatedThread.run`).

/// A value that arrives once (a process exit, a pipe's end of file), awaited by any number of
/// tasks without holding a thread.
package final class OneShot<Value: Sendable>: Sendable {
  private struct State {
    var value: Value?
    var waiters: [UInt64: CheckedContinuation<Value?, Never>] = [:]
    /// Waits given up (timed out or cancelled) before their continuation was registered.
    var abandoned: Set<UInt64> = []
    var lastID: UInt64 = 0
  }
  private let state = LockedValue(State())

  /// Nothing yet.
  package init() {}

  /// The value, if it has arrived.
  package var value: Value? { state.withLock { $0.value } }

  /// Delivers the value to every waiter; later calls are ignored.
  package func fulfil(_ value: Value) {
    let waiters = state.withLock { state -> [CheckedContinuation<Value?, Never>] in
      guard state.value == nil else { return [] }
      state.value = value
      defer { state.waiters = [:] }
      return Array(state.waiters.values)
    }
    for waiter in waiters { waiter.resume(returning: value) }
  }

  /// The value, or nil when `timeout` passes or the task is cancelled first.
  package func wait(timeout: Duration) async -> Value? {
    if let value { return value }
    let id = state.withLock { state in
      state.lastID += 1
      return state.lastID
    }
    let timer = Task { [self] in
      guard (try? await Task.sleep(for: timeout)) != nil else { return }
      abandon(id)
    }
    defer { timer.cancel() }
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let now: Value?? = state.withLock { state in
          if let value = state.value { return .some(value) }
          if state.abandoned.remove(id) != nil { return .some(nil) }
          state.waiters[id] = continuation
          return nil
        }
        if let now { continuation.resume(returning: now) }
      }
    } onCancel: {
      abandon(id)
    }
  }

  private func abandon(_ id: UInt64) {
    let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
      if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
      if state.value == nil { state.abandoned.insert(id) }
      return nil
    }
    waiter?.resume(returning: nil)
  }
}

/// Calls `probe` every `interval` (sleeping in between, not blocking) until it returns a value;
/// nil when `timeout` passes first. Callers report the last state they saw.
package func poll<T>(
  every interval: Duration = .milliseconds(20), timeout: Duration, _ probe: () async throws -> T?
) async throws -> T? {
  let deadline = ContinuousClock.now + timeout
  while true {
    if let found = try await probe() { return found }
    guard ContinuousClock.now < deadline else { return nil }
    try await Task.sleep(for: interval)
  }
}

/// A value shared between threads, guarded by a lock.
package final class LockedValue<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  /// Guards `value`.
  package init(_ value: Value) { self.value = value }

  /// Runs `body` with the value, holding the lock.
  package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}

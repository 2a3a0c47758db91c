#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

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
      let work = Work {
        continuation.resume(with: Result { try body() })
      }
      let context = Unmanaged.passRetained(work).toOpaque()
      #if canImport(Darwin)
        var thread: pthread_t?
      #else
        var thread = pthread_t()
      #endif
      let created = pthread_create(
        &thread, nil,
        { context in
          #if canImport(Darwin)
            let work = Unmanaged<Work>.fromOpaque(context).takeRetainedValue()
          #else
            let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
          #endif
          work.body()
          return nil
        }, context)
      if created == 0 {
        #if canImport(Darwin)
          if let thread { pthread_detach(thread) }
        #else
          pthread_detach(thread)
        #endif
      } else {
        // No thread to be had: run it here rather than fail the user's request.
        Unmanaged<Work>.fromOpaque(context).release()
        work.body()
      }
    }
  }

  private final class Work: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
}

import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Waits for SIGINT, SIGTERM or SIGQUIT.
func waitForTerminationSignal() async {
  let signals = [SIGINT, SIGTERM, SIGQUIT]
  for number in signals { signal(number, SIG_IGN) }
  let fired = SignalLatch()
  await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    let sources = signals.map { number in
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        if fired.fire() { continuation.resume() }
      }
      source.resume()
      return source
    }
    fired.keep(sources)
  }
}

/// Makes sure a continuation is resumed once, and keeps the signal sources alive.
private final class SignalLatch: @unchecked Sendable {
  // @unchecked: every access holds `lock`.
  private let lock = DispatchSemaphore(value: 1)
  private var done = false
  private var sources: [any DispatchSourceSignal] = []

  func fire() -> Bool {
    lock.wait()
    defer { lock.signal() }
    if done { return false }
    done = true
    return true
  }

  func keep(_ sources: [any DispatchSourceSignal]) {
    lock.wait()
    self.sources = sources
    lock.signal()
  }
}

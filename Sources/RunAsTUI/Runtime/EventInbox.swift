import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where background work posts its results for the input loop, with a self-pipe that wakes the
/// loop's `poll` at once. Signal handlers use the same pipe.
public final class EventInbox: Sendable {
  private let pending = Mutex<[Event]>([])
  /// The read end, polled by the loop.
  public let wakeDescriptor: Int32
  private let writeDescriptor: Int32

  /// Creates the inbox and its pipe.
  public init() throws {
    var descriptors: [Int32] = [0, 0]
    guard pipe(&descriptors) == 0 else {
      throw TerminalError(message: "cannot create a pipe: \(String(cString: strerror(errno)))")
    }
    // Not inherited by launched shells; never blocks the loop or a signal handler.
    for descriptor in descriptors {
      _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
      _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }
    wakeDescriptor = descriptors[0]
    writeDescriptor = descriptors[1]
  }

  deinit {
    close(wakeDescriptor)
    close(writeDescriptor)
  }

  /// Queues `event` and wakes the loop.
  public func post(_ event: Event) {
    pending.withLock { $0.append(event) }
    wake()
  }

  /// Wakes the loop without an event.
  public func wake() {
    var byte: UInt8 = 1
    _ = write(writeDescriptor, &byte, 1)
  }

  /// Takes every queued event and empties the wake pipe.
  public func drain() -> [Event] {
    var buffer = [UInt8](repeating: 0, count: 64)
    while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
    return pending.withLock { events in
      defer { events.removeAll() }
      return events
    }
  }

  /// The write end, for signal handlers.
  var signalDescriptor: Int32 { writeDescriptor }
}

/// Signals the loop reacts to: window size changes, and the ones that must end the program with
/// the terminal restored. The handlers only set a flag and write a byte (async-signal-safe).
enum SignalFlags {
  static let resized = Atomic<Bool>(false)
  static let terminate = Atomic<Int32>(0)
  nonisolated(unsafe) static var wakeDescriptor: Int32 = -1

  static func install(wakeDescriptor: Int32) {
    Self.wakeDescriptor = wakeDescriptor
    // A parent may have left these blocked (the mask is inherited); the terminal must be restored
    // whatever started us.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for number in [SIGWINCH, SIGTERM, SIGINT, SIGHUP] { sigaddset(&unblock, number) }
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    signal(SIGWINCH) { _ in
      SignalFlags.resized.store(true, ordering: .relaxed)
      var byte: UInt8 = 2
      _ = write(SignalFlags.wakeDescriptor, &byte, 1)
    }
    for number in [SIGTERM, SIGINT, SIGHUP] {
      signal(number) { number in
        SignalFlags.terminate.store(number, ordering: .relaxed)
        var byte: UInt8 = 3
        _ = write(SignalFlags.wakeDescriptor, &byte, 1)
      }
    }
  }
}

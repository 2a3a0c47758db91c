#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The C library calls whose names or shapes differ between Linux (Glibc, Musl) and macOS
/// (Darwin), in one place: the rest of the engine calls these instead of spelling out a C
/// library's module name or a platform's field names.
package enum Platform {}

// MARK: Reading and writing descriptors

extension Platform {
  /// `read(2)`: up to `count` bytes from `descriptor` into `buffer`; the count read, 0 at the end
  /// of the file, -1 with `errno` set.
  ///
  /// A function of its own because types with a `read` of their own (``POSIXFile``) would have
  /// to name the C library's module to reach this one.
  @inline(__always)
  package static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
      Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
      Musl.read(descriptor, buffer, count)
    #elseif canImport(Darwin)
      Darwin.read(descriptor, buffer, count)
    #endif
  }

  /// `write(2)`: up to `count` bytes of `buffer` to `descriptor`; the count written, or -1 with
  /// `errno` set.
  @inline(__always)
  package static func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
      Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
      Musl.write(descriptor, buffer, count)
    #elseif canImport(Darwin)
      Darwin.write(descriptor, buffer, count)
    #endif
  }
}

// MARK: File status

extension Platform {
  /// The modification time in `status`, in seconds since 1970 (`st_mtim` on Linux,
  /// `st_mtimespec` on Darwin).
  package static func modificationTime(of status: stat) -> Double {
    #if canImport(Darwin)
      let time = status.st_mtimespec
    #else
      let time = status.st_mtim
    #endif
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}

// MARK: Threads

extension Platform {
  /// Starts `body` on a new, detached POSIX thread; `false` (and `body` not run) when no thread
  /// can be had.
  package static func detachThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    // `pthread_t` is an optional pointer on Darwin and an integer on Linux; the start routine's
    // argument is optional on Linux only.
    #if canImport(Darwin)
      var thread: pthread_t?
    #else
      var thread = pthread_t()
    #endif
    let created = pthread_create(
      &thread, nil,
      { context in
        #if canImport(Darwin)
          Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
        #else
          Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
        #endif
        return nil
      }, context)
    guard created == 0 else {
      Unmanaged<ThreadBody>.fromOpaque(context).release()
      return false
    }
    #if canImport(Darwin)
      if let thread { pthread_detach(thread) }
    #else
      pthread_detach(thread)
    #endif
    return true
  }

  private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
}

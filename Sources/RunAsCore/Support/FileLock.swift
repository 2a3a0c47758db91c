#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a lock file beside the file it protects.
///
/// Cache files are replaced by rename, so the lock lives in a separate, stable `<file>.lock` file.
/// Locks taken through separate `FileLock` values conflict with each other even inside one process,
/// because each holds its own open file description.
public struct FileLock: Sendable {
  /// The lock file's path.
  public let path: String

  /// The error raised when the lock cannot be taken.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    /// The lock file's path.
    public let path: String
    /// Why it failed.
    public let reason: String
    /// One line naming the lock file and the reason.
    public var description: String { "cannot lock \(path): \(reason)" }
  }

  /// A lock for `protectedPath`, kept in `protectedPath + ".lock"`.
  public init(protecting protectedPath: String) {
    self.path = protectedPath + ".lock"
  }

  /// Runs `body` while holding the lock, waiting up to `timeout` for another holder to finish.
  ///
  /// Waiting polls without blocking a thread, so other tasks keep running; the lock is released
  /// however `body` ends, and by the kernel if the process dies.
  public func withLock<T: Sendable>(
    timeout: Duration = .seconds(600),
    _ body: () async throws -> T
  ) async throws -> T {
    try POSIXFile.makeDirectories(POSIXFile.directoryName(path))
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw Failure(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var pause = Duration.milliseconds(2)
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR else {
        throw Failure(path: path, reason: String(cString: strerror(errno)))
      }
      if clock.now >= deadline {
        throw Failure(path: path, reason: "another aws-runas still holds it after \(timeout)")
      }
      try await Task.sleep(for: pause)
      pause = min(pause * 2, .milliseconds(100))
    }
    defer { flock(fd, LOCK_UN) }
    return try await body()
  }
}

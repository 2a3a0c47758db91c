#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
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
  /// The lock file's directory must exist.
  ///
  /// Waiting polls without blocking a thread, so other tasks keep running; the lock is released
  /// however `body` ends, and by the kernel if the process dies.
  public func withLock<T: Sendable>(
    timeout: Duration = .seconds(600),
    _ body: () async throws -> T
  ) async throws -> T {
    // Never through a symbolic link: a dangling one would create a file wherever it points.
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o600)
    guard fd >= 0 else {
      let code = errno
      if code == ELOOP { throw Failure(path: path, reason: "it is a symbolic link; remove it") }
      throw Failure(path: path, reason: String(cString: strerror(code)))
    }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0, Int(status.st_mode) & Int(S_IFMT) == Int(S_IFREG) else {
      throw Failure(path: path, reason: "it is not a regular file; remove it")
    }
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

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small POSIX file operations the engine needs on its hot paths, without Foundation's file APIs.
///
/// Everything here works on paths and raw bytes so that the cached-credential path stays a handful
/// of system calls.
package enum POSIXFile {
  /// The error of a failed file operation: the operation, the path and the `errno` text (or a
  /// reason of its own, such as a size limit).
  package struct Failure: Error, Sendable, CustomStringConvertible {
    /// What was being done, e.g. `write`.
    package let operation: String
    /// The file the operation was on.
    package let path: String
    /// The `errno` value; 0 when ``reason`` says what went wrong.
    package let code: Int32
    /// Why it failed, when that is not an `errno`.
    package let reason: String?

    /// A failure with an `errno` value.
    package init(operation: String, path: String, code: Int32) {
      self.operation = operation
      self.path = path
      self.code = code
      self.reason = nil
    }

    /// A failure for a reason in words.
    package init(operation: String, path: String, reason: String) {
      self.operation = operation
      self.path = path
      self.code = 0
      self.reason = reason
    }

    /// One line naming the operation, the path and the reason.
    package var description: String {
      "cannot \(operation) \(path): \(reason ?? String(cString: strerror(code)))"
    }
  }

  /// The most ``read(_:limit:waitingAtMost:)`` reads unless told otherwise.
  package static let defaultReadLimit = 4 * 1024 * 1024

  /// Reads a whole file of at most `limit` bytes; `nil` when it does not exist.
  ///
  /// Anything that is not a regular file is read with care: a directory is an error, a device
  /// such as `/dev/zero` stops at `limit`, and a FIFO that yields nothing for `wait` is an error
  /// instead of a hang. `/dev/null` reads as empty.
  package static func read(
    _ path: String, limit: Int = defaultReadLimit, waitingAtMost wait: Duration = .seconds(5)
  ) throws(Failure) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0 {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw Failure(operation: "read", path: path, code: errno)
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw Failure(operation: "read", path: path, code: errno) }
    // Int conversions because mode_t and the S_IF* constants differ in width across platforms.
    let type = Int(st.st_mode) & Int(S_IFMT)
    if type == Int(S_IFDIR) { throw Failure(operation: "read", path: path, reason: "it is a directory") }
    func tooLarge() -> Failure {
      Failure(operation: "read", path: path, reason: "it is larger than \(describeSize(limit))")
    }
    let expectedSize = type == Int(S_IFREG) ? Int(st.st_size) : 0
    if expectedSize > limit { throw tooLarge() }
    // The bytes are read straight into the array (nothing cleared or copied, no large buffer on
    // the stack, whose every page a stack probe would touch), sized one byte past `fstat`'s size
    // so the end of a regular file shows in the same buffer; devices and FIFOs (size 0) start at
    // 4 KiB and double, never past one byte more than `limit`.
    var bytes: [UInt8] = []
    var capacity = min(max(expectedSize + 1, 4096), limit + 1)
    var deadline: ContinuousClock.Instant?
    while true {
      var ended = false
      var failure: Int32 = 0
      let chunk = [UInt8](unsafeUninitializedCapacity: capacity - bytes.count) { buffer, filled in
        while filled < buffer.count {
          let count = Platform.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
          if count > 0 {
            filled += count
          } else if count == 0 {
            ended = true
            return
          } else if errno != EINTR {
            failure = errno
            return
          }
        }
      }
      if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
      if bytes.count > limit { throw tooLarge() }
      if ended { return bytes }
      if failure == EAGAIN || failure == EWOULDBLOCK {
        // A FIFO or socket whose writer has not written yet.
        let clock = ContinuousClock()
        let end = deadline ?? clock.now.advanced(by: wait)
        deadline = end
        let left = clock.now.duration(to: end)
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = max(
          0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        if left > .zero, poll(&poller, 1, Int32(min(milliseconds, 60_000))) != 0 { continue }
        throw Failure(
          operation: "read", path: path, reason: "nothing to read within \(wait) (a FIFO nobody writes to?)")
      }
      if failure != 0 { throw Failure(operation: "read", path: path, code: failure) }
      capacity = min(capacity * 2, limit + 1)
    }
  }

  /// Reads a whole file as UTF-8 text; `nil` when it does not exist. Same limits as
  /// ``read(_:limit:waitingAtMost:)``.
  package static func readText(_ path: String, limit: Int = defaultReadLimit) throws(Failure) -> String? {
    guard let bytes = try read(path, limit: limit) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `4 MiB`, `64 KiB` or `100 bytes`.
  static func describeSize(_ bytes: Int) -> String {
    if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
    if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
    return "\(bytes) bytes"
  }

  /// Whether a path exists (any file type).
  package static func exists(_ path: String) -> Bool {
    access(path, F_OK) == 0
  }

  /// Creates a directory and its parents with the given mode; existing directories are fine.
  package static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(Failure) {
    if path.isEmpty || exists(path) { return }
    let parent = directoryName(path)
    if parent != path { try makeDirectories(parent, mode: mode) }
    try makeDirectory(path, mode: mode)
  }

  /// Creates one directory (not its parents) with the given mode; an existing one is fine.
  package static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(Failure) {
    if mkdir(path, mode) != 0 && errno != EEXIST {
      throw Failure(operation: "create directory", path: path, code: errno)
    }
  }

  /// Replaces `path` atomically with `bytes`: a private temporary file in the same directory is
  /// written with `mode` from the start, flushed, then renamed over the target. The directory
  /// must exist; nothing is created but the file.
  ///
  /// A reader sees either the old file or the new one, never a partial write, and the content is
  /// never readable by others, not even for an instant. Temporary files that an interrupted
  /// earlier write of `path` left behind are removed first, so callers must not write the same
  /// path concurrently (the cache and the credentials file writers hold its lock).
  package static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure) {
    removeTemporaryFiles(of: path)
    let (fd, tempPath) = try createTemporaryFile(for: path, mode: mode)
    var succeeded = false
    defer {
      if !succeeded { unlink(tempPath) }
    }
    guard fchmod(fd, mode) == 0 else {
      let code = errno
      close(fd)
      throw Failure(operation: "set permissions on", path: tempPath, code: code)
    }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        let code = errno
        close(fd)
        throw Failure(operation: "write", path: tempPath, code: code)
      }
      offset += n
    }
    if fsync(fd) != 0 {
      let code = errno
      close(fd)
      throw Failure(operation: "flush", path: tempPath, code: code)
    }
    close(fd)
    if rename(tempPath, path) != 0 { throw Failure(operation: "replace", path: path, code: errno) }
    succeeded = true
  }

  /// The end of a temporary file's name, after `_` and six random characters.
  private static let temporarySuffix = ".tmp"

  /// Creates `<path>_XXXXXX.tmp` exclusively, close-on-exec, never through a symbolic link.
  /// (`mkostemps`, which does the same, is not exported to Swift.)
  private static func createTemporaryFile(for path: String, mode: mode_t) throws(Failure) -> (Int32, String) {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<100 {
      let random = String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
      let candidate = path + "_" + random + temporarySuffix
      let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
      if fd >= 0 { return (fd, candidate) }
      if errno != EEXIST { throw Failure(operation: "create a temporary file for", path: path, code: errno) }
    }
    throw Failure(operation: "create a temporary file for", path: path, code: EEXIST)
  }

  /// Removes `<path>_XXXXXX.tmp` files: what a write killed between creating its temporary file
  /// and renaming it leaves, with the secret it was writing inside.
  static func removeTemporaryFiles(of path: String) {
    let directory = directoryName(path)
    let prefix = (path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path) + "_"
    let expectedLength = prefix.utf8.count + 6 + temporarySuffix.utf8.count
    for name in entries(ofDirectory: directory) ?? []
    where name.utf8.count == expectedLength && name.hasPrefix(prefix) && name.hasSuffix(temporarySuffix) {
      unlink(directory + "/" + name)
    }
  }

  /// The names in a directory (without `.` and `..`), or `nil` when it cannot be read.
  package static func entries(ofDirectory path: String) -> [String]? {
    guard let stream = opendir(path) else { return nil }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Removes a file; a missing file is not an error.
  package static func remove(_ path: String) throws(Failure) {
    if unlink(path) != 0 && errno != ENOENT { throw Failure(operation: "remove", path: path, code: errno) }
  }

  /// The permission bits of a file, or `nil` when it does not exist.
  package static func permissions(_ path: String) -> mode_t? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return st.st_mode & 0o7777
  }

  /// The modification time of a file in seconds since 1970, or `nil` when it does not exist.
  package static func modificationTime(_ path: String) -> Double? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return Platform.modificationTime(of: st)
  }

  /// The directory part of a path (`.` for a bare name).
  package static func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
  }
}

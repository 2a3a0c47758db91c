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
public enum POSIXFile {
  /// The error of a failed file operation: the operation, the path and the `errno` text.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    /// What was being done, e.g. `write`.
    public let operation: String
    /// The file the operation was on.
    public let path: String
    /// The `errno` value.
    public let code: Int32

    /// One line naming the operation, the path and the reason.
    public var description: String {
      "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
  }

  /// Reads a whole file; `nil` when it does not exist.
  public static func read(_ path: String) throws(Failure) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw Failure(operation: "read", path: path, code: errno)
    }
    defer { close(fd) }
    var st = stat()
    let expectedSize = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    guard let bytes = readAll(fd, expectedSize: expectedSize) else {
      throw Failure(operation: "read", path: path, code: errno)
    }
    return bytes
  }

  /// Reads `fd` to its end; `nil` on a read error (`errno` says which).
  ///
  /// `expectedSize` (from `fstat`; 0 for files such as those in `/proc` that do not know it)
  /// sizes the buffer, which the file's bytes are read straight into: nothing is cleared or
  /// copied, and no large buffer on the stack (whose every page a stack probe would touch).
  static func readAll(_ fd: Int32, expectedSize: Int) -> [UInt8]? {
    var bytes: [UInt8] = []
    // One more than expected, so the end of the file shows without a second buffer.
    var capacity = max(expectedSize + 1, 4096)
    while true {
      var failed = false
      let chunk = [UInt8](unsafeUninitializedCapacity: capacity - bytes.count) { buffer, filled in
        while filled < buffer.count {
          let count = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
          if count < 0 && errno == EINTR { continue }
          if count < 0 { failed = true }
          if count <= 0 { return }
          filled += count
        }
      }
      if failed { return nil }
      if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
      if bytes.count < capacity { return bytes }
      capacity *= 2
    }
  }

  /// Reads a whole file as UTF-8 text; `nil` when it does not exist.
  public static func readText(_ path: String) throws(Failure) -> String? {
    guard let bytes = try read(path) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Whether a path exists (any file type).
  public static func exists(_ path: String) -> Bool {
    access(path, F_OK) == 0
  }

  /// Creates a directory and its parents with the given mode; existing directories are fine.
  public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(Failure) {
    if path.isEmpty || exists(path) { return }
    let parent = directoryName(path)
    if parent != path { try makeDirectories(parent, mode: mode) }
    if mkdir(path, mode) != 0 && errno != EEXIST {
      throw Failure(operation: "create directory", path: path, code: errno)
    }
  }

  /// Replaces `path` atomically with `bytes`: a private temporary file in the same directory is
  /// written with `mode` from the start, flushed, then renamed over the target.
  ///
  /// A reader sees either the old file or the new one, never a partial write, and the content is
  /// never readable by others, not even for an instant.
  public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure) {
    let directory = directoryName(path)
    try makeDirectories(directory)
    var template = Array((path + "_XXXXXX.tmp").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
    if fd < 0 { throw Failure(operation: "create a temporary file for", path: path, code: errno) }
    let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
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

  /// Removes a file; a missing file is not an error.
  public static func remove(_ path: String) throws(Failure) {
    if unlink(path) != 0 && errno != ENOENT { throw Failure(operation: "remove", path: path, code: errno) }
  }

  /// The permission bits of a file, or `nil` when it does not exist.
  public static func permissions(_ path: String) -> mode_t? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return st.st_mode & 0o7777
  }

  /// The modification time of a file in seconds since 1970, or `nil` when it does not exist.
  public static func modificationTime(_ path: String) -> Double? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
  }

  /// The directory part of a path (`.` for a bare name).
  public static func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
  }
}

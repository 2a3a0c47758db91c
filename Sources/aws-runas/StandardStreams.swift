#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes text to standard output unbuffered (no `print`: its `Any` parameters cost dynamic
/// casts on the cached-credential path).
func writeToStandardOutput(_ text: String) {
  writeAll(text, to: 1)
}

/// Writes text to standard error unbuffered.
func writeToStandardError(_ text: String) {
  writeAll(text, to: 2)
}

private func writeAll(_ text: String, to descriptor: Int32) {
  var bytes = Array(text.utf8)[...]
  while !bytes.isEmpty {
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if written < 0 {
      if errno == EINTR { continue }
      return
    }
    bytes = bytes.dropFirst(written)
  }
}

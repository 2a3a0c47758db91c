import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A throw-away HOME with an `.aws` directory, and a clean environment pointing at it.
/// The directory is deleted when the sandbox is released.
final class Sandbox: Sendable {
  /// The temporary HOME (`$TMPDIR/aws-runas-test-XXXXXX`).
  let home: URL

  init() throws {
    let template = FileManager.default.temporaryDirectory
      .appendingPathComponent("aws-runas-test-XXXXXX").path
    var buffer = Array(template.utf8CString)
    guard mkdtemp(&buffer) != nil else {
      throw HarnessError("mkdtemp(\(template)): \(String(cString: strerror(errno)))")
    }
    let created = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    home = URL(fileURLWithPath: created, isDirectory: true)
    try FileManager.default.createDirectory(
      at: home.appendingPathComponent(".aws"), withIntermediateDirectories: false,
      attributes: [.posixPermissions: 0o700])
  }

  deinit { try? FileManager.default.removeItem(at: home) }

  /// `~/.aws/config` of the sandbox.
  var configFile: String { path(".aws/config") }
  /// `~/.aws/credentials` of the sandbox.
  var credentialsFile: String { path(".aws/credentials") }

  /// Absolute path of `relative` inside the sandbox HOME.
  func path(_ relative: String) -> String {
    home.appendingPathComponent(relative).path
  }

  func writeConfig(_ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: configFile))
  }

  func writeCredentials(_ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: credentialsFile))
  }

  /// The complete environment for a process under test. Only PATH comes from the parent, so
  /// no AWS_* (or anything else) leaks in from the developer's shell.
  func environment(endpoint: String? = nil) -> [String: String] {
    var env = [
      "HOME": home.path,
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "LANG": "C.UTF-8",
      "AWS_CONFIG_FILE": configFile,
      "AWS_SHARED_CREDENTIALS_FILE": credentialsFile,
      "AWS_EC2_METADATA_DISABLED": "true",
    ]
    env["AWS_ENDPOINT_URL"] = endpoint
    return env
  }
}

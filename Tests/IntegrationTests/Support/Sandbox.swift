import Foundation
import TestSupport

/// A throw-away HOME with an `.aws` directory, and a clean environment pointing at it.
/// The directory is deleted when the sandbox is released.
final class Sandbox: Sendable {
  private let directory: TemporaryDirectory

  /// The temporary HOME (`$TMPDIR/aws-runas-test-XXXXXX`).
  var home: URL { directory.url }

  init() throws {
    directory = try TemporaryDirectory(prefix: "test")
    try FileManager.default.createDirectory(
      at: home.appendingPathComponent(".aws"), withIntermediateDirectories: false,
      attributes: [.posixPermissions: 0o700])
  }

  /// `~/.aws/config` of the sandbox.
  var configFile: String { path(".aws/config") }
  /// `~/.aws/credentials` of the sandbox.
  var credentialsFile: String { path(".aws/credentials") }

  /// Absolute path of `relative` inside the sandbox HOME.
  func path(_ relative: String) -> String {
    directory.path(relative)
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

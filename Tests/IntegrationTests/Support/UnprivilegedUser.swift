import Foundation
import TestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The user that tests of "works for everyone, not only root" run the binaries as: `nobody`
/// (65534), reached with util-linux `setpriv`, when the tests run as root; otherwise the current
/// user. A root-only socket option once killed every credential endpoint for everyone else, and a
/// test run as root never saw it.
struct UnprivilegedUser: Sendable {
  let uid: uid_t
  let gid: gid_t
  /// Whether commands switch to this user (the tests run as root).
  let switches: Bool

  /// `nobody` under root, else whoever runs the tests.
  static let current =
    getuid() == 0
    ? UnprivilegedUser(uid: 65534, gid: 65534, switches: true)
    : UnprivilegedUser(uid: getuid(), gid: getgid(), switches: false)

  /// `arguments` (an argument vector starting with an absolute path) run as this user.
  func command(_ arguments: [String]) -> [String] {
    guard switches else { return arguments }
    return ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] + arguments
  }

  /// Hands the sandbox HOME (written by the test as root) to this user and checks that it can
  /// reach the binaries under test.
  func prepare(_ sandbox: Sandbox) async throws {
    guard switches else { return }
    let chown = try await run("/bin/chown", ["-R", "\(uid):\(gid)", sandbox.home.path], environment: [:])
    guard chown.exitCode == 0 else { throw HarnessError("chown of the sandbox failed: \(chown.output())") }
    let binaries = URL(fileURLWithPath: runAsBinary()).deletingLastPathComponent()
    for name in ["aws-runas", "aws-runas-tui"] {
      let path = binaries.appendingPathComponent(name).path
      let check = try await run(command(["/usr/bin/test", "-x", path]), environment: [:])
      guard check.exitCode == 0 else {
        throw HarnessError(
          "uid \(uid) cannot run \(path): a directory above it is closed to other users "
            + "(build elsewhere, or set RUNAS_BIN_DIR to a copy it can reach)")
      }
    }
  }
}

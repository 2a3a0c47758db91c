import Foundation
import Testing

@testable import RunAsCore

/// Which public key `ssm ssh --ec2ic` pushes: the first usable identity file OpenSSH would offer.
@Suite("SSM EC2 Instance Connect keys")
struct SSMInstanceConnectKeyTests {
  /// A throw-away HOME with `~/.ssh`.
  final class Home: Sendable {
    let path: String
    init() throws {
      path = FileManager.default.temporaryDirectory.appendingPathComponent("ec2ic-home-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: path + "/.ssh", withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    var environment: [String: String] {
      ["HOME": path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    }

    /// `ssh-keygen -t <type> -N <passphrase> -f ~/.ssh/<name>`; the public key's text.
    @discardableResult
    func makeKey(_ name: String, type: String = "ed25519", passphrase: String = "") async throws -> String {
      let keygen = try #require(ChildProcess.findExecutable("ssh-keygen", path: environment["PATH"]))
      let result = try await CapturedProcess.run(
        [keygen, "-q", "-t", type, "-N", passphrase, "-C", "test@example", "-f", "\(path)/.ssh/\(name)"],
        environment: environment, timeLimit: .seconds(300))
      #expect(result.exitStatus == 0)
      return try String(contentsOfFile: "\(path)/.ssh/\(name).pub", encoding: .utf8)
    }
  }

  @Test func theFirstIdentityFileWithAPublicKeyIsUsedWithoutItsComment() async throws {
    let home = try Home()
    let line = try await home.makeKey("id_ed25519")
    let key = try await SSHIdentityKeys.firstUsablePublicKey(
      user: "ec2-user", host: "i-0123456789abcdef0", port: 22, environment: home.environment)
    #expect(key.identityFile == home.path + "/.ssh/id_ed25519")
    #expect(key.openSSHText + " test@example\n" == line)
  }

  @Test func aPrivateKeyWithoutItsPublicHalfIsReadWithSSHKeygen() async throws {
    let home = try Home()
    let line = try await home.makeKey("id_ecdsa", type: "ecdsa")
    try FileManager.default.removeItem(atPath: home.path + "/.ssh/id_ecdsa.pub")
    let key = try await SSHIdentityKeys.firstUsablePublicKey(
      user: "ec2-user", host: "web", port: 22, environment: home.environment)
    #expect(key.identityFile == home.path + "/.ssh/id_ecdsa")
    #expect(line.hasPrefix(key.openSSHText + " "))
  }

  @Test func passphraseProtectedKeysWithoutAPublicHalfAreSkipped() async throws {
    let home = try Home()
    try await home.makeKey("id_ecdsa", type: "ecdsa", passphrase: "correct horse")
    try FileManager.default.removeItem(atPath: home.path + "/.ssh/id_ecdsa.pub")
    let error = await #expect(throws: SSHIdentityKeyError.self) {
      try await SSHIdentityKeys.firstUsablePublicKey(
        user: "ec2-user", host: "web", port: 22, environment: home.environment)
    }
    #expect(error?.triedFiles.contains(home.path + "/.ssh/id_ecdsa") == true)
    #expect(error?.message.hasPrefix("public key not available for EC2 Instance Connect") == true)
  }

  @Test func sshConfigDumpsListIdentityFilesInOrder() {
    let dump = "user ec2-user\nidentityfile ~/.ssh/work_key\nport 22\nidentityfile /keys/other\n"
    #expect(SSHIdentityKeys.identityFiles(inSSHConfigDump: dump) == ["~/.ssh/work_key", "/keys/other"])
    #expect(SSHIdentityKeys.expandingTilde("~/.ssh/a", home: "/home/u") == "/home/u/.ssh/a")
    #expect(SSHIdentityKeys.expandingTilde("~other/a", home: "/home/u") == "~other/a")
  }

  @Test func onlyKeyTypesInstanceConnectTakesAreAccepted() {
    #expect(
      SSHIdentityKeys.acceptedPublicKey(fromLine: "ssh-ed25519 AAAAC3Nz+/= me@host\n") == "ssh-ed25519 AAAAC3Nz+/=")
    #expect(SSHIdentityKeys.acceptedPublicKey(fromLine: "ssh-dss AAAAB3 me") == nil)
    #expect(SSHIdentityKeys.acceptedPublicKey(fromLine: "ssh-rsa not;base64") == nil)
  }
}

/// The public key `ssm ssh --ec2ic` pushes with EC2 Instance Connect: that of the first usable
/// `IdentityFile` OpenSSH would use for the connection (spec §8.2).
///
/// Why the user's own key rather than a freshly generated one: `ssm ssh` runs as ssh's
/// `ProxyCommand`, after ssh has chosen the keys it will authenticate with, and a ProxyCommand
/// has no way to hand ssh a private key. So the key EC2 Instance Connect authorises (for 60
/// seconds, one use) must be one ssh already offers: its identity files for that host. No key
/// material is written anywhere and nothing changes in the user's ssh set-up.
public enum SSHIdentityKeys {
  /// The key types EC2 Instance Connect accepts.
  public static let acceptedTypes: Set<String> = [
    "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
  ]
  /// OpenSSH's default identity files, in the order it tries them, for when `ssh -G` cannot run.
  public static let defaultIdentityFiles = [
    "~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk",
    "~/.ssh/id_xmss", "~/.ssh/id_dsa",
  ]

  /// A public key and the identity file it belongs to.
  public struct PublicKey: Sendable, Equatable {
    /// The identity file (private key) ssh will use.
    public var identityFile: String
    /// `<type> <base64>`, without the comment.
    public var openSSHText: String
  }

  /// The first identity file of `user@host:port` whose public key can be read: `<file>.pub`, else
  /// what `ssh-keygen -y` derives from a private key without a passphrase. Missing files,
  /// passphrase-protected keys without a `.pub` and key types Instance Connect refuses are skipped.
  ///
  /// - Throws: ``SSHIdentityKeyError`` when none is usable.
  public static func firstUsablePublicKey(
    user: String, host: String, port: Int, environment: [String: String]
  ) async throws -> PublicKey {
    let files = await identityFiles(user: user, host: host, port: port, environment: environment)
    for file in files {
      if let key = await publicKey(ofIdentityFile: file, environment: environment) {
        return PublicKey(identityFile: file, openSSHText: key)
      }
    }
    throw SSHIdentityKeyError(triedFiles: files)
  }

  /// The identity files `ssh -G` lists for the connection (with `~` expanded from `HOME`), or
  /// OpenSSH's defaults when ssh cannot say.
  public static func identityFiles(
    user: String, host: String, port: Int, environment: [String: String]
  ) async -> [String] {
    let home = environment["HOME"] ?? ""
    var listed: [String] = []
    if let ssh = ChildProcess.findExecutable("ssh", path: environment["PATH"]),
      let result = try? await CapturedProcess.run(
        [ssh, "-G", "-l", user, "-p", String(port), "--", host], environment: environment, standardError: .discard,
        timeLimit: .seconds(10)),
      result.exitStatus == 0
    {
      listed = identityFiles(inSSHConfigDump: result.outputText)
    }
    return (listed.isEmpty ? defaultIdentityFiles : listed).map { expandingTilde($0, home: home) }
  }

  /// The `identityfile` lines of `ssh -G` output, in order.
  public static func identityFiles(inSSHConfigDump text: String) -> [String] {
    text.split(separator: "\n").compactMap { line in
      guard line.hasPrefix("identityfile ") else { return nil }
      return SessionTarget.trimmed(String(line.dropFirst("identityfile ".count)))
    }
  }

  /// `~/x` as `<home>/x`.
  public static func expandingTilde(_ path: String, home: String) -> String {
    guard path == "~" || path.hasPrefix("~/"), !home.isEmpty else { return path }
    return home + path.dropFirst()
  }

  /// `<type> <base64>` from an OpenSSH public key line, when the type is one Instance Connect takes.
  public static func acceptedPublicKey(fromLine text: String) -> String? {
    for line in text.split(separator: "\n") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard words.count >= 2, acceptedTypes.contains(String(words[0])),
        words[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") })
      else { continue }
      return "\(words[0]) \(words[1])"
    }
    return nil
  }

  private static func publicKey(ofIdentityFile file: String, environment: [String: String]) async -> String? {
    if let text = try? POSIXFile.readText(file + ".pub", limit: 64 * 1024),
      let key = acceptedPublicKey(fromLine: text)
    {
      return key
    }
    guard POSIXFile.exists(file), let keygen = ChildProcess.findExecutable("ssh-keygen", path: environment["PATH"])
    else { return nil }
    // An empty passphrase: a protected key fails instead of prompting, and is skipped.
    guard
      let result = try? await CapturedProcess.run(
        [keygen, "-y", "-P", "", "-f", file], environment: environment, standardError: .discard,
        timeLimit: .seconds(10)),
      result.exitStatus == 0
    else { return nil }
    return acceptedPublicKey(fromLine: result.outputText)
  }
}

/// No identity file gave a public key for EC2 Instance Connect.
public struct SSHIdentityKeyError: UserFacingError, Sendable, Equatable {
  /// The identity files looked at.
  public var triedFiles: [String]

  /// `public key not available: …` (the original's wording, with the files tried).
  public var message: String {
    let shown = triedFiles.prefix(8).map { TerminalText.excerpt($0, limit: 200) }.joined(separator: ", ")
    return "public key not available for EC2 Instance Connect: no usable identity file among \(shown)"
  }

  /// What to do.
  public var hint: String? {
    "create a key with ssh-keygen -t ed25519, or set IdentityFile for the host in ~/.ssh/config"
  }
}

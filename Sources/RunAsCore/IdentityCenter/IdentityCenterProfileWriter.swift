#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Writes a `[profile name]` for an account and role of an Identity Center session into the config
/// file, for the TUI's account browser.
///
/// Only that section's key lines change (comments in it stay); every other byte of the file is
/// kept. The file is read, edited and replaced atomically under the lock on `<file>.lock`, with
/// its mode kept (0600 for a new file).
public struct IdentityCenterProfileWriter: Sendable {
  /// The config file (`AWS_CONFIG_FILE` or `~/.aws/config`).
  public let configPath: String

  /// Creates a writer for `configPath`.
  public init(configPath: String) {
    self.configPath = configPath
  }

  /// A profile name for `accountName` and `roleName`: lower case, runs of anything but letters,
  /// digits, `-` and `_` turned into `-`, e.g. `production-readonlyaccess`.
  public static func suggestedName(accountName: String, accountID: String, roleName: String) -> String {
    let base = (accountName.isEmpty ? accountID : accountName) + "-" + roleName
    var name = ""
    for character in base.lowercased() {
      if character.isLetter || character.isNumber || character == "_" || character == "-" {
        name.append(character)
      } else if name.last != "-" {
        name.append("-")
      }
    }
    while name.hasSuffix("-") { name.removeLast() }
    return name.isEmpty ? accountID : name
  }

  /// The key lines of the profile.
  public static func entries(
    session: IdentityCenterSession, accountID: String, roleName: String, region: String?
  ) -> [(key: String, value: String)] {
    var entries: [(key: String, value: String)] = []
    if let name = session.name {
      entries.append(("sso_session", name))
    } else {
      entries += [("sso_start_url", session.startURL), ("sso_region", session.region)]
    }
    entries += [("sso_account_id", accountID), ("sso_role_name", roleName)]
    if let region, !region.isEmpty { entries.append(("region", region)) }
    return entries
  }

  /// Writes (or replaces the keys of) `[profile name]`.
  ///
  /// - Throws: ``CredentialError`` for a name that cannot be a section name; ``POSIXFile/Failure``
  ///   or ``FileLock/Failure`` when the file cannot be read, locked or replaced.
  public func write(
    profile name: String, session: IdentityCenterSession, accountID: String, roleName: String, region: String?
  ) async throws {
    guard !name.isEmpty, !name.contains(where: { $0 == "]" || $0 == "[" || $0.isNewline || $0 == " " }) else {
      throw CredentialError(message: "\"\(TerminalText.excerpt(name, limit: 64))\" cannot be a profile name")
    }
    let target = CredentialsFileWriter.resolvingSymbolicLinks(configPath)
    try POSIXFile.makeDirectories(POSIXFile.directoryName(target), mode: 0o700)
    let entries = Self.entries(session: session, accountID: accountID, roleName: roleName, region: region)
    try await FileLock(protecting: target).withLock {
      let text = try POSIXFile.readText(target) ?? ""
      let mode = POSIXFile.permissions(target) ?? 0o600
      let updated = CredentialsFileWriter.replacingSection("profile " + name, with: entries, in: text)
      try POSIXFile.writeAtomically(Array(updated.utf8), to: target, mode: mode)
    }
  }
}

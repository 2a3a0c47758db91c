#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Where an IAM Identity Center sign-in happens: the start URL and region of an `[sso-session]`
/// section, or of a legacy profile that names them directly.
///
/// Read as the AWS CLI v2 reads them (spec identity-providers §7.3): the keys come from the
/// profile's own section and the session's section only, never from `[default]` or a source
/// profile.
public struct IdentityCenterSession: Sendable, Equatable {
  /// The `[sso-session name]` the settings come from; `nil` for a legacy profile, which keeps
  /// `sso_start_url` and `sso_region` in its own section and gets no refresh tokens.
  public var name: String?
  /// `sso_start_url`: the AWS access portal URL, e.g. `https://corp.awsapps.com/start`.
  public var startURL: String
  /// `sso_region`: the region of the Identity Center instance (the OIDC and portal endpoints).
  public var region: String
  /// `sso_registration_scopes`, comma-separated in the file; empty for legacy profiles.
  public var registrationScopes: [String]
  /// Where the settings were found, for messages.
  public var origin: SettingOrigin

  /// Creates session settings.
  public init(
    name: String?, startURL: String, region: String, registrationScopes: [String] = [],
    origin: SettingOrigin = .builtInDefault
  ) {
    self.name = name
    self.startURL = startURL
    self.region = region
    self.registrationScopes = registrationScopes
    self.origin = origin
  }

  /// What the token cache file is named after: the session name, else the start URL exactly as
  /// configured (what botocore hashes).
  public var tokenCacheKey: String { name ?? startURL }

  /// `sso-session "corp"` or `start URL https://…`, for messages.
  public var displayName: String {
    if let name { return "sso-session \"\(TerminalText.excerpt(name, limit: 64))\"" }
    return "start URL \(TerminalText.excerpt(startURL, limit: 200))"
  }
}

/// The Identity Center settings of one profile: its session and the account and role it signs
/// in to.
public struct IdentityCenterProfile: Sendable, Equatable {
  /// The session (start URL, region, scopes).
  public var session: IdentityCenterSession
  /// `sso_account_id`, when set.
  public var accountID: String?
  /// `sso_role_name`, when set.
  public var roleName: String?

  /// Creates profile settings.
  public init(session: IdentityCenterSession, accountID: String?, roleName: String?) {
    self.session = session
    self.accountID = accountID
    self.roleName = roleName
  }
}

/// Reads Identity Center settings from `~/.aws/config` sections.
public enum IdentityCenterConfiguration {
  /// The keys that make a profile an Identity Center profile.
  static let profileKeys = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"]

  /// Whether `section` sets any Identity Center key.
  ///
  /// Every profile resolution asks, the cached-credential path's included: one pass over the
  /// entries that compares only keys starting with `sso_`.
  public static func isIdentityCenterProfile(_ section: INISection?) -> Bool {
    guard let section else { return false }
    for entry in section.entries where entry.key.utf8.count > 4 && !entry.value.isEmpty {
      var bytes = entry.key.utf8.makeIterator()
      guard bytes.next().map(asciiLowercased) == UInt8(ascii: "s"),
        bytes.next().map(asciiLowercased) == UInt8(ascii: "s"),
        bytes.next().map(asciiLowercased) == UInt8(ascii: "o"), bytes.next() == UInt8(ascii: "_")
      else { continue }
      if profileKeys.contains(where: { asciiCaseInsensitiveEquals(entry.key, $0) }), value(entry) != nil { return true }
    }
    return false
  }

  /// The Identity Center settings of the profile whose section is `section`, or `nil` when it
  /// has none.
  ///
  /// - Throws: ``ProfileError`` when `sso_session` names a missing section, the session lacks
  ///   `sso_start_url` or `sso_region`, a legacy profile lacks one of them, the profile's own
  ///   values contradict its session's, or a region is not a region name.
  public static func profile(section: INISection?, in config: INIFile) throws(ProfileError)
    -> IdentityCenterProfile?
  {
    guard let section, isIdentityCenterProfile(section) else { return nil }
    let origin = SettingOrigin.file(path: config.path, section: section.name, line: section.line)
    let ownStartURL = value(section.entry("sso_start_url"))
    let ownRegion = value(section.entry("sso_region"))
    let session: IdentityCenterSession
    if let sessionEntry = section.entry("sso_session"), let sessionName = value(sessionEntry) {
      session = try Self.session(
        named: sessionName, in: config,
        reference: "\(config.path):\(sessionEntry.line): sso_session")
      // A profile may repeat its session's values, but not contradict them (botocore's rule).
      for (key, own, expected) in [
        ("sso_start_url", ownStartURL, session.startURL), ("sso_region", ownRegion, session.region),
      ] {
        if let own, own != expected, let entry = section.entry(key) {
          throw ProfileError(
            message: "\(config.path):\(entry.line): \(key) \(quoted(own)) differs from the value in "
              + "[sso-session \(TerminalText.excerpt(sessionName, limit: 64))] (\(quoted(expected)))",
            hint: "remove \(key) from the profile; the sso-session section sets it")
        }
      }
    } else if ownStartURL != nil || ownRegion != nil {
      guard let startURL = ownStartURL else {
        throw ProfileError(
          message: "\(config.path): [\(TerminalText.excerpt(section.name, limit: 64))] sets sso_region "
            + "but no sso_start_url",
          hint: "add sso_start_url, or sso_session naming an [sso-session] section")
      }
      guard let region = ownRegion else {
        throw ProfileError(
          message: "\(config.path): [\(TerminalText.excerpt(section.name, limit: 64))] sets sso_start_url "
            + "but no sso_region",
          hint: "add sso_region, the region of your IAM Identity Center instance")
      }
      try checkRegion(region, at: "\(config.path):\(section.entry("sso_region")?.line ?? section.line)")
      session = IdentityCenterSession(name: nil, startURL: startURL, region: region, origin: origin)
    } else {
      throw ProfileError(
        message: "\(config.path): [\(TerminalText.excerpt(section.name, limit: 64))] sets sso_account_id or "
          + "sso_role_name but neither sso_session nor sso_start_url",
        hint: "add sso_session = <name> and an [sso-session <name>] section with sso_start_url and sso_region")
    }
    return IdentityCenterProfile(
      session: session, accountID: value(section.entry("sso_account_id")),
      roleName: value(section.entry("sso_role_name")))
  }

  /// The `[sso-session name]` section's settings.
  ///
  /// - Parameter reference: What named the session, for messages (`path:line: sso_session`).
  /// - Throws: ``ProfileError`` when the section is missing or incomplete.
  public static func session(named name: String, in config: INIFile, reference: String? = nil)
    throws(ProfileError) -> IdentityCenterSession
  {
    let shownName = TerminalText.excerpt(name, limit: 64)
    guard let section = config.section("sso-session " + name) else {
      let known = sessionNames(in: config)
      throw ProfileError(
        message: (reference.map { "\($0): " } ?? "") + "no [sso-session \(shownName)] section in \(config.path)",
        hint: known.isEmpty
          ? "add one with sso_start_url and sso_region"
          : "known sessions: " + known.prefix(5).map { TerminalText.excerpt($0, limit: 64) }.joined(separator: ", "))
    }
    guard let startURL = value(section.entry("sso_start_url")) else {
      throw ProfileError(
        message: "\(config.path):\(section.line): [sso-session \(shownName)] has no sso_start_url",
        hint: "set it to your AWS access portal URL, e.g. https://my-org.awsapps.com/start")
    }
    guard let regionEntry = section.entry("sso_region"), let region = value(regionEntry) else {
      throw ProfileError(
        message: "\(config.path):\(section.line): [sso-session \(shownName)] has no sso_region",
        hint: "set it to the region of your IAM Identity Center instance")
    }
    try checkRegion(region, at: "\(config.path):\(regionEntry.line)")
    let scopes = (value(section.entry("sso_registration_scopes")) ?? "")
      .split(separator: ",")
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    return IdentityCenterSession(
      name: name, startURL: startURL, region: region, registrationScopes: scopes,
      origin: .file(path: config.path, section: section.name, line: section.line))
  }

  /// The names of every `[sso-session name]` section, in file order.
  public static func sessionNames(in config: INIFile) -> [String] {
    config.sections.compactMap { section in
      section.name.hasPrefix("sso-session ") ? String(section.name.dropFirst("sso-session ".count)) : nil
    }
  }

  private static func checkRegion(_ region: String, at location: String) throws(ProfileError) {
    guard RegionName.isValid(region) else {
      throw ProfileError(
        message: "\(location): sso_region \(quoted(region)) is not a region name", hint: RegionName.rule)
    }
  }

  /// The entry's value, trimmed; `nil` when absent or empty.
  private static func value(_ entry: INIEntry?) -> String? {
    guard let entry else { return nil }
    let trimmed = entry.value.trimmingCharacters(in: .whitespaces)
    return trimmed.isEmpty ? nil : trimmed
  }

  private static func quoted(_ value: String) -> String {
    "\"" + TerminalText.excerpt(value, limit: 100) + "\""
  }
}

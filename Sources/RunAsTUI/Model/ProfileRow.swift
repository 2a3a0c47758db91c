import RunAsCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One line of the profile list: what the list shows and filters on, derived once from a resolved
/// profile (or from the error that kept it from resolving).
public struct ProfileRow: Sendable {
  /// The profile's name.
  public var name: String
  /// The kind, in words: `IAM user`, `role`, `SAML`, `OIDC`, `role ARN`, or `error`.
  public var kind: String
  /// The role's account ID, when the profile assumes a role.
  public var account: String
  /// The role's name, when the profile assumes a role.
  public var roleName: String
  /// The region, or empty when none is configured.
  public var region: String
  /// Whether an MFA device is configured.
  public var needsMFA: Bool
  /// The cache file that holds the profile's credentials, when it has one.
  public var cacheFile: String?
  /// Why the profile does not resolve, if it does not.
  public var error: String?
  /// The resolved profile, for the details pane.
  public var profile: ResolvedProfile?
  /// For a SAML or OIDC profile, the identity provider's URL (`saml_auth_url` or
  /// `web_identity_auth_url`), whose sign-in the details pane shows.
  public var identityProviderURL: String?
  /// For a SAML or OIDC profile, the provider `saml_provider` / `web_identity_provider` names;
  /// `nil` when it is detected at sign-in.
  public var identityProviderName: String?
  /// Lower-cased UTF-8 of name, account and role name, for the filter (byte search keeps a
  /// keystroke over 10,000 profiles well inside a frame).
  let searchBytes: [UInt8]

  /// Creates a row from its parts.
  public init(
    name: String, kind: String, account: String = "", roleName: String = "", region: String = "",
    needsMFA: Bool = false, cacheFile: String? = nil, error: String? = nil, profile: ResolvedProfile? = nil
  ) {
    self.name = name
    self.kind = kind
    self.account = account
    self.roleName = roleName
    self.region = region
    self.needsMFA = needsMFA
    self.cacheFile = cacheFile
    self.error = error
    self.profile = profile
    self.searchBytes = Array((name + "\u{1}" + account + "\u{1}" + roleName).lowercased().utf8)
  }

  /// The row for `name` given the outcome of resolving it; cache files live in `cacheDirectory`.
  ///
  /// The kind's words and the cache file (whose expiry the list counts down) come from the
  /// profile's credential source, which names the file its provider writes.
  public init(name: String, result: Result<ResolvedProfile, ProfileError>, cacheDirectory: String) {
    switch result {
    case .failure(let error):
      self.init(name: name, kind: "error", error: error.description)
    case .success(let profile):
      let settings = profile.settings
      let role = settings.roleArn.flatMap { try? RoleARN(parsing: $0.value) }
      let source = profile.credentialSource
      // An Identity Center profile names its account and role directly.
      let sso = profile.kind == .identityCenter ? profile.identityCenter : nil
      self.init(
        name: name, kind: source.label, account: sso?.accountID ?? role?.account ?? "",
        roleName: sso?.roleName ?? role?.roleName ?? "",
        region: settings.region?.value ?? "", needsMFA: !(settings.mfaSerial?.value ?? "").isEmpty,
        cacheFile: source.cacheFile(for: profile, in: cacheDirectory)?.path, profile: profile)
      let (url, provider) =
        switch profile.kind {
        case .saml: (settings.samlAuthURL?.value, settings.samlProvider?.value)
        case .oidc: (settings.webIdentityAuthURL?.value, settings.webIdentityProvider?.value)
        default: (nil, nil)
        }
      identityProviderURL = url.flatMap { $0.isEmpty ? nil : $0 }
      identityProviderName = provider.flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }
  }

  /// Whether the filter `needle` (lower-cased UTF-8) occurs in the name, account or role.
  func matches(_ needle: [UInt8]) -> Bool {
    guard let first = needle.first else { return true }
    let count = needle.count
    guard searchBytes.count >= count else { return false }
    return searchBytes.withUnsafeBufferPointer { haystack in
      needle.withUnsafeBufferPointer { needle in
        var start = 0
        let last = haystack.count - count
        while start <= last {
          if haystack[start] == first {
            var offset = 1
            while offset < count && haystack[start + offset] == needle[offset] { offset += 1 }
            if offset == count { return true }
          }
          start += 1
        }
        return false
      }
    }
  }

  /// Account and role name as one column, e.g. `123456789012/admin`.
  public var accountAndRole: String {
    if account.isEmpty && roleName.isEmpty { return "" }
    return account + "/" + roleName
  }
}

/// The state of a profile's cached credentials at one moment, in words that read without colour.
public enum CredentialStatus: Sendable, Equatable {
  /// Nothing cached (or no cache for this profile).
  case none
  /// Valid for longer than the refresh margin.
  case valid(Duration)
  /// Valid, but inside the refresh margin: the next use renews them.
  case expiring(Duration)
  /// Past their expiry.
  case expired

  /// The status of credentials expiring at `expiration`, seen at `now`.
  public init(expiration: Date?, now: Date, margin: Duration = RunAsEngine.refreshMargin) {
    guard let expiration else {
      self = .none
      return
    }
    let seconds = Int64(expiration.timeIntervalSince(now).rounded(.down))
    if seconds <= 0 {
      self = .expired
    } else if Duration.seconds(seconds) <= margin {
      self = .expiring(.seconds(seconds))
    } else {
      self = .valid(.seconds(seconds))
    }
  }

  /// `valid 42m07s`, `expiring 4m10s`, `expired`, `no credentials`.
  public var text: String {
    switch self {
    case .none: "no credentials"
    case .valid(let left): "valid " + Self.format(left)
    case .expiring(let left): "expiring " + Self.format(left)
    case .expired: "expired"
    }
  }

  /// `1h02m03s`, `42m07s`, `9s`.
  static func format(_ duration: Duration) -> String {
    let total = max(0, duration.components.seconds)
    let hours = total / 3600
    let minutes = (total % 3600) / 60
    let seconds = total % 60
    func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    if hours > 0 { return "\(hours)h\(two(minutes))m\(two(seconds))s" }
    if minutes > 0 { return "\(minutes)m\(two(seconds))s" }
    return "\(seconds)s"
  }
}

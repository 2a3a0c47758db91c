#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Role credentials of an IAM Identity Center profile (GetRoleCredentials), cached like role
/// credentials in `.aws_sso_role_<profile>` beside the config file.
///
/// A cache hit reads that one file. Otherwise, under the cache file's lock: a token from
/// ``IdentityCenterTokenProvider`` (cached, refreshed, or a new sign-in), then
/// GetRoleCredentials. When the portal rejects the token (revoked, or the cached expiry was
/// wrong) and someone can approve a sign-in, the sign-in runs once and the call is repeated.
public struct IdentityCenterRoleProvider: CachedRoleStep {
  /// The profile, for messages.
  public let profileName: String
  /// `sso_account_id`.
  public let accountID: String
  /// `sso_role_name`.
  public let roleName: String
  /// Access tokens.
  public let tokens: IdentityCenterTokenProvider
  /// The portal.
  public let portal: any IdentityCenterPortal
  /// Where the role credentials are cached.
  public let cache: CredentialCacheFile
  /// The clock.
  public let now: @Sendable () -> Date

  /// The prefix of the cache file's name, before the profile name.
  public static let cacheFilePrefix = ".aws_sso_role_"

  /// The cache file for `profileName` in `directory`.
  public static func cacheFile(directory: String, profileName: String) -> CredentialCacheFile {
    CredentialCacheFile(
      path: directory + "/" + cacheFilePrefix + CredentialCacheFile.fileNameComponent(for: profileName))
  }

  /// Creates the provider.
  public init(
    profileName: String, accountID: String, roleName: String, tokens: IdentityCenterTokenProvider,
    portal: any IdentityCenterPortal, cache: CredentialCacheFile, now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.profileName = profileName
    self.accountID = accountID
    self.roleName = roleName
    self.tokens = tokens
    self.portal = portal
    self.cache = cache
    self.now = now
  }

  public func credentials(validFor margin: Duration) async throws -> AWSCredentials {
    try await cache.refresh(unlessCached: { cachedCredentials(validFor: margin) }) {
      let fresh: AWSCredentials
      do {
        fresh = try await roleCredentials(with: try await tokens.token())
      } catch let error as AWSServiceError where error.code == "UnauthorizedException" {
        guard tokens.canSignIn else { throw tokens.sessionExpired(hadToken: true) }
        fresh = try await roleCredentials(with: try await tokens.token(forceSignIn: true))
      }
      return CachedCredentials(credentials: fresh, mfaSerial: "")
    }
  }

  private func roleCredentials(with token: SSOToken) async throws -> AWSCredentials {
    do {
      return try await portal.roleCredentials(accessToken: token.accessToken, accountID: accountID, roleName: roleName)
    } catch let error as AWSServiceError where error.code == "ResourceNotFoundException" {
      throw IdentityCenterError(
        message: "profile \"\(TerminalText.excerpt(profileName, limit: 64))\": IAM Identity Center gives you no role "
          + "\"\(TerminalText.excerpt(roleName, limit: 64))\" in account \(TerminalText.excerpt(accountID, limit: 32)) "
          + "(\(tokens.session.displayName))",
        hint: "check sso_account_id and sso_role_name; aws-runas sso list shows the accounts and roles you can use")
    } catch let error as AWSServiceError where error.code == "InvalidRequestException" {
      throw IdentityCenterError(
        message: "profile \"\(TerminalText.excerpt(profileName, limit: 64))\": GetRoleCredentials refused "
          + "account \(TerminalText.excerpt(accountID, limit: 32)) / role \(TerminalText.excerpt(roleName, limit: 64)): "
          + TerminalText.excerpt(error.message, limit: 200),
        hint: "sso_account_id is a 12-digit account ID and sso_role_name a permission set name")
    }
  }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// AssumeRoleWithWebIdentity credentials for one role, cached like every role step (the file the
/// chain gives it).
///
/// A cache hit reads one file; a miss takes the cache's lock, gets the id_token (file, token
/// cache or sign-in) and calls STS, which needs no AWS credentials. When STS refuses a cached
/// token, the provider signs in once more.
public struct WebIdentityRoleProvider: CachedRoleStep {
  /// The role to assume.
  public let roleARN: String
  /// `role_session_name` when configured (2+ characters).
  public let configuredSessionName: String?
  /// The session name when neither the configuration nor the token names one.
  public let fallbackSessionName: @Sendable () -> String
  /// The requested lifetime, already clamped.
  public let duration: Duration
  /// Where the id_token comes from.
  let tokens: WebIdentityTokenSource
  /// Where the credentials are cached.
  public let cache: CredentialCacheFile
  /// The STS client.
  public let sts: any SecurityTokenService
  /// The clock.
  public let now: @Sendable () -> Date

  init(
    roleARN: String, configuredSessionName: String?, fallbackSessionName: @escaping @Sendable () -> String,
    duration: Duration, tokens: WebIdentityTokenSource, cache: CredentialCacheFile, sts: any SecurityTokenService,
    now: @escaping @Sendable () -> Date
  ) {
    self.roleARN = roleARN
    self.configuredSessionName = configuredSessionName
    self.fallbackSessionName = fallbackSessionName
    self.duration = duration
    self.tokens = tokens
    self.cache = cache
    self.sts = sts
    self.now = now
  }

  public func credentials(validFor margin: Duration) async throws -> AWSCredentials {
    try await cache.refresh(unlessCached: { cachedCredentials(validFor: margin) }) {
      let first = try await tokens.token()
      let fresh: FederatedRoleCredentials
      do {
        fresh = try await assumeRole(with: first.token)
      } catch let refused as AWSServiceError where first.wasCached && Self.refusedTokenCodes.contains(refused.code) {
        fresh = try await assumeRole(with: try await tokens.token(ignoringCache: true).token)
      }
      return CachedCredentials(credentials: fresh.credentials, mfaSerial: "")
    }
  }

  /// The STS errors that mean the token itself was not accepted (expired or revoked early).
  static let refusedTokenCodes: Set<String> = ["ExpiredTokenException", "ExpiredToken", "InvalidIdentityToken"]

  private func assumeRole(with token: String) async throws -> FederatedRoleCredentials {
    try await sts.assumeRoleWithWebIdentity(
      roleARN: roleARN, sessionName: sessionName(for: token), webIdentityToken: token, duration: duration,
      providerID: nil)
  }

  /// `role_session_name`, else the token's `preferred_username`, `email` or `sub`, else the fallback.
  private func sessionName(for token: String) -> String {
    if let configuredSessionName { return configuredSessionName }
    if let claims = try? JSONWebToken(token) {
      for claim in ["preferred_username", "email", "sub"] {
        if let value = claims.string(claim), value.count >= 2 {
          return CredentialChainBuilder.sanitizedSessionName(value)
        }
      }
    }
    return fallbackSessionName()
  }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// AssumeRoleWithSAML credentials for one role, cached like every role step (the file the chain
/// gives it).
///
/// A cache hit reads one file; a miss takes the cache's lock, gets the assertion (in memory, else
/// a sign-in), checks it grants the role and calls STS, which needs no AWS credentials.
public struct SAMLRoleProvider: CachedRoleStep {
  /// The role to assume.
  public let roleARN: String
  /// The requested lifetime, already clamped; the assertion's `SessionDuration` may shorten it.
  public let duration: Duration
  /// Where the assertion comes from.
  let assertions: SAMLAssertionSource
  /// Where the credentials are cached.
  public let cache: CredentialCacheFile
  /// The STS client.
  public let sts: any SecurityTokenService
  /// The clock.
  public let now: @Sendable () -> Date

  init(
    roleARN: String, duration: Duration, assertions: SAMLAssertionSource, cache: CredentialCacheFile,
    sts: any SecurityTokenService, now: @escaping @Sendable () -> Date
  ) {
    self.roleARN = roleARN
    self.duration = duration
    self.assertions = assertions
    self.cache = cache
    self.sts = sts
    self.now = now
  }

  public func credentials(validFor margin: Duration) async throws -> AWSCredentials {
    try await cache.refresh(unlessCached: { cachedCredentials(validFor: margin) }) {
      let assertion = try await assertions.assertion()
      let role = try assertion.role(roleARN)
      var lifetime = duration
      if let limit = assertion.sessionDuration, limit < lifetime, limit >= .seconds(900) { lifetime = limit }
      let fresh = try await sts.assumeRoleWithSAML(
        roleARN: role.roleARN, principalARN: role.principalARN, samlAssertion: assertion.encoded, duration: lifetime)
      return CachedCredentials(credentials: fresh.credentials, mfaSerial: "")
    }
  }
}

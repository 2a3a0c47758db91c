import Logging

/// `list roles` and `list mfa` (spec §4.5, §4.6): who the profile's IAM user is, the MFA devices
/// it has and the roles its policies allow it to assume.
///
/// IAM is called with the profile's long-term keys, or, when the profile sets `mfa_serial`, with
/// its MFA session token (the cached one when valid), because IAM refuses session tokens obtained
/// without MFA and policies often require MFA.
public struct IdentityListing: Sendable {
  /// The engine the profile was resolved with.
  public let engine: RunAsEngine
  /// Where MFA codes come from when a session token is needed.
  public let mfa: MFACodeSource

  /// Creates the listing.
  public init(engine: RunAsEngine, mfa: MFACodeSource) {
    self.engine = engine
    self.mfa = mfa
  }

  /// The caller's IAM user name and the roles its policies allow it to assume (sorted; entries
  /// with wildcards are left out).
  ///
  /// A SAML profile lists the roles of its assertion (signing in if needed), for the user the
  /// assertion names.
  ///
  /// - Throws: ``IdentityListingError`` for role ARN and OIDC profiles or a caller that is not an
  ///   IAM user; what STS and the identity provider throw.
  public func assumableRoles(for profile: ResolvedProfile) async throws -> (userName: String, roles: [String]) {
    try reject(profile, roles: true)
    if let listing = try await profile.credentialSource.identityProviderRoles(
      for: profile, builder: builder(for: profile))
    {
      return listing
    }
    let (credentials, identity) = try await callerIdentity(for: profile)
    guard let userName = Self.userName(fromARN: identity.arn) else {
      throw IdentityListingError(
        message: "\(identity.arn) is not an IAM user; only IAM users can list the roles their policies allow")
    }
    let crawler = IAMRoleCrawler(iam: try iamClient(for: profile, credentials: credentials), logger: engine.logger)
    let roles = await crawler.roles(forUser: userName)
    return (userName, AssumableRoles.printable(roles))
  }

  /// The serial numbers of the caller's MFA devices; empty when the caller is not an IAM user.
  ///
  /// - Throws: ``IdentityListingError`` for role ARN and single sign-on profiles; what STS and IAM throw.
  public func mfaDevices(for profile: ResolvedProfile) async throws -> [String] {
    try reject(profile, roles: false)
    let (credentials, identity) = try await callerIdentity(for: profile)
    guard let userName = Self.userName(fromARN: identity.arn) else { return [] }
    return try await iamClient(for: profile, credentials: credentials).listMFADevices(userName: userName)
  }

  /// The user name of an IAM user ARN (`arn:aws:iam::123456789012:user/path/alice` → `alice`).
  public static func userName(fromARN arn: String) -> String? {
    guard let parts = ARNParts(arn), parts.service == "iam", parts.resource.hasPrefix("user/") else { return nil }
    return parts.resource.split(separator: "/").last.map(String.init)
  }

  private func reject(_ profile: ResolvedProfile, roles: Bool) throws {
    // About the profile argument rather than its kind: a role ARN may come with SAML settings.
    if profile.isRoleARNProfile {
      throw IdentityListingError(
        message: "profile looks like an ARN, check command parameters and environment variables")
    }
    if let refusal = profile.credentialSource.identityListingRefusal(listingRoles: roles) {
      throw IdentityListingError(message: refusal)
    }
  }

  /// The credentials IAM is called with, and who they belong to. GetCallerIdentity needs no MFA,
  /// so the long-term keys answer who the user is.
  private func callerIdentity(for profile: ResolvedProfile) async throws -> (AWSCredentials, CallerIdentity) {
    let keys = try builder(for: profile).baseCredentials(for: profile)
    let identity = try await engine.stsService(for: profile).getCallerIdentity(credentials: keys)
    guard profile.settings.mfaSerial != nil, keys.sessionToken == nil else { return (keys, identity) }
    let session = try await engine.provider(for: profile, sessionOnly: true, mfa: mfa)
      .credentials(validFor: .seconds(60))
    return (session, identity)
  }

  private func builder(for profile: ResolvedProfile) -> CredentialChainBuilder {
    var builder = CredentialChainBuilder(
      cacheDirectory: engine.files.cacheDirectory, environment: engine.environment,
      sts: engine.stsService(for: profile), mfa: mfa, logger: engine.logger)
    builder.identityProviderPassword = engine.identityProviderPassword
    return builder
  }

  private func iamClient(for profile: ResolvedProfile, credentials: AWSCredentials) throws -> IAMClient {
    let settings = profile.settings
    let endpoint = try EndpointResolver.resolve(
      service: "iam", region: settings.region?.value, regionOrigin: settings.region?.origin,
      environment: engine.environment,
      servicesEndpointURL: settings.serviceEndpoints["iam"]?.value, profileEndpointURL: settings.endpointURL?.value)
    return IAMClient(
      endpoint: endpoint, credentials: credentials,
      transport: AsyncHTTPClientTransport(environment: engine.environment),
      retryPolicy: AWSRetryPolicy(environment: engine.environment), logger: engine.logger)
  }
}

/// A profile or identity `list roles` / `list mfa` cannot work with.
public struct IdentityListingError: UserFacingError, Sendable {
  /// What is wrong.
  public let message: String

  /// Creates the error.
  public init(message: String) {
    self.message = message
  }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The steps SAML and OIDC chains share: the identity-provider session and prompts, and the jump
/// role (spec §4.7).
extension CredentialChainBuilder {
  /// `AWS_RUNAS_IDP_TIMEOUT`: seconds allowed for one identity-provider request, redirects
  /// included (default 30).
  static let identityProviderTimeoutVariable = "AWS_RUNAS_IDP_TIMEOUT"

  /// The time allowed for one identity-provider request.
  var identityProviderTimeout: Duration {
    guard let text = environment[Self.identityProviderTimeoutVariable], let seconds = Double(text), seconds > 0
    else { return IdentityProviderSession.defaultTimeout }
    return .milliseconds(Int64(seconds * 1000))
  }

  /// Makes the session (cookie jar `.aws_runas.cookies` in the cache directory), credentials and
  /// prompts of a sign-in at `url`; called only when a sign-in is about to happen.
  func identityProviderContextFactory(
    for profile: ResolvedProfile, url: String, isSAML: Bool
  ) -> @Sendable () throws -> IdentityProviderContext {
    let cookieFile = CookieJarFile(directory: cacheDirectory)
    let timeout = identityProviderTimeout
    let logger = logger
    let credentials = IdentityProviderCredentials.forProfile(
      profile, url: url, isSAML: isSAML, passwordFlag: identityProviderPassword, environment: environment,
      credentialsFile: credentialsFile, prompter: mfa.prompter)
    let mfaType = profile.settings.mfaType?.value ?? ""
    let mfa = mfa
    let now = now
    let authBrowser = profile.settings.authBrowser?.value
    let environment = environment
    return {
      let session = try IdentityProviderSession(cookieFile: cookieFile, timeout: timeout, logger: logger, now: now)
      return IdentityProviderContext(
        url: url, session: session, credentials: credentials, mfaType: mfaType, presetMFACode: mfa.presetCode,
        prompter: mfa.prompter, logger: logger, authBrowser: authBrowser, environment: environment)
    }
  }

  /// The role a SAML or OIDC profile assumes, which the identity provider needs to grant.
  func federatedRoleARN(of profile: ResolvedProfile) throws -> String {
    guard let roleARN = profile.settings.roleArn?.value, !roleARN.isEmpty else {
      throw CredentialError(
        message: "profile \"\(TerminalText.excerpt(profile.displayName, limit: 64))\" has no role_arn",
        hint: "role_arn is a required parameter when using external identity providers")
    }
    return roleARN
  }

  /// The chain of a SAML or OIDC profile: the federated step into `role_arn`, cached in
  /// `.aws_assume_role_<profile>` like an IAM role; or with `jump_role_arn` the federated step into
  /// the jump role (cached under `<kind><account>-<role>`, the Go tool's name), then AssumeRole
  /// into `role_arn` for one hour, cached in `.aws_assume_role_<profile>`.
  ///
  /// - Parameter federatedStep: The provider of the federated step for a role and its cache file.
  func federatedChain(
    for profile: ResolvedProfile, kind: CredentialCacheFile.Kind,
    federatedStep: (_ roleARN: String, _ cache: CredentialCacheFile) -> any CredentialProvider
  ) throws -> any CredentialProvider {
    let roleARN = try federatedRoleARN(of: profile)
    guard let jumpRole = Self.jumpRoleCacheName(of: profile) else {
      return federatedStep(
        roleARN, CredentialCacheFile(directory: cacheDirectory, kind: .assumeRole, name: profile.roleCacheName))
    }
    let jump = federatedStep(
      jumpRole.arn, CredentialCacheFile(directory: cacheDirectory, kind: kind, name: jumpRole.cacheName))
    return AssumeRoleProvider(
      base: jump, roleARN: roleARN, sessionName: { sessionName(for: profile) },
      duration: DurationLimits.roleChainingMaximum, externalID: profile.settings.externalId?.value, mfaSerial: nil,
      mfa: mfa, cache: CredentialCacheFile(directory: cacheDirectory, kind: .assumeRole, name: profile.roleCacheName),
      sts: sts, now: now)
  }

  /// `jump_role_arn` and the name its step is cached under (`<account>-<role name>`), when set.
  static func jumpRoleCacheName(of profile: ResolvedProfile) -> (arn: String, cacheName: String)? {
    guard let arn = profile.settings.jumpRoleArn?.value, !arn.isEmpty else { return nil }
    guard let role = try? RoleARN(parsing: arn) else { return (arn, arn) }
    return (arn, "\(role.account)-\(role.roleName)")
  }

  /// The cache file of a SAML or OIDC profile's outermost step: `.aws_assume_role_<profile>`, like
  /// an IAM role's (issue 9; the Go tool names it `.aws_saml_role_` / `.aws_web_role_`, which only
  /// a jump role's first step keeps here).
  static func federatedCacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile {
    CredentialCacheFile(directory: directory, kind: .assumeRole, name: profile.roleCacheName)
  }
}

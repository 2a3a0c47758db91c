/// A SAML profile (``ProfileKind/saml``, `saml_auth_url` set): a sign-in with the identity
/// provider for a SAML assertion, then AssumeRoleWithSAML into `role_arn`, cached in
/// `.aws_assume_role_<profile>` like an IAM role (issue 9; the Go tool's `.aws_saml_role_` name is
/// kept for a jump role's first step); with `jump_role_arn`, into the jump role first (spec §4.7). The sign-in is in `IdentityProviders/`.
struct SAMLCredentialSource: CredentialSource {
  var label: String { "SAML" }

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    let assertions = try Self.assertionSource(for: profile, builder: builder)
    let duration = DurationLimits.assumeRole.clamp(profile.settings.requestedRoleDuration, logger: builder.logger)
    return try builder.federatedChain(for: profile, kind: .samlRole) { roleARN, cache in
      SAMLRoleProvider(
        roleARN: roleARN, duration: duration, assertions: assertions, cache: cache, sts: builder.sts, now: builder.now)
    }
  }

  /// Where `profile`'s assertions come from.
  static func assertionSource(for profile: ResolvedProfile, builder: CredentialChainBuilder) throws
    -> SAMLAssertionSource
  {
    guard let url = profile.settings.samlAuthURL?.value, !url.isEmpty else {
      throw CredentialError(message: "profile \"\(profile.displayName)\" has no saml_auth_url")
    }
    return SAMLAssertionSource(
      url: url, providerName: profile.settings.samlProvider?.value,
      makeContext: builder.identityProviderContextFactory(for: profile, url: url, isSAML: true), now: builder.now)
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    CredentialChainBuilder.federatedCacheFile(for: profile, in: directory)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? {
    listingRoles ? nil : "detected SAML or Web Identity profile, only IAM profiles support MFA device retrieval"
  }

  func identityProviderRoles(for profile: ResolvedProfile, builder: CredentialChainBuilder) async throws
    -> (userName: String, roles: [String])?
  {
    let assertion = try await Self.assertionSource(for: profile, builder: builder).assertion()
    let userName =
      assertion.roleSessionName ?? profile.settings.samlUsername?.value
      ?? URLReference.redacted(
        profile.settings.samlAuthURL?.value ?? "")
    return (userName, AssumableRoles.printable(assertion.roles.map(\.roleARN)))
  }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    diagnostics.checkIdentityProviderRole(of: profile) + diagnostics.checkSingleSignOn(of: profile)
  }

  func configurationLines(for profile: ResolvedProfile) -> [(key: String, value: String)] {
    [
      ("SAML ENDPOINT URL", URLReference.maskingSecrets(profile.settings.samlAuthURL?.value ?? "")),
      ("SAML USERNAME", profile.settings.samlUsername?.value ?? ""),
      ("JUMP ROLE ARN", profile.settings.jumpRoleArn?.value ?? ""),
    ]
  }
}

/// An OIDC profile (``ProfileKind/oidc``: `web_identity_auth_url`, or `web_identity_token_file`
/// with `role_arn`): an id_token (the token file; else the token cache or a sign-in with the
/// identity provider), then AssumeRoleWithWebIdentity into `role_arn`, cached in
/// `.aws_assume_role_<profile>` like an IAM role (issue 9; the Go tool's `.aws_web_role_` name is
/// kept for a jump role's first step); with `jump_role_arn`, into the jump role first (spec §4.7). The sign-in is in `IdentityProviders/`.
struct WebIdentityCredentialSource: CredentialSource {
  var label: String { "OIDC" }

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    let settings = profile.settings
    let origin: WebIdentityTokenSource.Origin
    if let file = settings.webIdentityTokenFile?.value, !file.isEmpty {
      origin = .file(file)
    } else {
      let name = TerminalText.excerpt(profile.displayName, limit: 64)
      guard let url = settings.webIdentityAuthURL?.value, !url.isEmpty else {
        throw CredentialError(
          message: "profile \"\(name)\" has neither web_identity_auth_url nor web_identity_token_file")
      }
      guard let clientID = settings.webIdentityClientID?.value, !clientID.isEmpty,
        let redirectURI = settings.webIdentityRedirectURI?.value, !redirectURI.isEmpty
      else {
        throw CredentialError(
          message: "profile \"\(name)\" is missing web_identity_client_id and/or web_identity_redirect_uri",
          hint: "both are needed for an OIDC sign-in; your identity provider's administrators know them")
      }
      origin = .provider(
        WebIdentitySignInSettings(
          url: url, clientID: clientID, redirectURI: redirectURI, providerName: settings.webIdentityProvider?.value,
          makeContext: builder.identityProviderContextFactory(for: profile, url: url, isSAML: false)))
    }
    let tokens = WebIdentityTokenSource(
      origin: origin, cache: IdentityTokenCacheFile(directory: builder.cacheDirectory), now: builder.now)
    let duration = DurationLimits.assumeRole.clamp(settings.requestedRoleDuration, logger: builder.logger)
    let configured = settings.roleSessionName.map(\.value).flatMap { $0.count >= 2 ? $0 : nil }
    return try builder.federatedChain(for: profile, kind: .webRole) { roleARN, cache in
      WebIdentityRoleProvider(
        roleARN: roleARN, configuredSessionName: configured.map(CredentialChainBuilder.sanitizedSessionName),
        fallbackSessionName: { builder.sessionName(for: profile) }, duration: duration, tokens: tokens, cache: cache,
        sts: builder.sts, now: builder.now)
    }
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    CredentialChainBuilder.federatedCacheFile(for: profile, in: directory)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? {
    listingRoles
      ? "detected Web Identity profile, only IAM and SAML profiles support role enumeration"
      : "detected SAML or Web Identity profile, only IAM profiles support MFA device retrieval"
  }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    diagnostics.checkIdentityProviderRole(of: profile) + diagnostics.checkSingleSignOn(of: profile)
  }

  func configurationLines(for profile: ResolvedProfile) -> [(key: String, value: String)] {
    [
      ("WEB IDENTITY ENDPOINT URL", URLReference.maskingSecrets(profile.settings.webIdentityAuthURL?.value ?? "")),
      ("WEB IDENTITY CLIENT ID", profile.settings.webIdentityClientID?.value ?? ""),
      ("WEB IDENTITY REDIRECT URI", profile.settings.webIdentityRedirectURI?.value ?? ""),
      ("WEB IDENTITY USERNAME", profile.settings.webIdentityUsername?.value ?? ""),
      ("JUMP ROLE ARN", profile.settings.jumpRoleArn?.value ?? ""),
    ]
  }
}

/// An OIDC profile (``ProfileKind/oidc``, `web_identity_auth_url` set): an identity-provider
/// login, then AssumeRoleWithWebIdentity, cached in `.aws_web_role_<profile>` (spec §3.1). This
/// build cannot log in yet: its chain is an error, but the cache file the Go tool writes is still
/// read for the countdown.
struct WebIdentityCredentialSource: CredentialSource {
  var label: String { "OIDC" }

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    throw CredentialError.singleSignOnUnavailable(for: profile)
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    CredentialCacheFile(directory: directory, kind: .webRole, name: profile.roleCacheName)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? {
    listingRoles
      ? "detected Web Identity profile, only IAM and SAML profiles support role enumeration"
      : "detected SAML or Web Identity profile, only IAM profiles support MFA device retrieval"
  }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    var findings = diagnostics.checkIdentityProviderRole(of: profile)
    let settings = profile.settings
    if settings.webIdentityClientID == nil || settings.webIdentityRedirectURI == nil {
      findings.append(.init(.error, "missing web_identity_client_id and/or web_identity_redirect_uri configuration"))
    }
    return findings
  }

  func configurationLines(for settings: ProfileSettings) -> [(key: String, value: String)] {
    [
      ("WEB IDENTITY ENDPOINT URL", settings.webIdentityAuthURL?.value ?? ""),
      ("WEB IDENTITY CLIENT ID", settings.webIdentityClientID?.value ?? ""),
      ("WEB IDENTITY REDIRECT URI", settings.webIdentityRedirectURI?.value ?? ""),
      ("WEB IDENTITY USERNAME", settings.webIdentityUsername?.value ?? ""),
      ("JUMP ROLE ARN", settings.jumpRoleArn?.value ?? ""),
    ]
  }
}

/// A SAML profile (``ProfileKind/saml``, `saml_auth_url` set): an identity-provider login, then
/// AssumeRoleWithSAML, cached in `.aws_saml_role_<profile>` (spec §3.1). This build cannot log in
/// yet: its chain is an error, but the cache file the Go tool writes is still read for the
/// countdown.
struct SAMLCredentialSource: CredentialSource {
  var label: String { "SAML" }

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    throw CredentialError.singleSignOnUnavailable(for: profile)
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    CredentialCacheFile(directory: directory, kind: .samlRole, name: profile.roleCacheName)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? {
    listingRoles
      ? "listing the roles of a SAML profile is not supported by this build yet"
      : "detected SAML or Web Identity profile, only IAM profiles support MFA device retrieval"
  }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    diagnostics.checkIdentityProviderRole(of: profile)
  }

  func configurationLines(for settings: ProfileSettings) -> [(key: String, value: String)] {
    [
      ("SAML ENDPOINT URL", settings.samlAuthURL?.value ?? ""), ("SAML USERNAME", settings.samlUsername?.value ?? ""),
      ("JUMP ROLE ARN", settings.jumpRoleArn?.value ?? ""),
    ]
  }
}

/// An IAM user profile (``ProfileKind/iamUser``): long-term keys exchanged for a session token
/// (GetSessionToken, with MFA when `mfa_serial` is set), cached in
/// `.aws_session_token_<profile>`. Temporary keys (with a session token) are used as they are.
struct SessionTokenCredentialSource: CredentialSource {
  var label: String { "IAM user" }

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    try builder.sessionTokenProvider(for: profile)
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    let base = CredentialChainBuilder.chainBase(of: profile)
    if (base.staticCredentials ?? profile.staticCredentials)?.sessionToken != nil { return nil }
    return CredentialChainBuilder.sessionTokenCacheFile(for: profile, in: directory)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? { nil }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    diagnostics.checkLongTermKeys(of: profile)
  }

  func configurationLines(for profile: ResolvedProfile) -> [(key: String, value: String)] { [] }
}

/// How one kind of profile (``ProfileKind``) gets its credentials: the chain of providers that
/// fetches them, the cache file the chain's outermost step keeps them in, and what the kind means
/// for `list roles` / `list mfa`, `aws-runas -D` and the TUI's profile list.
///
/// Everything that depends on the kind of a profile is asked here, through
/// ``ProfileKind/credentialSource``: ``CredentialChainBuilder``, ``IdentityListing``,
/// ``ProfileDiagnostics`` and the TUI's `ProfileRow` hold no `switch` on the kind, and the TUI
/// reads the cache file the provider writes instead of working out its name again.
///
/// ## Adding a kind (SAML, OIDC, IAM Identity Center…)
///
/// 1. A case of ``ProfileKind`` (`Config/ProfileSettings.swift`) that `ProfileResolver` chooses
///    (its `kind(…)`, spec §2.7 order), with its keys in `Config/ProfileKeys.swift` and
///    ``ProfileSettings``.
/// 2. A source file, `Credentials/<Kind>CredentialSource.swift`: a type conforming to this
///    protocol, returned for the new case by ``ProfileKind/credentialSource`` (the compiler
///    points at that one `switch`). Its providers (one ``CredentialProvider`` per STS call, see
///    `CredentialProvider.swift`) use the file ``cacheFile(for:in:)`` names, so the countdown
///    reads what they write; an identity provider's login goes under `IdentityProviders/` and asks
///    its questions through ``Prompter``.
/// 3. Its tests, beside `Tests/RunAsCoreTests/CredentialSourceTests.swift`: the provider's cache
///    file is ``cacheFile(for:in:)``, the label, the listing refusals, the diagnostic findings.
package protocol CredentialSource: Sendable {
  /// The kind in words, as the TUI's list shows it: `IAM user`, `role`, `SAML`…
  var label: String { get }

  /// The chain of providers that produces `profile`'s credentials; with `sessionOnly` (`-s`) the
  /// session-token credentials of the chain's base profile. Building it calls nothing and
  /// prompts for nothing: a cache hit then costs one file read.
  ///
  /// - Parameter builder: What every chain is built with (cache directory, environment, STS,
  ///   MFA codes, logger, clock) and the steps kinds share.
  /// - Throws: when profiles of this kind cannot get credentials (yet), or the keys at the base
  ///   of the chain are missing.
  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider

  /// The cache file of the outermost step of `profile`'s chain (what `-r` clears and the TUI's
  /// countdown reads), for keys from the files; `nil` when the credentials are used as they are
  /// (temporary keys in the files).
  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile?

  /// Why `list roles` (`listingRoles`) or `list mfa` cannot work for this kind, in the Go tool's
  /// words; `nil` when it can.
  func identityListingRefusal(listingRoles: Bool) -> String?

  /// The roles `list roles` shows when this kind knows them without IAM (a SAML assertion's),
  /// and whose they are; `nil` to list the IAM user's roles.
  func identityProviderRoles(for profile: ResolvedProfile, builder: CredentialChainBuilder) async throws
    -> (userName: String, roles: [String])?

  /// The findings of `aws-runas -D` about `profile`'s own configuration (its keys, its identity
  /// provider settings).
  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding]

  /// The lines this kind adds to the configuration dump of `aws-runas -D` (Go tool's `KEY: value`).
  func configurationLines(for profile: ResolvedProfile) -> [(key: String, value: String)]
}

extension CredentialSource {
  /// Most kinds list the IAM user's roles.
  func identityProviderRoles(for profile: ResolvedProfile, builder: CredentialChainBuilder) async throws
    -> (userName: String, roles: [String])?
  { nil }
}

extension ProfileKind {
  /// The source of credentials for profiles of this kind: the one place a kind is mapped to
  /// what it does.
  package var credentialSource: any CredentialSource {
    switch self {
    case .iamUser: SessionTokenCredentialSource()
    case .role: AssumeRoleCredentialSource(label: "role")
    case .roleARN: AssumeRoleCredentialSource(label: "role ARN")
    case .saml: SAMLCredentialSource()
    case .oidc: WebIdentityCredentialSource()
    case .identityCenter: IdentityCenterCredentialSource()
    }
  }
}

extension ResolvedProfile {
  /// The source of this profile's credentials (``ProfileKind/credentialSource``).
  package var credentialSource: any CredentialSource { kind.credentialSource }

  /// The name a role step's cache file is keyed by (spec §3.1): the profile name, or
  /// `<account>-<role name>` for a role ARN given instead of a profile name.
  package var roleCacheName: String {
    if !name.isEmpty { return name }
    let arn = settings.roleArn?.value ?? ""
    // Resolution has validated the ARN; a hand-made profile with a bad one keeps its whole text
    // (cache names escape what a file name cannot hold).
    guard let role = try? RoleARN(parsing: arn) else { return arn }
    return "\(role.account)-\(role.roleName)"
  }
}

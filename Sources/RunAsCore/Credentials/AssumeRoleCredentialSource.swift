/// A role profile (``ProfileKind/role``) or a role ARN given instead of a profile name
/// (``ProfileKind/roleARN``): AssumeRole with the source profile's credentials, cached in
/// `.aws_assume_role_<profile>` (`<account>-<role name>` for a role ARN).
///
/// The chains follow the Go tool (spec §3.5) with AWS-CLI role chaining (§12.2):
/// - duration ≤ 1 h: keys → GetSessionToken with MFA (cached per source profile, shared by every
///   role using it) → AssumeRole without MFA;
/// - duration > 1 h: keys → AssumeRole with MFA in the call;
/// - a source profile that is itself a role, or an IAM Identity Center profile: the source's
///   chain → AssumeRole (≤ 1 h, as AWS limits role chaining).
struct AssumeRoleCredentialSource: CredentialSource {
  /// `role` or `role ARN`.
  let label: String

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    guard let roleARN = profile.settings.roleArn?.value, !sessionOnly else {
      return try builder.sessionTokenProvider(for: profile)
    }
    let logger = builder.logger
    var duration = DurationLimits.assumeRole.clamp(profile.settings.requestedRoleDuration, logger: logger)

    let base: any CredentialProvider
    var directMFASerial: String? = nil
    if let source = profile.source, source.settings.roleArn != nil || source.kind == .identityCenter {
      base = try builder.provider(for: source)
      if duration > DurationLimits.roleChainingMaximum {
        logger.debug("role chaining limits \(profile.displayName) to 1h0m0s")
        duration = DurationLimits.roleChainingMaximum
      }
    } else if duration > .seconds(3600) {
      // AWS refuses more than 1 h for roles assumed with session-token credentials, so this path
      // calls AssumeRole directly with the long-term keys and the MFA code.
      base = StaticCredentialProvider(try builder.baseCredentials(for: profile))
      directMFASerial = profile.settings.mfaSerial?.value
    } else {
      base = try builder.sessionTokenProvider(for: profile)
    }
    return AssumeRoleProvider(
      base: base, roleARN: roleARN, sessionName: { builder.sessionName(for: profile) }, duration: duration,
      externalID: profile.settings.externalId?.value, mfaSerial: directMFASerial, mfa: builder.mfa(for: profile),
      cache: Self.cacheFile(for: profile, in: builder.cacheDirectory), sts: builder.sts, now: builder.now)
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    Self.cacheFile(for: profile, in: directory)
  }

  private static func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile {
    CredentialCacheFile(directory: directory, kind: .assumeRole, name: profile.roleCacheName)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? { nil }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    diagnostics.checkLongTermKeys(of: profile)
  }

  func configurationLines(for profile: ResolvedProfile) -> [(key: String, value: String)] { [] }
}

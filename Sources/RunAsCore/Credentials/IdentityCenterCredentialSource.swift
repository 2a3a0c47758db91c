import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An IAM Identity Center profile (``ProfileKind/identityCenter``: `sso_session` or
/// `sso_start_url` with `sso_account_id` and `sso_role_name`): a token from the AWS CLI v2's
/// cache (refreshed, or a device sign-in when someone can approve it), then GetRoleCredentials,
/// cached in `.aws_sso_role_<profile>`. The engine's side is in `IdentityCenter/`.
struct IdentityCenterCredentialSource: CredentialSource {
  var label: String { "SSO" }

  func provider(for profile: ResolvedProfile, sessionOnly: Bool, builder: CredentialChainBuilder) throws
    -> any CredentialProvider
  {
    let name = TerminalText.excerpt(profile.displayName, limit: 64)
    guard let configuration = profile.identityCenter else {
      throw CredentialError(message: "profile \"\(name)\" has no IAM Identity Center settings")
    }
    guard let accountID = configuration.accountID else {
      throw CredentialError(
        message: "profile \"\(name)\" uses IAM Identity Center but sets no sso_account_id",
        hint: "add sso_account_id and sso_role_name; aws-runas sso list shows the accounts and roles you can use")
    }
    guard let roleName = configuration.roleName else {
      throw CredentialError(
        message: "profile \"\(name)\" uses IAM Identity Center but sets no sso_role_name",
        hint: "add sso_role_name; aws-runas sso list shows the roles of account \(accountID)")
    }
    let environment = builder.environment
    let logger = builder.logger
    let services = IdentityCenterServices(
      session: configuration.session, settings: profile.settings, environment: environment, logger: logger)
    let presenter: (any DeviceAuthorizationPresenter)? =
      builder.mfa.prompter is NoPrompter
      ? nil : ImplicitSignInPresenter(prompter: builder.mfa.prompter, environment: environment, logger: logger)
    let tokens = IdentityCenterTokenProvider(
      session: configuration.session, cache: SSOCacheDirectory(environment: environment), oidc: services,
      presenter: presenter, logger: logger, now: builder.now)
    return IdentityCenterRoleProvider(
      profileName: profile.displayName, accountID: accountID, roleName: roleName, tokens: tokens, portal: services,
      cache: Self.cacheFile(for: profile, in: builder.cacheDirectory), now: builder.now)
  }

  func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile? {
    Self.cacheFile(for: profile, in: directory)
  }

  private static func cacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile {
    IdentityCenterRoleProvider.cacheFile(directory: directory, profileName: profile.displayName)
  }

  func identityListingRefusal(listingRoles: Bool) -> String? {
    listingRoles
      ? "an IAM Identity Center profile has no IAM user to list roles for; aws-runas sso list shows its accounts and roles"
      : "an IAM Identity Center profile has no IAM user and so no MFA devices"
  }

  func diagnosticFindings(for profile: ResolvedProfile, diagnostics: ProfileDiagnostics) -> [DiagnosticFinding] {
    guard let sso = profile.identityCenter else { return [] }
    var findings: [DiagnosticFinding] = []
    if sso.accountID == nil || sso.roleName == nil {
      findings.append(
        DiagnosticFinding(
          .error,
          "IAM Identity Center profile without "
            + (sso.accountID == nil ? "sso_account_id" : "sso_role_name")
            + "; aws-runas sso list shows the accounts and roles you can use"))
    }
    let cache = SSOCacheDirectory(environment: diagnostics.environment)
    let session = sso.session
    do {
      if let token = try cache.token(for: session) {
        let now = Date()
        if token.isValid(at: now) {
          findings.append(
            DiagnosticFinding(
              .info,
              "IAM Identity Center token of \(session.displayName) valid until "
                + Timestamp.formatRFC3339(token.expiresAt)))
        } else if token.refreshRegistration(at: now) != nil {
          findings.append(
            DiagnosticFinding(
              .info, "IAM Identity Center token of \(session.displayName) expired; it will be refreshed"))
        } else {
          findings.append(
            DiagnosticFinding(
              .warning, "IAM Identity Center token of \(session.displayName) expired; run aws-runas sso login"))
        }
      } else {
        findings.append(
          DiagnosticFinding(
            .warning, "not signed in to IAM Identity Center (\(session.displayName)); run aws-runas sso login"))
      }
    } catch {
      findings.append(DiagnosticFinding(.error, "\(error)"))
    }
    return findings
  }

  func configurationLines(for profile: ResolvedProfile) -> [(key: String, value: String)] {
    guard let sso = profile.identityCenter else { return [] }
    return [
      ("SSO SESSION", sso.session.name ?? ""), ("SSO START URL", sso.session.startURL),
      ("SSO REGION", sso.session.region), ("SSO ACCOUNT ID", sso.accountID ?? ""),
      ("SSO ROLE NAME", sso.roleName ?? ""),
    ]
  }
}

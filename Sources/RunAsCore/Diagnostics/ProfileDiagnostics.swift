#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One result of a diagnostic check.
public struct DiagnosticFinding: Sendable, Equatable {
  /// How serious it is.
  public enum Severity: String, Sendable, Equatable {
    /// All is well.
    case info = "INFO"
    /// Worth a look.
    case warning = "WARN"
    /// Will break something.
    case error = "ERROR"
  }

  /// How serious it is.
  public let severity: Severity
  /// What was found, in the Go tool's words where it has them.
  public let message: String

  /// Creates a finding.
  public init(_ severity: Severity, _ message: String) {
    self.severity = severity
    self.message = message
  }
}

/// The outcome of `aws-runas -D`: findings in check order, the resolved settings with their origins,
/// and the clock drift when it could be measured.
public struct DiagnosticReport: Sendable {
  /// The findings, in the order the checks ran.
  public var findings: [DiagnosticFinding] = []
  /// The profile checked (`default` when none was given).
  public var profileName: String = "default"
  /// The resolved profile, when resolution succeeded.
  public var profile: ResolvedProfile?
  /// Local clock minus AWS's clock, when measured.
  public var clockDrift: Duration?

  /// The Go tool's `KEY: value` dump of the resolved configuration.
  public var configurationDump: [(key: String, value: String)] {
    guard let profile else { return [] }
    let s = profile.settings
    var lines: [(key: String, value: String)] = [
      ("PROFILE", profileName),
      ("REGION", s.region?.value ?? ""),
      ("SOURCE PROFILE", s.sourceProfile?.value ?? ""),
      ("SESSION TOKEN DURATION", DurationLimits.sessionToken.describe(s.sessionTokenDuration?.value)),
      ("MFA SERIAL", s.mfaSerial?.value ?? ""),
      ("ROLE ARN", s.roleArn?.value ?? ""),
      ("EXTERNAL ID", s.externalId?.value ?? ""),
      ("ASSUME ROLE CREDENTIAL DURATION", DurationLimits.assumeRole.describe(s.requestedRoleDuration)),
    ]
    lines += profile.credentialSource.configurationLines(for: profile)
    return lines
  }
}

/// The checks of `aws-runas -D` (spec §7.1). They live in the engine so the TUI's diagnose pane
/// shows exactly what the command line prints.
public struct ProfileDiagnostics: Sendable {
  /// The process environment.
  public let environment: [String: String]
  /// The configuration files.
  public let files: AWSConfigFiles

  /// Creates the diagnostics for `files` and `environment`.
  public init(files: AWSConfigFiles, environment: [String: String]) {
    self.files = files
    self.environment = environment
  }

  /// Runs every check for `profileName` (or the default section when `nil`).
  ///
  /// - Parameter serverDate: Fetches AWS's clock (the `Date` header of an STS response); `nil` skips
  ///   the drift check.
  public func run(
    profileName: String?, resolver: ProfileResolver, overrides: ProfileSettings = ProfileSettings(),
    serverDate: (@Sendable (ResolvedProfile) async throws -> Date?)? = nil,
    now: @Sendable () -> Date = { Date() }
  ) async -> DiagnosticReport {
    var report = DiagnosticReport()
    if let profileName, !profileName.isEmpty {
      report.profileName = profileName
    } else {
      report.findings.append(
        .init(
          .warning, "No profile specified, will only check default section. Provide a profile name for more validation")
      )
    }
    let profile: ResolvedProfile
    do {
      profile = try resolver.resolve(profileName ?? "", overrides: overrides)
    } catch {
      report.findings.append(.init(.error, "\(error)"))
      return report
    }
    report.profile = profile
    report.findings += checkEnvironment()
    report.findings.append(Self.checkRegion(profile.settings.region))
    report.findings += checkProfile(profile)
    if let serverDate {
      do {
        if let awsNow = try await serverDate(profile) {
          let drift = Duration.milliseconds(Int64((now().timeIntervalSince(awsNow) * 1000).rounded()))
          report.clockDrift = drift
          report.findings.append(Self.judgeDrift(drift))
        } else {
          report.findings.append(.init(.warning, "cannot check clock drift: the AWS response had no Date header"))
        }
      } catch {
        report.findings.append(.init(.warning, "cannot check clock drift: \(error)"))
      }
    }
    if let server = environment["RUNAS_NTP_SERVER"], !server.isEmpty {
      do {
        let drift = try await SNTPClient(server: server).clockOffset()
        let verdict = Self.judgeDrift(drift)
        report.findings.append(.init(verdict.severity, verdict.message + " according to NTP server \(server)"))
      } catch {
        report.findings.append(.init(.error, "error checking ntp: \(error)"))
      }
    }
    return report
  }

  /// The verdict on a clock difference: over 5 minutes breaks AWS calls, over 3 is a warning.
  public static func judgeDrift(_ drift: Duration) -> DiagnosticFinding {
    let magnitude = drift < .zero ? .zero - drift : drift
    if magnitude >= .seconds(300) {
      return .init(.error, "Local time drift is more than 5m0s, AWS API requests will be rejected")
    }
    if magnitude > .seconds(180) {
      return .init(.warning, "Local time drift is more than 3m0s seconds, check system time")
    }
    return .init(.info, "system time is within spec (drift \(GoDuration.format(drift)))")
  }

  /// Whether a region is set, and is a name the SDKs accept.
  static func checkRegion(_ region: Setting<String>?) -> DiagnosticFinding {
    guard let region else {
      return .init(.error, "region is not set, it must be specified in the config file or as an environment variable")
    }
    guard RegionName.isValid(region.value) else {
      return .init(
        .error,
        "region \"\(TerminalText.excerpt(region.value, limit: 100))\" (\(region.origin)) is invalid: \(RegionName.rule)"
      )
    }
    return .init(.info, "region is configured in profile or environment variable")
  }

  func checkEnvironment() -> [DiagnosticFinding] {
    guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
      let token = environment["AWS_SESSION_TOKEN"], !token.isEmpty
    else { return [] }
    if key.hasPrefix("AKIA") {
      return [.init(.error, "detected static access key env var along with session token env var, this is invalid")]
    }
    return [.init(.info, "environment variables appear sane")]
  }

  func checkProfile(_ profile: ResolvedProfile) -> [DiagnosticFinding] {
    let s = profile.settings
    if s.samlAuthURL != nil && s.webIdentityAuthURL != nil {
      return [.init(.error, "found SAML and Web Identity (OIDC) endpoint urls set, this is invalid")]
    }
    return checkOrphanedSingleSignOnKeys(of: profile)
      + profile.credentialSource.diagnosticFindings(for: profile, diagnostics: self)
  }

  /// For a profile that signs in with an identity provider (SAML, OIDC): the role it needs.
  func checkIdentityProviderRole(of profile: ResolvedProfile) -> [DiagnosticFinding] {
    guard profile.settings.roleArn == nil else { return [] }
    return [.init(.error, "role_arn is a required parameter when using external identity providers")]
  }

  /// For a SAML or OIDC profile: its URL is http(s) (https unless on this machine), an OIDC
  /// sign-in has its client ID and redirect URI, the provider named is one aws-runas knows.
  func checkSingleSignOn(of profile: ResolvedProfile) -> [DiagnosticFinding] {
    let s = profile.settings
    var findings: [DiagnosticFinding] = []
    let urls = [("saml_auth_url", s.samlAuthURL), ("web_identity_auth_url", s.webIdentityAuthURL)]
    for case (let key, let setting?) in urls {
      let place = "\(key) (\(setting.origin))"
      guard let parts = HTTPURLParts(setting.value) else {
        findings.append(.init(.error, "\(place) is not an http(s) URL"))
        continue
      }
      if !setting.value.lowercased().hasPrefix("https://"), !Self.isLoopback(parts.host) {
        findings.append(.init(.warning, "\(place) is not https: the password and the sign-in travel unencrypted"))
      }
    }
    if s.webIdentityAuthURL != nil, s.webIdentityTokenFile == nil {
      if s.webIdentityClientID == nil || s.webIdentityRedirectURI == nil {
        findings.append(.init(.error, "missing web_identity_client_id and/or web_identity_redirect_uri configuration"))
      }
    }
    if let setting = s.samlAuthURL != nil ? s.samlProvider : s.webIdentityProvider {
      do throws(IdentityProviderError) {
        _ = try IdentityProviderRegistry.provider(named: setting.value)
      } catch {
        findings.append(.init(.error, "\(error.message) (\(setting.origin)); \(error.hint ?? "")"))
      }
    }
    return findings
  }

  /// Single sign-on keys on a profile with neither `saml_auth_url` nor `web_identity_auth_url`
  /// (nor `web_identity_token_file`): they do nothing.
  func checkOrphanedSingleSignOnKeys(of profile: ResolvedProfile) -> [DiagnosticFinding] {
    let s = profile.settings
    guard s.samlAuthURL == nil, s.webIdentityAuthURL == nil, s.webIdentityTokenFile == nil else { return [] }
    let keys: [(String, Setting<String>?)] = [
      ("saml_username", s.samlUsername), ("saml_provider", s.samlProvider),
      ("web_identity_client_id", s.webIdentityClientID),
      ("web_identity_redirect_uri", s.webIdentityRedirectURI), ("web_identity_username", s.webIdentityUsername),
      ("web_identity_provider", s.webIdentityProvider), ("jump_role_arn", s.jumpRoleArn),
    ]
    let set = keys.filter { $0.1 != nil }.map(\.0)
    guard !set.isEmpty else { return [] }
    return [
      .init(
        .warning,
        "\(set.joined(separator: ", ")) set but neither saml_auth_url nor web_identity_auth_url: single sign-on is not used"
      )
    ]
  }

  private static func isLoopback(_ host: String) -> Bool {
    let host = host.lowercased()
    return host == "localhost" || host.hasPrefix("127.") || host == "[::1]" || host == "::1"
  }

  /// For a profile whose chain starts with long-term keys (IAM user, role): the credentials-file
  /// section that must hold them, and environment keys that would compete with them.
  func checkLongTermKeys(of profile: ResolvedProfile) -> [DiagnosticFinding] {
    var base = profile
    while base.settings.roleArn != nil {
      guard let source = base.source, source !== base else {
        if base.staticCredentials != nil { break }
        return [.init(.error, "missing source_profile configuration for profile '\(base.displayName)'")]
      }
      base = source
    }
    let sectionName = base.name.isEmpty ? "default" : base.name
    var findings: [DiagnosticFinding] = []
    let section = files.credentials.section(sectionName)
    let hasKeys =
      section?.entry("aws_access_key_id")?.value.isEmpty == false
      && section?.entry("aws_secret_access_key")?.value.isEmpty == false
    if !hasKeys {
      findings.append(
        .init(.error, "incomplete or missing credentials for profile '\(sectionName)' in \(files.credentialsPath)"))
      return findings
    }
    findings.append(.init(.info, "profile credentials appear sane"))
    if let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty {
      findings.append(
        .init(
          .error, "detected AWS credential environment variables and profile credentials, this may confuse aws-runas"))
    } else {
      findings.append(.init(.info, "credentials appear sane"))
    }
    return findings
  }
}

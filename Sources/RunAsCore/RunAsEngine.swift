import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The engine's front door: configuration files, profile resolution, credential chains, STS and
/// diagnostics, for one process environment. The command line and the TUI both start here.
public struct RunAsEngine: Sendable {
  /// How long before expiry cached credentials are renewed (SDKs reject credentials with less
  /// than 10 minutes left when they refresh).
  public static let refreshMargin = Duration.seconds(600)

  /// The environment everything is resolved against.
  public let environment: [String: String]
  /// The loaded configuration and credentials files.
  public let files: AWSConfigFiles
  /// Resolves profiles from `files` and `environment`.
  public let resolver: ProfileResolver
  /// Where the engine logs.
  public let logger: Logger
  /// The identity-provider password given on the command line (`-P`), for SAML and OIDC sign-ins.
  public var identityProviderPassword: String?

  /// Loads the configuration files named by `environment`.
  public init(environment: [String: String], logger: Logger) throws {
    self.environment = environment
    self.files = try AWSConfigFiles.load(environment: environment)
    self.resolver = ProfileResolver(files: files, environment: environment)
    self.logger = logger
  }

  /// Resolves `name` (a profile name, a role ARN, or empty for the default profile).
  public func resolve(_ name: String, overrides: ProfileSettings = ProfileSettings()) throws -> ResolvedProfile {
    try resolver.resolve(name, overrides: overrides)
  }

  /// The STS client for `profile`'s region and configured endpoints.
  public func stsService(for profile: ResolvedProfile) -> STSService {
    STSService(profile: profile, environment: environment, logger: logger)
  }

  /// The provider chain for `profile`'s credentials (`sessionOnly` for `-s`).
  public func provider(
    for profile: ResolvedProfile, sessionOnly: Bool = false, mfa: MFACodeSource
  ) throws -> any CredentialProvider {
    try chainBuilder(for: profile, mfa: mfa).provider(for: profile, sessionOnly: sessionOnly)
  }

  /// What `profile`'s chains are built with: the cache directory, STS for its region, MFA codes
  /// from `mfa`, and for SAML and OIDC sign-ins the `-P` password and the credentials file (where
  /// `aws-runas password` stores one).
  public func chainBuilder(for profile: ResolvedProfile, mfa: MFACodeSource) -> CredentialChainBuilder {
    var builder = CredentialChainBuilder(
      cacheDirectory: files.cacheDirectory, environment: environment, sts: stsService(for: profile), mfa: mfa,
      logger: logger)
    builder.identityProviderPassword = identityProviderPassword
    builder.credentialsFile = files.credentials
    return builder
  }

  /// `profile`'s credentials for a long-running consumer (a command's private endpoint, the TUI's
  /// shell and switchboard, `serve`): renewed ahead of expiry by a chain that never prompts while
  /// the current ones are still valid, and by a chain that gets MFA codes from `mfa` once they
  /// have expired.
  ///
  /// - Parameters:
  ///   - sessionOnly: Session-token credentials instead of role credentials (`-s`).
  ///   - mfa: Where the interactive chain gets MFA codes.
  ///   - initial: Credentials already fetched, served while they are outside the refresh margin.
  public func refreshingCredentials(
    for profile: ResolvedProfile, sessionOnly: Bool = false, mfa: MFACodeSource, initial: AWSCredentials? = nil
  ) throws -> RefreshingCredentials {
    let quiet = try provider(
      for: profile, sessionOnly: sessionOnly, mfa: MFACodeSource(presetCode: nil, prompter: NoPrompter()))
    let interactive = try provider(for: profile, sessionOnly: sessionOnly, mfa: mfa)
    return RefreshingCredentials(
      quietProvider: quiet, interactiveProvider: interactive, initial: initial, refreshMargin: Self.refreshMargin)
  }

  /// Runs the diagnostics of `aws-runas -D` for `profileName`.
  public func diagnose(profileName: String?, overrides: ProfileSettings = ProfileSettings()) async -> DiagnosticReport {
    let diagnostics = ProfileDiagnostics(files: files, environment: environment)
    let environment = self.environment
    let logger = self.logger
    return await diagnostics.run(
      profileName: profileName, resolver: resolver, overrides: overrides,
      serverDate: { profile in
        try await STSService(profile: profile, environment: environment, logger: logger).serverDate()
      })
  }
}

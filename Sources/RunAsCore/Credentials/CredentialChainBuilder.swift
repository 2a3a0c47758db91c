import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// Turns a resolved profile into the chain of providers that produce its credentials.
///
/// The chain itself comes from the profile kind's ``CredentialSource`` (e.g.
/// `AssumeRoleCredentialSource` for roles, where the Go tool's chains are described); the builder
/// carries what every chain is built with and the steps the kinds share: the session token at the
/// base of a chain, the long-term keys, the role session name.
public struct CredentialChainBuilder: Sendable {
  /// Where cache files live (the config file's directory).
  public let cacheDirectory: String
  /// The process environment, for static keys in `AWS_ACCESS_KEY_ID` & co.
  public let environment: [String: String]
  /// The STS client every step uses.
  public let sts: any SecurityTokenService
  /// Where MFA codes come from.
  public let mfa: MFACodeSource
  /// Log destination for duration clamping and chain decisions.
  public let logger: Logger
  /// The clock.
  public let now: @Sendable () -> Date
  /// The identity-provider password given with `-P`, for SAML and OIDC sign-ins.
  public var identityProviderPassword: String?
  /// The credentials file, where `aws-runas password` stores identity-provider passwords.
  public var credentialsFile: INIFile?

  /// Creates the builder.
  public init(
    cacheDirectory: String, environment: [String: String], sts: any SecurityTokenService,
    mfa: MFACodeSource, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.cacheDirectory = cacheDirectory
    self.environment = environment
    self.sts = sts
    self.mfa = mfa
    self.logger = logger
    self.now = now
  }

  /// The provider of `profile`'s credentials: its role credentials, or with `sessionOnly` (`-s`)
  /// the session-token credentials of the chain's base profile.
  public func provider(for profile: ResolvedProfile, sessionOnly: Bool = false) throws -> any CredentialProvider {
    try profile.credentialSource.provider(for: profile, sessionOnly: sessionOnly, builder: self)
  }

  /// The session-token step for the base of `profile`'s chain: its source profile's keys, or its own.
  func sessionTokenProvider(for profile: ResolvedProfile) throws -> any CredentialProvider {
    let keys = try baseCredentials(for: profile)
    if keys.sessionToken != nil {
      // Temporary keys cannot call GetSessionToken; use them as they are.
      return StaticCredentialProvider(keys)
    }
    let duration = DurationLimits.sessionToken.clamp(profile.settings.sessionTokenDuration?.value, logger: logger)
    return SessionTokenProvider(
      base: keys, cache: Self.sessionTokenCacheFile(for: profile, in: cacheDirectory),
      duration: duration, mfaSerial: profile.settings.mfaSerial?.value, mfa: mfa(for: profile), sts: sts,
      now: now)
  }

  /// The MFA source for `profile`: the builder's, with the profile's `mfa_process` if it has one.
  func mfa(for profile: ResolvedProfile) -> MFACodeSource {
    guard let command = profile.settings.mfaProcess?.value, !command.isEmpty else { return mfa }
    return mfa.using(MFAProcess(commandLine: command, environment: environment))
  }

  /// The session token's cache file, `.aws_session_token_<base>`: shared by every role whose chain
  /// starts at the same profile.
  static func sessionTokenCacheFile(for profile: ResolvedProfile, in directory: String) -> CredentialCacheFile {
    CredentialCacheFile(directory: directory, kind: .sessionToken, name: chainBase(of: profile).name)
  }

  /// The long-term keys at the base of `profile`'s chain: from the files, else the environment.
  func baseCredentials(for profile: ResolvedProfile) throws -> AWSCredentials {
    let base = Self.chainBase(of: profile)
    if let keys = base.staticCredentials ?? profile.staticCredentials {
      return AWSCredentials(
        accessKeyID: keys.accessKeyID, secretAccessKey: keys.secretAccessKey,
        sessionToken: keys.sessionToken, expiration: nil)
    }
    if let keys = Self.environmentCredentials(environment) { return keys }
    let name = base.name.isEmpty ? "default" : base.name
    throw CredentialError(
      message:
        "no credentials for profile \"\(name)\": no aws_access_key_id/aws_secret_access_key in its credentials file section and none in the environment",
      hint: "add them under [\(name)] in your credentials file, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
  }

  /// The profile at the start of `profile`'s role chain: the first one whose keys call STS.
  static func chainBase(of profile: ResolvedProfile) -> ResolvedProfile {
    var base = profile
    while let source = base.source, source !== base, base.settings.roleArn != nil { base = source }
    return base
  }

  /// Static keys from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (or the legacy names).
  public static func environmentCredentials(_ environment: [String: String]) -> AWSCredentials? {
    let keyID = environment["AWS_ACCESS_KEY_ID"].nonEmpty ?? environment["AWS_ACCESS_KEY"].nonEmpty
    let secret = environment["AWS_SECRET_ACCESS_KEY"].nonEmpty ?? environment["AWS_SECRET_KEY"].nonEmpty
    guard let keyID, let secret else { return nil }
    let token = environment["AWS_SESSION_TOKEN"].nonEmpty ?? environment["AWS_SECURITY_TOKEN"].nonEmpty
    return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expiration: nil)
  }

  /// The role session name: `role_session_name` when set (2+ characters), else the MFA device's
  /// name (normally the IAM user name), else the local user name, else a timestamp.
  ///
  /// The Go tool asks GetCallerIdentity on every run for this; deriving it locally keeps cache hits
  /// free of network calls and cold runs to exactly the STS calls they need.
  func sessionName(for profile: ResolvedProfile) -> String {
    if let configured = profile.settings.roleSessionName?.value, configured.count >= 2 {
      return Self.sanitizedSessionName(configured)
    }
    if let serial = profile.settings.mfaSerial?.value, let name = serial.split(separator: "/").last,
      serial.hasPrefix("arn:"), name.count >= 2
    {
      return Self.sanitizedSessionName(String(name))
    }
    if let user = Self.localUserName(environment), user.count >= 2 {
      return Self.sanitizedSessionName(user)
    }
    return "aws-runas-\(Int(now().timeIntervalSince1970))"
  }

  /// Replaces characters STS rejects in a session name and limits it to 64 characters.
  static func sanitizedSessionName(_ name: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")
    return String(String(name.map { allowed.contains($0) ? $0 : "-" }).prefix(64))
  }

  static func localUserName(_ environment: [String: String]) -> String? {
    if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name {
      let value = String(cString: name)
      if !value.isEmpty { return value }
    }
    return environment["USER"].nonEmpty ?? environment["LOGNAME"].nonEmpty
  }
}

extension Optional where Wrapped == String {
  /// The string when present and non-empty, else `nil`.
  var nonEmpty: String? {
    guard let self, !self.isEmpty else { return nil }
    return self
  }
}

extension ResolvedProfile {
  /// The profile's name for messages: its name, the role ARN for an ARN profile, or `default`.
  public var displayName: String {
    if !name.isEmpty { return name }
    return settings.roleArn?.value ?? "default"
  }
}

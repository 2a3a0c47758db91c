#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Something that produces AWS credentials: static keys, a cached STS call, a chain of them.
public protocol CredentialProvider: Sendable {
  /// Credentials that stay valid for at least `margin`, from the cache when possible, otherwise
  /// from STS (prompting for MFA through the engine's ``Prompter`` if needed).
  func credentials(validFor margin: Duration) async throws -> AWSCredentials

  /// The credentials ``credentials(validFor:)`` would return without calling STS or prompting:
  /// what the cache holds for the outermost step if it stays valid for at least `margin`; `nil`
  /// when nothing usable is cached or the provider does not cache.
  ///
  /// Synchronous, so the cached-credential path runs without the concurrency runtime; the
  /// providers' `credentials(validFor:)` start with this same check.
  func cachedCredentials(validFor margin: Duration) -> AWSCredentials?

  /// The cache file of the outermost step (what `-r` clears), if it has one.
  var cacheFile: CredentialCacheFile? { get }
}

extension CredentialProvider {
  /// Deletes the outermost step's cache file, so the next request calls STS again.
  public func clearCache() throws {
    try cacheFile?.clear()
  }
}

/// A role step whose credentials live in one cache file and count while valid at ``now``: the
/// federated steps (AssumeRoleWithSAML, AssumeRoleWithWebIdentity) and Identity Center's
/// GetRoleCredentials. (``AssumeRoleProvider`` and ``SessionTokenProvider``, on the measured
/// cached-credential path, keep their own copies.)
public protocol CachedRoleStep: CredentialProvider {
  /// The step's cache file.
  var cache: CredentialCacheFile { get }
  /// The clock.
  var now: @Sendable () -> Date { get }
}

extension CachedRoleStep {
  /// The step's cache file.
  public var cacheFile: CredentialCacheFile? { cache }

  /// The cached credentials if they stay valid for `margin`.
  public func cachedCredentials(validFor margin: Duration) -> AWSCredentials? {
    cache.validCredentials(at: now(), margin: margin)
  }
}

/// Long-term (or otherwise externally managed) credentials used as they are.
public struct StaticCredentialProvider: CredentialProvider {
  /// The credentials.
  public let staticCredentials: AWSCredentials

  /// A provider of `credentials`.
  public init(_ credentials: AWSCredentials) {
    self.staticCredentials = credentials
  }

  /// The static credentials.
  public func credentials(validFor margin: Duration) async throws -> AWSCredentials { staticCredentials }

  /// The static credentials.
  public func cachedCredentials(validFor margin: Duration) -> AWSCredentials? { staticCredentials }

  /// Static credentials have no cache file.
  public var cacheFile: CredentialCacheFile? { nil }
}

/// Supplies MFA codes: the one given with `-o`/`MFA_CODE`, else the profile's `mfa_process`,
/// otherwise by asking the user.
public struct MFACodeSource: Sendable {
  /// A code given up front (`-o`, `MFA_CODE`).
  public let presetCode: String?
  /// Asks the user when there is no preset code.
  public let prompter: any Prompter
  /// The profile's `mfa_process`, run before any prompt.
  public private(set) var process: MFAProcess?

  /// This source with `process` run before any prompt.
  public func using(_ process: MFAProcess?) -> MFACodeSource {
    var source = self
    source.process = process
    return source
  }

  /// Creates the source.
  public init(presetCode: String?, prompter: any Prompter) {
    self.presetCode = presetCode.flatMap { $0.isEmpty ? nil : $0 }
    self.prompter = prompter
  }

  /// A code for the MFA device `serial`.
  public func code(for serial: String) async throws -> String {
    if let presetCode { return presetCode }
    if let process { return try await process.code(for: serial) }
    do {
      let answer = try await prompter.ask("MFA token code: ", isSecret: false)
      let code = answer.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !code.isEmpty else {
        throw CredentialError(message: "no MFA code entered for \(serial)")
      }
      return code
    } catch let unavailable as PromptUnavailable {
      throw PromptUnavailable(
        message: "an MFA code for \(serial) is needed but there is no terminal to ask on",
        hint: unavailable.hint ?? "pass the code with -o CODE or the MFA_CODE environment variable")
    }
  }
}

/// GetSessionToken credentials, cached per source profile and shared by every role that uses it.
public struct SessionTokenProvider: CredentialProvider {
  /// The long-term credentials that call GetSessionToken.
  public let base: AWSCredentials
  /// Where the session token is cached (`.aws_session_token_<source profile>`).
  public let cache: CredentialCacheFile
  /// The requested lifetime, already clamped.
  public let duration: Duration
  /// The MFA device to authenticate with, if the profile needs MFA.
  public let mfaSerial: String?
  /// Where MFA codes come from.
  public let mfa: MFACodeSource
  /// The STS client.
  public let sts: any SecurityTokenService
  /// The clock.
  public let now: @Sendable () -> Date

  /// Creates the provider.
  public init(
    base: AWSCredentials, cache: CredentialCacheFile, duration: Duration, mfaSerial: String?,
    mfa: MFACodeSource, sts: any SecurityTokenService, now: @escaping @Sendable () -> Date
  ) {
    self.base = base
    self.cache = cache
    self.duration = duration
    self.mfaSerial = mfaSerial.flatMap { $0.isEmpty ? nil : $0 }
    self.mfa = mfa
    self.sts = sts
    self.now = now
  }

  public var cacheFile: CredentialCacheFile? { cache }

  /// The cached token if it is fresh enough and carries MFA when MFA is required.
  public func cachedCredentials(validFor margin: Duration) -> AWSCredentials? {
    guard let entry = cache.load(), entry.credentials.isValid(at: now(), margin: margin) else { return nil }
    // A token obtained without MFA must never stand in for one that needs MFA.
    if mfaSerial != nil, entry.mfaSerial == "" { return nil }
    return entry.credentials
  }

  public func credentials(validFor margin: Duration) async throws -> AWSCredentials {
    try await cache.refresh(unlessCached: { cachedCredentials(validFor: margin) }) {
      let code: String?
      if let mfaSerial { code = try await mfa.code(for: mfaSerial) } else { code = nil }
      let fresh = try await sts.getSessionToken(
        credentials: base, duration: duration, mfaSerial: mfaSerial, tokenCode: code)
      return CachedCredentials(credentials: fresh, mfaSerial: mfaSerial ?? "")
    }
  }
}

/// AssumeRole credentials for one profile, cached in `.aws_assume_role_<profile>`.
public struct AssumeRoleProvider: CredentialProvider {
  /// What calls AssumeRole: a session token, long-term keys, or the previous role of a chain.
  public let base: any CredentialProvider
  /// The role to assume.
  public let roleARN: String
  /// The role session name, worked out when AssumeRole is called: deriving it may read the
  /// password database, which a cache hit has no need for.
  public let sessionName: @Sendable () -> String
  /// The requested lifetime, already clamped.
  public let duration: Duration
  /// The external ID, if the role's trust policy wants one.
  public let externalID: String?
  /// Set only on the direct (> 1 h) path, where MFA goes into the AssumeRole call itself.
  public let mfaSerial: String?
  /// Where MFA codes come from.
  public let mfa: MFACodeSource
  /// Where the role credentials are cached.
  public let cache: CredentialCacheFile
  /// The STS client.
  public let sts: any SecurityTokenService
  /// The clock.
  public let now: @Sendable () -> Date

  /// Creates the provider.
  public init(
    base: any CredentialProvider, roleARN: String, sessionName: @escaping @Sendable () -> String, duration: Duration,
    externalID: String?, mfaSerial: String?, mfa: MFACodeSource, cache: CredentialCacheFile,
    sts: any SecurityTokenService, now: @escaping @Sendable () -> Date
  ) {
    self.base = base
    self.roleARN = roleARN
    self.sessionName = sessionName
    self.duration = duration
    self.externalID = externalID.flatMap { $0.isEmpty ? nil : $0 }
    self.mfaSerial = mfaSerial.flatMap { $0.isEmpty ? nil : $0 }
    self.mfa = mfa
    self.cache = cache
    self.sts = sts
    self.now = now
  }

  public var cacheFile: CredentialCacheFile? { cache }

  /// The cached role credentials if they are fresh enough.
  public func cachedCredentials(validFor margin: Duration) -> AWSCredentials? {
    cache.validCredentials(at: now(), margin: margin)
  }

  public func credentials(validFor margin: Duration) async throws -> AWSCredentials {
    try await cache.refresh(unlessCached: { cachedCredentials(validFor: margin) }) {
      // The caller only needs the base credentials long enough to make this one call.
      let baseCredentials = try await base.credentials(validFor: .seconds(60))
      let code: String?
      if let mfaSerial { code = try await mfa.code(for: mfaSerial) } else { code = nil }
      let fresh = try await sts.assumeRole(
        credentials: baseCredentials, roleARN: roleARN, sessionName: sessionName(),
        duration: duration, externalID: externalID, mfaSerial: mfaSerial, tokenCode: code)
      return CachedCredentials(credentials: fresh, mfaSerial: mfaSerial ?? "")
    }
  }
}

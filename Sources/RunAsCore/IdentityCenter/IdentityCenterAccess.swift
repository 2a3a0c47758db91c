import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An account with the roles the signed-in user may take in it.
public struct IdentityCenterAccountRoles: Sendable, Equatable {
  /// The account.
  public var account: IdentityCenterAccount
  /// Its role (permission set) names, sorted.
  public var roles: [String]

  /// Creates an entry.
  public init(account: IdentityCenterAccount, roles: [String]) {
    self.account = account
    self.roles = roles
  }
}

/// Everything the `sso` commands and the TUI's account browser do with one Identity Center
/// session: sign in, sign out, list accounts and roles, show the token's expiry.
public struct IdentityCenterAccess: Sendable {
  /// The session.
  public let session: IdentityCenterSession
  /// The services (endpoints from `settings` and the environment).
  public let services: IdentityCenterServices
  /// Tokens for the session.
  public let tokens: IdentityCenterTokenProvider
  /// The config file's directory, where aws-runas caches role credentials.
  public let credentialCacheDirectory: String

  /// Creates access to `session`, with endpoints configured by `settings` (the profile's).
  public init(
    session: IdentityCenterSession, settings: ProfileSettings, environment: [String: String],
    credentialCacheDirectory: String, presenter: (any DeviceAuthorizationPresenter)?, logger: Logger,
    now: @escaping @Sendable () -> Date = { Date() },
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
  ) {
    self.session = session
    self.services = IdentityCenterServices(
      session: session, settings: settings, environment: environment, logger: logger)
    self.tokens = IdentityCenterTokenProvider(
      session: session, cache: SSOCacheDirectory(environment: environment), oidc: services, presenter: presenter,
      logger: logger, now: now, sleep: sleep)
    self.credentialCacheDirectory = credentialCacheDirectory
  }

  /// The cached token, if there is a readable one (for showing its expiry).
  public var cachedToken: SSOToken? { try? tokens.cache.token(for: session) }

  /// A new sign-in, whatever the cache holds (`aws-runas sso login`).
  @discardableResult
  public func signIn() async throws -> SSOToken {
    try await tokens.token(forceSignIn: true)
  }

  /// Every account the session can reach, with its roles, sorted by account name.
  /// Signs in first if needed (and possible).
  public func accountsAndRoles() async throws -> [IdentityCenterAccountRoles] {
    var token = try await tokens.token()
    do {
      return try await Self.directory(portal: services, accessToken: token.accessToken)
    } catch let error as AWSServiceError where error.code == "UnauthorizedException" {
      guard tokens.canSignIn else { throw tokens.sessionExpired(hadToken: true) }
      token = try await tokens.token(forceSignIn: true)
      return try await Self.directory(portal: services, accessToken: token.accessToken)
    }
  }

  /// ListAccounts, then ListAccountRoles for each account, following every `nextToken`.
  public static func directory(portal: any IdentityCenterPortal, accessToken: String) async throws
    -> [IdentityCenterAccountRoles]
  {
    var accounts: [IdentityCenterAccount] = []
    var next: String?
    repeat {
      let page = try await portal.accounts(accessToken: accessToken, nextToken: next)
      accounts += page.items
      next = try nextToken(page.nextToken, after: next, operation: "ListAccounts")
    } while next != nil
    var result: [IdentityCenterAccountRoles] = []
    for account in accounts {
      var roles: [String] = []
      var roleNext: String?
      repeat {
        let page = try await portal.roles(accessToken: accessToken, accountID: account.accountID, nextToken: roleNext)
        roles += page.items
        roleNext = try nextToken(page.nextToken, after: roleNext, operation: "ListAccountRoles")
      } while roleNext != nil
      result.append(IdentityCenterAccountRoles(account: account, roles: Array(Set(roles)).sorted()))
    }
    return result.sorted {
      ($0.account.accountName.lowercased(), $0.account.accountID) < (
        $1.account.accountName.lowercased(), $1.account.accountID
      )
    }
  }

  /// A service that answers the same token again would page forever.
  private static func nextToken(_ token: String?, after previous: String?, operation: String) throws -> String? {
    guard let token else { return nil }
    if token == previous {
      throw AWSResponseDecodingError(service: "sso", operation: operation, reason: "the same nextToken twice")
    }
    return token
  }

  /// Ends the session: portal Logout with its token (errors ignored, as the AWS CLI does), the
  /// token file removed, and aws-runas's cached role credentials of `profileNames` removed.
  /// Returns whether there was a token.
  @discardableResult
  public func signOut(profileNames: [String]) async throws -> Bool {
    let token = cachedToken
    if let token {
      do {
        try await services.logout(accessToken: token.accessToken)
      } catch let error as CancellationError {
        throw error
      } catch {
        tokens.logger.debug("IAM Identity Center Logout failed (ignored): \(error)")
      }
    }
    try tokens.cache.removeToken(for: session)
    for name in profileNames {
      try IdentityCenterRoleProvider.cacheFile(directory: credentialCacheDirectory, profileName: name).clear()
    }
    return token != nil
  }
}

/// `aws sso logout` for every session at once: every token file in the shared cache is logged out
/// and removed, and every aws-runas and AWS CLI cached credential that came from Identity Center.
public enum IdentityCenterSignOut {
  /// Signs every cached token out; returns how many token files were removed.
  ///
  /// - Parameters:
  ///   - settings: Endpoint settings for the Logout calls (each in its token's region).
  ///   - credentialCacheDirectory: Where aws-runas keeps `.aws_sso_role_*` files.
  public static func all(
    environment: [String: String], settings: ProfileSettings, credentialCacheDirectory: String, logger: Logger
  ) async throws -> Int {
    let cache = SSOCacheDirectory(environment: environment)
    var removed = 0
    for file in cache.allTokenFiles() {
      if let region = file.region, RegionName.isValid(region) {
        let services = IdentityCenterServices(
          session: IdentityCenterSession(name: nil, startURL: "", region: region), settings: settings,
          environment: environment, logger: logger)
        do {
          try await services.logout(accessToken: file.accessToken)
        } catch let error as CancellationError {
          throw error
        } catch {
          logger.debug("IAM Identity Center Logout failed (ignored): \(error)")
        }
      }
      try POSIXFile.remove(file.path)
      removed += 1
    }
    for name in POSIXFile.entries(ofDirectory: credentialCacheDirectory) ?? []
    where name.hasPrefix(IdentityCenterRoleProvider.cacheFilePrefix) && !name.hasSuffix(".lock") {
      try POSIXFile.remove(credentialCacheDirectory + "/" + name)
    }
    // The AWS CLI's own role credentials from Identity Center, as `aws sso logout` removes them.
    let cliCache = POSIXFile.directoryName(POSIXFile.directoryName(cache.path)) + "/cli/cache"
    for name in POSIXFile.entries(ofDirectory: cliCache) ?? [] where name.hasSuffix(".json") {
      let path = cliCache + "/" + name
      guard let bytes = try? POSIXFile.read(path, limit: 256 * 1024),
        String(decoding: bytes, as: UTF8.self).contains("\"ProviderType\": \"sso\"")
      else { continue }
      try POSIXFile.remove(path)
    }
    return removed
  }
}

extension RunAsEngine {
  /// The Identity Center session of `profileName`: its own, or for a role profile the one at
  /// the base of its chain; or the `[sso-session name]` section when `sessionName` is given.
  ///
  /// - Returns: The session, the settings whose endpoints apply, and the profiles that use the
  ///   session (whose cached role credentials a sign-out removes).
  public func identityCenterSession(profileName: String?, sessionName: String?) throws
    -> (session: IdentityCenterSession, settings: ProfileSettings, profiles: [String])
  {
    let session: IdentityCenterSession
    let settings: ProfileSettings
    if let sessionName {
      session = try IdentityCenterConfiguration.session(named: sessionName, in: files.config)
      settings = (try? resolve("")).map(\.settings) ?? ProfileSettings()
    } else {
      let profile = try resolve(profileName ?? "")
      guard let base = profile.chain.first(where: { $0.identityCenter != nil }), let sso = base.identityCenter
      else {
        let sessions = IdentityCenterConfiguration.sessionNames(in: files.config)
        throw IdentityCenterError(
          message: "profile \"\(TerminalText.excerpt(profile.displayName, limit: 64))\" does not use IAM Identity "
            + "Center (no sso_session or sso_start_url)",
          hint: sessions.isEmpty
            ? "add sso_session and an [sso-session] section to the profile"
            : "name a session with --sso-session (known: "
              + sessions.prefix(5).map { TerminalText.excerpt($0, limit: 64) }.joined(separator: ", ") + ")")
      }
      session = sso.session
      settings = base.settings
    }
    let profiles = resolver.resolveAllProfiles().compactMap { entry -> String? in
      guard case .success(let profile) = entry.result,
        profile.chain.contains(where: { $0.identityCenter?.session.tokenCacheKey == session.tokenCacheKey })
      else { return nil }
      return entry.name
    }
    return (session, settings, profiles)
  }

  /// Access to `session` with the engine's environment and logger.
  public func identityCenterAccess(
    session: IdentityCenterSession, settings: ProfileSettings, presenter: (any DeviceAuthorizationPresenter)?
  ) -> IdentityCenterAccess {
    IdentityCenterAccess(
      session: session, settings: settings, environment: environment,
      credentialCacheDirectory: files.cacheDirectory, presenter: presenter, logger: logger)
  }
}

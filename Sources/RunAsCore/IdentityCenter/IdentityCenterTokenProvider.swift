import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Shows a device sign-in to the user while the flow waits for approval: the CLI prints the URL
/// and code and opens a browser, the TUI shows a modal with a countdown.
public protocol DeviceAuthorizationPresenter: Sendable {
  /// Shows `authorization` for `session` for as long as `waitForApproval` runs, and returns what
  /// it returns. Cancelling the presentation (Esc, Ctrl-C) cancels the wait.
  func present(
    _ authorization: DeviceAuthorization, for session: IdentityCenterSession, expiresAt: Date,
    while waitForApproval: @escaping @Sendable () async throws -> SSOTokenGrant
  ) async throws -> SSOTokenGrant

  /// Whether anyone can see a sign-in now; `false` turns a needed sign-in into an error saying
  /// to run `aws-runas sso login`.
  var canPresent: Bool { get }
}

extension DeviceAuthorizationPresenter {
  /// Presenters can present unless they say otherwise.
  public var canPresent: Bool { true }
}

/// Shows a device sign-in through a ``Prompter``'s notice (the terminal or a TUI modal) and opens
/// the browser.
public struct PrompterDevicePresenter: DeviceAuthorizationPresenter {
  /// Where the notice goes.
  public let prompter: any Prompter
  /// Opens the verification URL; `nil` to only show it.
  public let browser: BrowserLauncher?
  /// Also receives the notice, so it reaches standard error when there is no terminal.
  public let logger: Logger

  /// Creates the presenter.
  public init(prompter: any Prompter, browser: BrowserLauncher?, logger: Logger) {
    self.prompter = prompter
    self.browser = browser
    self.logger = logger
  }

  public func present(
    _ authorization: DeviceAuthorization, for session: IdentityCenterSession, expiresAt: Date,
    while waitForApproval: @escaping @Sendable () async throws -> SSOTokenGrant
  ) async throws -> SSOTokenGrant {
    let notice = Self.notice(authorization, session: session, expiresAt: expiresAt)
    logger.info("\(notice)")
    await browser?.open(authorization.browserURL)
    if let countdown = prompter as? any CountdownPrompter {
      return try await countdown.showing(
        Self.notice(authorization, session: session, expiresAt: nil), until: expiresAt, while: waitForApproval)
    }
    return try await prompter.showing(notice, while: waitForApproval)
  }

  /// `Sign in to <start URL>: open <URL> and check that it shows the code ABCD-EFGH (expires
  /// HH:MM).`
  public static func notice(_ authorization: DeviceAuthorization, session: IdentityCenterSession, expiresAt: Date?)
    -> String
  {
    "IAM Identity Center sign-in for \(TerminalText.excerpt(session.startURL, limit: 200)): open "
      + "\(TerminalText.excerpt(authorization.browserURL, limit: 400)) and confirm the code "
      + "\(TerminalText.excerpt(authorization.userCode, limit: 32))"
      + (expiresAt.map { " (valid until \(LocalTime.system.format($0)))" } ?? "")
  }
}

/// A ``Prompter`` that can count down to a deadline while it shows a notice (the TUI's modal
/// shows how long the sign-in code stays valid).
public protocol CountdownPrompter: Prompter {
  /// Shows `notice` with the time left until `deadline` for as long as `work` runs; cancelling
  /// the notice cancels `work`.
  func showing<Value: Sendable>(
    _ notice: String, until deadline: Date, while work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value
}

/// Valid IAM Identity Center access tokens for one session, from the shared token cache when
/// possible, else by refreshing, else by the device sign-in.
///
/// Like botocore: a token with less than ``refreshWindow`` left is refreshed when it has a
/// refresh token and an unexpired registration; a failed refresh falls back to the old token
/// while it lasts. Unlike the AWS CLI, a missing or expired token starts the sign-in when someone
/// can approve it (``presenter`` is set); otherwise the error says to run `aws-runas sso login`.
public struct IdentityCenterTokenProvider: Sendable {
  /// The session.
  public let session: IdentityCenterSession
  /// The shared cache directory.
  public let cache: SSOCacheDirectory
  /// SSO-OIDC.
  public let oidc: any IdentityCenterOIDC
  /// Who shows a sign-in; `nil` when nobody can (endpoint refreshes, `NoPrompter`).
  public let presenter: (any DeviceAuthorizationPresenter)?
  /// Log destination.
  public let logger: Logger
  /// The clock.
  public let now: @Sendable () -> Date
  /// Waits between CreateToken polls.
  public let sleep: @Sendable (Duration) async throws -> Void

  /// botocore refreshes tokens with less than this left.
  public static let refreshWindow = Duration.seconds(15 * 60)
  /// A registration is reused while it has at least this left.
  public static let registrationMargin = Duration.seconds(15 * 60)
  /// A token is used only while it has at least this left.
  public static let minimumLifetime = Duration.seconds(60)

  /// Creates the provider.
  public init(
    session: IdentityCenterSession, cache: SSOCacheDirectory, oidc: any IdentityCenterOIDC,
    presenter: (any DeviceAuthorizationPresenter)?, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
  ) {
    self.session = session
    self.cache = cache
    self.oidc = oidc
    self.presenter = presenter
    self.logger = logger
    self.now = now
    self.sleep = sleep
  }

  /// Whether a sign-in can be shown to someone.
  public var canSignIn: Bool { presenter?.canPresent ?? false }

  /// A token valid for at least ``minimumLifetime``; with `forceSignIn` always a new sign-in (as
  /// `aws sso login` does, and after the portal rejected the cached token).
  public func token(forceSignIn: Bool = false) async throws -> SSOToken {
    if !forceSignIn, let cached = try? cache.token(for: session), cached.isValid(at: now(), margin: Self.refreshWindow)
    {
      return cached
    }
    return try await cache.withTokenLock(for: session) {
      var cacheProblem: SSOCacheFileError?
      var cached: SSOToken?
      do {
        cached = try cache.token(for: session)
      } catch let problem as SSOCacheFileError {
        cacheProblem = problem
        logger.warning("\(problem)")
      }
      if !forceSignIn, let cached {
        if cached.isValid(at: now(), margin: Self.refreshWindow) { return cached }
        if let registration = cached.refreshRegistration(at: now()), let refreshToken = cached.refreshToken {
          do {
            let grant = try await oidc.refreshToken(registration: registration, refreshToken: refreshToken)
            let refreshed = token(from: grant, registration: registration, previous: cached)
            try cache.store(refreshed, for: session)
            logger.debug("refreshed the IAM Identity Center token of \(session.displayName)")
            return refreshed
          } catch let error as CancellationError {
            throw error
          } catch {
            logger.debug("refreshing the IAM Identity Center token of \(session.displayName) failed: \(error)")
          }
        }
        if cached.isValid(at: now(), margin: Self.minimumLifetime) { return cached }
      }
      guard let presenter, presenter.canPresent else {
        if let cacheProblem { throw cacheProblem }
        throw sessionExpired(hadToken: cached != nil)
      }
      let fresh = try await signIn(presenter: presenter)
      try cache.store(fresh, for: session)
      return fresh
    }
  }

  /// The error when a token is needed and no sign-in can be shown.
  public func sessionExpired(hadToken: Bool) -> IdentityCenterError {
    IdentityCenterError(
      message: hadToken
        ? "the IAM Identity Center session of \(session.displayName) has expired or was revoked"
        : "not signed in to IAM Identity Center (\(session.displayName))",
      hint: "run aws-runas sso login"
        + (session.name.map { " --sso-session \(TerminalText.excerpt($0, limit: 64))" } ?? " <profile>"))
  }

  /// The device sign-in: a registration (cached or new), StartDeviceAuthorization, the
  /// presentation while CreateToken is polled, and the token built from the grant.
  func signIn(presenter: any DeviceAuthorizationPresenter) async throws -> SSOToken {
    let registration = try await registration()
    let started = now()
    let authorization = try await oidc.startDeviceAuthorization(
      registration: registration, startURL: session.startURL)
    let flow = DeviceAuthorizationFlow(oidc: oidc, now: now, sleep: sleep)
    let grant = try await presenter.present(
      authorization, for: session,
      expiresAt: started.addingTimeInterval(TimeInterval(authorization.expiresIn))
    ) {
      try await flow.awaitApproval(of: authorization, registration: registration, startedAt: started)
    }
    return token(from: grant, registration: registration, previous: nil)
  }

  /// The cached client registration, or a new one (then cached).
  func registration() async throws -> SSOClientRegistration {
    if let cached = cache.registration(for: session, validAt: now(), margin: Self.registrationMargin) {
      return cached
    }
    let name = "aws-runas-" + (session.name ?? String(Int(now().timeIntervalSince1970)))
    let registration = try await oidc.registerClient(name: name, scopes: session.registrationScopes)
    try cache.store(registration, for: session)
    return registration
  }

  private func token(from grant: SSOTokenGrant, registration: SSOClientRegistration, previous: SSOToken?) -> SSOToken {
    SSOToken(
      startURL: session.startURL, region: session.region, accessToken: grant.accessToken,
      expiresAt: now().addingTimeInterval(TimeInterval(grant.expiresIn)),
      refreshToken: grant.refreshToken ?? previous?.refreshToken, clientID: registration.clientID,
      clientSecret: registration.clientSecret, registrationExpiresAt: registration.expiresAt)
  }
}

import Logging

#if canImport(Glibc)
  import Glibc
#endif

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// SSO-OIDC and the access portal for one session, with endpoints resolved like every SDK:
/// `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`, the profile's
/// `[services]` section (`sso_oidc`, `sso`) and `endpoint_url`, else
/// `https://oidc.<sso_region>.amazonaws.com` and `https://portal.sso.<sso_region>.amazonaws.com`.
///
/// Nothing is resolved until a call is made, so building a provider chain for a cache hit costs
/// nothing here.
public struct IdentityCenterServices: IdentityCenterOIDC, IdentityCenterPortal {
  /// The session whose region the endpoints are in.
  public let session: IdentityCenterSession
  /// The settings of the profile the calls are made for (its endpoint settings apply).
  public let settings: ProfileSettings
  /// The process environment.
  public let environment: [String: String]
  /// Log destination.
  public let logger: Logger

  /// Creates the services.
  public init(
    session: IdentityCenterSession, settings: ProfileSettings, environment: [String: String], logger: Logger
  ) {
    self.session = session
    self.settings = settings
    self.environment = environment
    self.logger = logger
  }

  /// The endpoint of `service` (`sso` or `sso-oidc`).
  public func endpoint(_ service: String) throws -> ServiceEndpoint {
    let servicesKey = service.replacingOccurrences(of: "-", with: "_")
    return try EndpointResolver.resolve(
      service: service, region: session.region, regionOrigin: session.origin, environment: environment,
      servicesEndpointURL: (settings.serviceEndpoints[servicesKey] ?? settings.serviceEndpoints[service])?.value,
      profileEndpointURL: settings.endpointURL?.value)
  }

  /// The SSO-OIDC client.
  public func oidcClient() throws -> SSOOIDCClient {
    SSOOIDCClient(
      endpoint: try endpoint("sso-oidc"), transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  /// The portal client.
  public func portalClient() throws -> SSOPortalClient {
    SSOPortalClient(
      endpoint: try endpoint("sso"), transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  public func registerClient(name: String, scopes: [String]) async throws -> SSOClientRegistration {
    try await oidcClient().registerClient(name: name, scopes: scopes)
  }

  public func startDeviceAuthorization(registration: SSOClientRegistration, startURL: String) async throws
    -> DeviceAuthorization
  {
    try await oidcClient().startDeviceAuthorization(registration: registration, startURL: startURL)
  }

  public func createToken(registration: SSOClientRegistration, deviceCode: String) async throws -> SSOTokenGrant {
    try await oidcClient().createToken(registration: registration, deviceCode: deviceCode)
  }

  public func refreshToken(registration: SSOClientRegistration, refreshToken: String) async throws
    -> SSOTokenGrant
  {
    try await oidcClient().refreshToken(registration: registration, refreshToken: refreshToken)
  }

  public func roleCredentials(accessToken: String, accountID: String, roleName: String) async throws
    -> AWSCredentials
  {
    try await portalClient().roleCredentials(accessToken: accessToken, accountID: accountID, roleName: roleName)
  }

  public func accounts(accessToken: String, nextToken: String?) async throws
    -> IdentityCenterPage<IdentityCenterAccount>
  {
    try await portalClient().accounts(accessToken: accessToken, nextToken: nextToken)
  }

  public func roles(accessToken: String, accountID: String, nextToken: String?) async throws
    -> IdentityCenterPage<String>
  {
    try await portalClient().roles(accessToken: accessToken, accountID: accountID, nextToken: nextToken)
  }

  public func logout(accessToken: String) async throws {
    try await portalClient().logout(accessToken: accessToken)
  }
}

/// Shows a sign-in that a credential request started, through the request's prompter and the
/// browser. Only when someone can approve it: a terminal prompter without a terminal and without
/// a browser to open cannot reach anyone, and waiting ten minutes for the code to expire would
/// help nobody; the error then says to run `aws-runas sso login`.
///
/// Whether that is so is found out only when a sign-in is needed, so a cache hit never looks for
/// a terminal or a browser.
struct ImplicitSignInPresenter: DeviceAuthorizationPresenter {
  let prompter: any Prompter
  let environment: [String: String]
  let logger: Logger

  var canPresent: Bool {
    !(prompter is TTYPrompter) || BrowserLauncher(environment: environment, logger: logger) != nil
      || TTYPrompter.hasTerminal
  }

  func present(
    _ authorization: DeviceAuthorization, for session: IdentityCenterSession, expiresAt: Date,
    while waitForApproval: @escaping @Sendable () async throws -> SSOTokenGrant
  ) async throws -> SSOTokenGrant {
    try await PrompterDevicePresenter(
      prompter: prompter, browser: BrowserLauncher(environment: environment, logger: logger), logger: logger
    ).present(authorization, for: session, expiresAt: expiresAt, while: waitForApproval)
  }
}

extension TTYPrompter {
  /// Whether this process has a controlling terminal to ask on.
  static var hasTerminal: Bool {
    let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
    guard descriptor >= 0 else { return false }
    close(descriptor)
    return true
  }
}

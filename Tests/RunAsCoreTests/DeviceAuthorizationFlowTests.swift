import Foundation
import Logging
import Testing

@testable import RunAsCore

/// A clock that moves only when the code under test sleeps.
final class ManualClock: @unchecked Sendable {
  private let lock = NSLock()
  private var current: Date
  private var slept: [Duration] = []

  init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }

  var now: Date { lock.withLock { current } }
  var sleeps: [Duration] { lock.withLock { slept } }

  func sleep(_ duration: Duration) {
    lock.withLock {
      slept.append(duration)
      current = current.addingTimeInterval(Double(duration.components.seconds))
    }
  }
}

/// SSO-OIDC in memory: CreateToken answers from a script, then approves.
final class ScriptedOIDC: IdentityCenterOIDC, @unchecked Sendable {
  private let lock = NSLock()
  private var script: [String]
  private var log: [String] = []
  let authorization: DeviceAuthorization
  var refreshFailure: (any Error)?

  /// `script`: the error codes CreateToken answers, in order, before it grants a token.
  init(script: [String], authorization: DeviceAuthorization = ScriptedOIDC.defaultAuthorization) {
    self.script = script
    self.authorization = authorization
  }

  static let defaultAuthorization = DeviceAuthorization(
    deviceCode: "device", userCode: "ABCD-EFGH", verificationURI: "https://device.sso/",
    verificationURIComplete: "https://device.sso/?user_code=ABCD-EFGH", expiresIn: 600, interval: 1)

  var calls: [String] { lock.withLock { log } }

  private func record(_ call: String) { lock.withLock { log.append(call) } }

  func registerClient(name: String, scopes: [String]) async throws -> SSOClientRegistration {
    record("RegisterClient \(name) \(scopes)")
    return SSOClientRegistration(
      clientID: "client", clientSecret: "secret", expiresAt: Date(timeIntervalSince1970: 1_900_000_000), scopes: scopes)
  }

  func startDeviceAuthorization(registration: SSOClientRegistration, startURL: String) async throws
    -> DeviceAuthorization
  {
    record("StartDeviceAuthorization \(startURL)")
    return authorization
  }

  func createToken(registration: SSOClientRegistration, deviceCode: String) async throws -> SSOTokenGrant {
    record("CreateToken")
    let next: String? = lock.withLock { script.isEmpty ? nil : script.removeFirst() }
    if let next {
      throw AWSServiceError(service: "sso-oidc", operation: "CreateToken", statusCode: 400, code: next, message: "")
    }
    return SSOTokenGrant(accessToken: "new-access", expiresIn: 3600, refreshToken: "new-refresh")
  }

  func refreshToken(registration: SSOClientRegistration, refreshToken: String) async throws -> SSOTokenGrant {
    record("Refresh \(refreshToken)")
    if let refreshFailure { throw refreshFailure }
    return SSOTokenGrant(accessToken: "refreshed-access", expiresIn: 3600, refreshToken: nil)
  }
}

@Suite("Device authorization flow")
struct DeviceAuthorizationFlowTests {
  let clock = ManualClock()
  let registration = SSOClientRegistration(clientID: "c", clientSecret: "s", expiresAt: .distantFuture)

  func poll(_ oidc: ScriptedOIDC) async throws -> SSOTokenGrant {
    let clock = self.clock
    let flow = DeviceAuthorizationFlow(oidc: oidc, now: { clock.now }, sleep: { clock.sleep($0) })
    return try await flow.awaitApproval(of: oidc.authorization, registration: registration, startedAt: clock.now)
  }

  @Test func pendingPollsAgainAfterTheInterval() async throws {
    let oidc = ScriptedOIDC(script: ["AuthorizationPendingException", "AuthorizationPendingException"])
    let grant = try await poll(oidc)
    #expect(grant.accessToken == "new-access")
    #expect(oidc.calls == ["CreateToken", "CreateToken", "CreateToken"])
    #expect(clock.sleeps == [.seconds(1), .seconds(1)])
  }

  @Test func slowDownAddsFiveSecondsToEveryLaterPoll() async throws {
    let oidc = ScriptedOIDC(script: [
      "SlowDownException", "AuthorizationPendingException", "SlowDownException", "AuthorizationPendingException",
    ])
    _ = try await poll(oidc)
    #expect(clock.sleeps == [.seconds(6), .seconds(6), .seconds(11), .seconds(11)])
  }

  @Test func slowDownStormEndsWhenTheCodeExpires() async throws {
    let oidc = ScriptedOIDC(script: Array(repeating: "SlowDownException", count: 100))
    await #expect {
      _ = try await poll(oidc)
    } throws: { error in
      let text = "\(error)"
      return text.contains("the sign-in code ABCD-EFGH expired before it was approved")
        && text.contains("the service asked to slow down")
    }
    #expect(clock.now <= Date(timeIntervalSince1970: 1_800_000_600))
    #expect(oidc.calls.count < 20)
  }

  @Test func expiredDeviceCodeIsAClearError() async throws {
    let oidc = ScriptedOIDC(script: ["AuthorizationPendingException", "ExpiredTokenException"])
    await #expect {
      _ = try await poll(oidc)
    } throws: { "\($0)".contains("the sign-in code ABCD-EFGH expired before it was approved") }
  }

  @Test func denialInTheBrowserIsAClearError() async throws {
    let oidc = ScriptedOIDC(script: ["AccessDeniedException"])
    await #expect {
      _ = try await poll(oidc)
    } throws: {
      "\($0)" == "the sign-in with code ABCD-EFGH was denied in the browser (run the login again and choose Allow)"
    }
  }

  @Test func otherErrorsEndThePollingAsThemselves() async throws {
    let oidc = ScriptedOIDC(script: ["InvalidClientException"])
    await #expect {
      _ = try await poll(oidc)
    } throws: { ($0 as? AWSServiceError)?.code == "InvalidClientException" }
    #expect(oidc.calls == ["CreateToken"])
  }
}

@Suite("Identity Center tokens and role credentials")
struct IdentityCenterTokenProviderTests {
  let clock = ManualClock()
  let cache: SSOCacheDirectory = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sso-\(UUID().uuidString)").path
    return SSOCacheDirectory(path: path + "/sso/cache")
  }()
  let session = IdentityCenterSession(
    name: "corp", startURL: "https://corp.awsapps.com/start", region: "us-east-1",
    registrationScopes: ["sso:account:access"])

  /// Approves every sign-in at once, counting them.
  final class ApprovingPresenter: DeviceAuthorizationPresenter, @unchecked Sendable {
    private let lock = NSLock()
    private var shown: [String] = []
    var codes: [String] { lock.withLock { shown } }

    func present(
      _ authorization: DeviceAuthorization, for session: IdentityCenterSession, expiresAt: Date,
      while waitForApproval: @escaping @Sendable () async throws -> SSOTokenGrant
    ) async throws -> SSOTokenGrant {
      lock.withLock { shown.append(authorization.userCode) }
      return try await waitForApproval()
    }
  }

  func tokens(_ oidc: ScriptedOIDC, presenter: (any DeviceAuthorizationPresenter)?) -> IdentityCenterTokenProvider {
    let clock = self.clock
    return IdentityCenterTokenProvider(
      session: session, cache: cache, oidc: oidc, presenter: presenter, logger: Logger(label: "test"),
      now: { clock.now }, sleep: { clock.sleep($0) })
  }

  func storeToken(expiresIn seconds: TimeInterval, refreshable: Bool) throws {
    try cache.store(
      SSOToken(
        startURL: session.startURL, region: session.region, accessToken: "cached-access",
        expiresAt: clock.now.addingTimeInterval(seconds), refreshToken: refreshable ? "cached-refresh" : nil,
        clientID: "client", clientSecret: "secret", registrationExpiresAt: clock.now.addingTimeInterval(86_400)),
      for: session)
  }

  @Test func validCachedTokenIsUsedWithoutCalls() async throws {
    try storeToken(expiresIn: 3600, refreshable: true)
    let oidc = ScriptedOIDC(script: [])
    #expect(try await tokens(oidc, presenter: nil).token().accessToken == "cached-access")
    #expect(oidc.calls.isEmpty)
  }

  @Test func tokenNearExpiryIsRefreshedAndWrittenBackWithTheOldRefreshToken() async throws {
    try storeToken(expiresIn: 600, refreshable: true)
    let oidc = ScriptedOIDC(script: [])
    let token = try await tokens(oidc, presenter: nil).token()
    #expect(token.accessToken == "refreshed-access")
    #expect(oidc.calls == ["Refresh cached-refresh"])
    let stored = try #require(try cache.token(for: session))
    #expect(stored.accessToken == "refreshed-access")
    #expect(stored.refreshToken == "cached-refresh")
    #expect(stored.clientID == "client")
  }

  @Test func failedRefreshFallsBackToTheOldTokenWhileItLasts() async throws {
    try storeToken(expiresIn: 600, refreshable: true)
    let oidc = ScriptedOIDC(script: [])
    oidc.refreshFailure = AWSServiceError(
      service: "sso-oidc", operation: "CreateToken", statusCode: 400, code: "InvalidGrantException", message: "")
    #expect(try await tokens(oidc, presenter: nil).token().accessToken == "cached-access")
  }

  @Test func expiredTokenWithoutAnyoneToApproveSaysToLogIn() async throws {
    try storeToken(expiresIn: -10, refreshable: false)
    await #expect {
      _ = try await tokens(ScriptedOIDC(script: []), presenter: nil).token()
    } throws: {
      "\($0)"
        == "the IAM Identity Center session of sso-session \"corp\" has expired or was revoked (run aws-runas sso login --sso-session corp)"
    }
  }

  @Test func corruptedTokenFileWithoutAnyoneToApproveNamesTheFile() async throws {
    try FileManager.default.createDirectory(atPath: cache.path, withIntermediateDirectories: true)
    try "garbage".write(toFile: cache.tokenPath(for: session), atomically: true, encoding: .utf8)
    await #expect {
      _ = try await tokens(ScriptedOIDC(script: []), presenter: nil).token()
    } throws: { "\($0)".contains("is not a JSON token object") }
  }

  @Test func missingTokenStartsTheDeviceSignInAndCachesTokenAndRegistration() async throws {
    let oidc = ScriptedOIDC(script: ["AuthorizationPendingException"])
    let presenter = ApprovingPresenter()
    let token = try await tokens(oidc, presenter: presenter).token()
    #expect(token.accessToken == "new-access")
    #expect(presenter.codes == ["ABCD-EFGH"])
    #expect(
      oidc.calls == [
        "RegisterClient aws-runas-corp [\"sso:account:access\"]",
        "StartDeviceAuthorization https://corp.awsapps.com/start",
        "CreateToken", "CreateToken",
      ])
    #expect(try cache.token(for: session)?.refreshToken == "new-refresh")
    #expect(cache.registration(for: session, validAt: clock.now, margin: .zero)?.clientID == "client")
    // A second sign-in reuses the registration.
    _ = try await tokens(oidc, presenter: presenter).token(forceSignIn: true)
    #expect(oidc.calls.filter { $0.hasPrefix("RegisterClient") }.count == 1)
  }

  /// The portal in memory.
  final class FakePortal: IdentityCenterPortal, @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String]
    private var tokensSeen: [String] = []
    var seen: [String] { lock.withLock { tokensSeen } }

    init(failures: [String]) { self.failures = failures }

    func roleCredentials(accessToken: String, accountID: String, roleName: String) async throws -> AWSCredentials {
      let failure: String? = lock.withLock {
        tokensSeen.append(accessToken)
        return failures.isEmpty ? nil : failures.removeFirst()
      }
      if let failure {
        throw AWSServiceError(
          service: "sso", operation: "GetRoleCredentials", statusCode: 401, code: failure, message: "")
      }
      return AWSCredentials(
        accessKeyID: "ASIA\(accountID)", secretAccessKey: "s", sessionToken: "t",
        expiration: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down)))
    }

    func accounts(accessToken: String, nextToken: String?) async throws -> IdentityCenterPage<IdentityCenterAccount> {
      switch nextToken {
      case nil:
        return IdentityCenterPage(
          items: [IdentityCenterAccount(accountID: "2", accountName: "b", emailAddress: "")], nextToken: "p2")
      default:
        return IdentityCenterPage(
          items: [IdentityCenterAccount(accountID: "1", accountName: "A", emailAddress: "")], nextToken: nil)
      }
    }

    func roles(accessToken: String, accountID: String, nextToken: String?) async throws -> IdentityCenterPage<String> {
      nextToken == nil
        ? IdentityCenterPage(items: ["Z\(accountID)"], nextToken: "more")
        : IdentityCenterPage(items: ["A\(accountID)"], nextToken: nil)
    }

    func logout(accessToken: String) async throws {}
  }

  func roleProvider(_ portal: FakePortal, tokens: IdentityCenterTokenProvider) -> IdentityCenterRoleProvider {
    IdentityCenterRoleProvider(
      profileName: "dev", accountID: "111111111111", roleName: "ReadOnly", tokens: tokens, portal: portal,
      cache: IdentityCenterRoleProvider.cacheFile(directory: cache.path, profileName: "dev"))
  }

  @Test func roleCredentialsAreCachedLikeRoleCredentials() async throws {
    try storeToken(expiresIn: 3600, refreshable: false)
    let portal = FakePortal(failures: [])
    let provider = roleProvider(portal, tokens: tokens(ScriptedOIDC(script: []), presenter: nil))
    #expect(provider.cachedCredentials(validFor: .zero) == nil)
    let credentials = try await provider.credentials(validFor: .seconds(600))
    #expect(credentials.accessKeyID == "ASIA111111111111")
    #expect(provider.cachedCredentials(validFor: .seconds(600)) == credentials)
    #expect(provider.cache.path.hasSuffix("/.aws_sso_role_dev"))
    _ = try await provider.credentials(validFor: .seconds(600))
    #expect(portal.seen == ["cached-access"])
  }

  @Test func revokedTokenSignsInAgainWhenSomeoneCanApprove() async throws {
    try storeToken(expiresIn: 3600, refreshable: false)
    let portal = FakePortal(failures: ["UnauthorizedException"])
    let presenter = ApprovingPresenter()
    let provider = roleProvider(portal, tokens: tokens(ScriptedOIDC(script: []), presenter: presenter))
    _ = try await provider.credentials(validFor: .seconds(600))
    #expect(portal.seen == ["cached-access", "new-access"])
    #expect(presenter.codes.count == 1)
  }

  @Test func revokedTokenWithoutAnyoneToApproveSaysToLogIn() async throws {
    try storeToken(expiresIn: 3600, refreshable: false)
    let provider = roleProvider(
      FakePortal(failures: ["UnauthorizedException"]), tokens: tokens(ScriptedOIDC(script: []), presenter: nil))
    await #expect {
      _ = try await provider.credentials(validFor: .seconds(600))
    } throws: { "\($0)".contains("has expired or was revoked (run aws-runas sso login") }
  }

  @Test func unknownAccountOrRoleNamesBoth() async throws {
    try storeToken(expiresIn: 3600, refreshable: false)
    let provider = roleProvider(
      FakePortal(failures: ["ResourceNotFoundException"]), tokens: tokens(ScriptedOIDC(script: []), presenter: nil))
    await #expect {
      _ = try await provider.credentials(validFor: .seconds(600))
    } throws: {
      "\($0)".hasPrefix(
        "profile \"dev\": IAM Identity Center gives you no role \"ReadOnly\" in account 111111111111 (sso-session \"corp\")"
      )
    }
  }

  @Test func directoryFollowsEveryPageAndSortsByName() async throws {
    let directory = try await IdentityCenterAccess.directory(portal: FakePortal(failures: []), accessToken: "t")
    #expect(directory.map(\.account.accountID) == ["1", "2"])
    #expect(directory.map(\.roles) == [["A1", "Z1"], ["A2", "Z2"]])
  }

  /// Records the notices and deadlines it is asked to show.
  final class RecordingCountdownPrompter: CountdownPrompter, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [(String, Date?)] = []
    var shown: [(String, Date?)] { lock.withLock { seen } }

    func ask(_ question: String, isSecret: Bool) async throws -> String { throw PromptUnavailable(message: "no") }
    func choose(_ question: String, from options: [String]) async throws -> Int {
      throw PromptUnavailable(message: "no")
    }
    func showing<Value: Sendable>(
      _ notice: String, while work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
      lock.withLock { seen.append((notice, nil)) }
      return try await work()
    }
    func showing<Value: Sendable>(
      _ notice: String, until deadline: Date, while work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
      lock.withLock { seen.append((notice, deadline)) }
      return try await work()
    }
  }

  @Test func aCountdownPrompterGetsTheCodesDeadline() async throws {
    let prompter = RecordingCountdownPrompter()
    let presenter = PrompterDevicePresenter(prompter: prompter, browser: nil, logger: Logger(label: "test"))
    let deadline = clock.now.addingTimeInterval(600)
    _ = try await presenter.present(ScriptedOIDC.defaultAuthorization, for: session, expiresAt: deadline) {
      SSOTokenGrant(accessToken: "a", expiresIn: 1, refreshToken: nil)
    }
    #expect(prompter.shown.count == 1)
    #expect(prompter.shown.first?.1 == deadline)
    #expect(
      prompter.shown.first?.0
        == "IAM Identity Center sign-in for https://corp.awsapps.com/start: open "
        + "https://device.sso/?user_code=ABCD-EFGH and confirm the code ABCD-EFGH")
  }
}

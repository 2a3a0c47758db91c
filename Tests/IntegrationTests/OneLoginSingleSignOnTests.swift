import Foundation
import TestSupport
import Testing

/// One OneLogin test's world: the shared STS emulator, a private OneLogin emulator (alice without
/// MFA; bob with OneLogin Protect and Google Authenticator) and a sandbox HOME whose profiles name
/// the app's launch link and the OIDC issuer, both with the API credentials in `token=`.
struct OneLoginScenario {
  let sts: STSEmulator
  let onelogin: OneLoginEmulator
  let sandbox: Sandbox

  static let methodAndCallerScript =
    "import boto3; print(boto3.session.Session().get_credentials().method, "
    + "boto3.client('sts').get_caller_identity()['Arn'])"

  init(extraConfig: String = "") async throws {
    sts = try await STSEmulator.shared
    onelogin = try await OneLoginEmulator()
    sandbox = try Sandbox()
    let saml = onelogin.samlURL()
    let web = onelogin.oidcURL()
    // The loopback emulator has no onelogin.com host: `onelogin` names the provider, `detected`
    // leaves it to the sub_session_onelogin.com cookie of the launch link's answer (SAML) and to
    // the issuer's /oidc/2 path (OIDC).
    func profile(_ name: String, url: String, user: String, _ extra: String = "") -> String {
      let isSAML = url.contains("/trust/saml2/")
      let prefix = isSAML ? "saml" : "web_identity"
      var lines = ["[profile \(name)]", "\(prefix)_auth_url = \(url)", "\(prefix)_username = \(user)"]
      if !isSAML {
        lines += ["web_identity_client_id = aws-runas", "web_identity_redirect_uri = app:/callback"]
      }
      return (lines + [extra, "role_arn = \(SingleSignOnScenario.admin)", ""]).joined(separator: "\n")
    }
    try sandbox.writeConfig(
      [
        "[default]\nregion = us-east-1\n",
        profile("onelogin", url: saml, user: "alice", "saml_provider = onelogin"),
        profile("detected", url: saml, user: "alice"),
        profile("bob-auto", url: saml, user: "bob", "saml_provider = onelogin"),
        profile("bob-code", url: saml, user: "bob", "saml_provider = onelogin\nmfa_type = code"),
        profile("bob-push", url: saml, user: "bob", "saml_provider = onelogin\nmfa_type = push"),
        profile("bob-none", url: saml, user: "bob", "saml_provider = onelogin\nmfa_type = none"),
        profile(
          "no-token", url: "\(onelogin.endpoint)/trust/saml2/launch/424242", user: "alice", "saml_provider = onelogin"),
        profile(
          "bad-token", url: onelogin.samlURL(token: Data("aws-runas-api:wrong".utf8).base64EncodedString()),
          user: "alice", "saml_provider = onelogin"),
        profile("web", url: web, user: "alice", "web_identity_provider = onelogin"),
        profile("web-detected", url: web, user: "alice"),
        profile("bob-web", url: web, user: "bob", "web_identity_provider = onelogin\nmfa_type = code"),
        extraConfig,
      ].joined(separator: "\n"))
    try sandbox.writeCredentials("")
  }

  /// The passwords of `user` in every variable aws-runas reads.
  static func passwords(_ password: String) -> [String: String] {
    ["SAML_PASSWORD": password, "WEB_IDENTITY_PASSWORD": password]
  }

  func environment(_ extra: [String: String]) -> [String: String] {
    sandbox.environment(endpoint: sts.endpoint).merging(extra) { $1 }
  }

  /// Runs `aws-runas` without a terminal (`setsid`).
  func runAs(_ arguments: [String], _ extra: [String: String] = passwords("alice-password")) async throws
    -> ProcessResult
  {
    try await run("/usr/bin/setsid", ["-w", runAsBinary()] + arguments, environment: environment(extra))
  }

  /// Every file aws-runas keeps in `~/.aws` (caches, id_tokens) with its bytes, except the IdP's
  /// cookie jar and the locks.
  func cacheFiles() throws -> [String: Data] {
    let directory = sandbox.path(".aws")
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory)
    where name.hasPrefix(".aws_") && !name.hasSuffix(".lock") && name != ".aws_runas.cookies" {
      files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }
    return files
  }
}

@Suite("Single sign-on with OneLogin", .serialized)
struct OneLoginSingleSignOnTests {
  @Test(arguments: ["onelogin", "detected"])
  func aSAMLSignInServesAWrappedBoto3CommandAndEnvOutput(_ profile: String) async throws {
    let world = try await OneLoginScenario()
    let wrapped = try await world.runAs(["-E", profile, "python3", "-c", OneLoginScenario.methodAndCallerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.onelogin.log())")
    #expect(wrapped.stdout.hasPrefix("env arn:aws:sts::123456789012:assumed-role/Admin/"), "\(wrapped.output())")
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_assume_role_" + profile)) == 0o600)
    let routes = try await world.onelogin.routes()
    #expect(routes.filter { $0 == "Token" }.count == 1, "\(routes)")
    #expect(routes.filter { $0 == "SamlAssertion" }.count == 1, "\(routes)")
    #expect(!routes.contains("VerifyFactor"), "\(routes)")

    // The next run is a cache hit: env output, no IdP traffic.
    try await world.onelogin.reset()
    let env = try await world.runAs([profile], [:])
    #expect(env.exitCode == 0, "\(env.output())")
    #expect(env.stdout.contains("export AWS_ACCESS_KEY_ID="), "\(env.stdout)")
    #expect(env.stdout.contains("export AWS_SESSION_TOKEN="), "\(env.stdout)")
    #expect(try await world.onelogin.routes().isEmpty)
  }

  @Test(arguments: ["onelogin", "web"])
  func credentialProcessServesTheAwsCLIAndBoto3(_ profile: String) async throws {
    let world = try await OneLoginScenario(
      extraConfig: CredentialProcessConsumers.profile(running: "-O json \(profile)"))
    let environment = world.environment(OneLoginScenario.passwords("alice-password"))
    let cli = try await CredentialProcessConsumers.awsCLI(stsEndpoint: world.sts.endpoint, environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())\n\(world.onelogin.log())")
    #expect(cli.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let python = try await CredentialProcessConsumers.boto3(environment: environment)
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout == cli.stdout)
  }

  @Test(arguments: ["web", "web-detected"])
  func anOIDCSignInGoesThroughTheLoginAPIAndTheBrowserSessionSkipsItNextTime(_ profile: String) async throws {
    let world = try await OneLoginScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.onelogin.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas_identity_token.cache")) == 0o600)
    let routes = try await world.onelogin.routes().filter { $0 != "Unknown" }
    // Asked without a session (sent to the sign-in page), signed in through the API, the session
    // started from its token, asked again, the code exchanged (and the JWKS read).
    let expected = [
      "OidcAuth", "LoginPage", "Token", "LoginAuth", "SessionViaToken", "OidcAuth", "OidcToken", "OidcCerts",
    ]
    #expect(routes == expected, "\(routes)")

    // Without the id_token and the role credentials, the session cookie is enough.
    try FileManager.default.removeItem(atPath: world.sandbox.path(".aws/.aws_runas_identity_token.cache"))
    try await world.onelogin.reset()
    let again = try await world.runAs(["-r", "-O", "json", profile], [:])
    #expect(again.exitCode == 0, "\(again.output())")
    #expect(try await world.onelogin.routes() == ["OidcAuth", "OidcToken", "OidcCerts"])
  }

  /// Without a terminal to choose on, the code goes to the first device that takes one: here
  /// OneLogin Protect's own code.
  @Test func aCodeGivenWithDashOAnswersTheFirstCodeDevice() async throws {
    let world = try await OneLoginScenario()
    let code = try await world.onelogin.otp(username: "bob", deviceType: "OneLogin Protect")
    let result = try await world.runAs(
      ["-o", code, "-O", "json", "bob-code"], OneLoginScenario.passwords("bob-password"))
    #expect(result.exitCode == 0, "\(result.output())\n\(world.onelogin.log())")
    let verified = try await world.onelogin.requests().filter { $0.route == "VerifyFactor" }
    #expect(verified.map(\.status) == [200])
    #expect(verified.first?.form == ["app_id", "device_id", "do_not_notify", "otp_token", "state_token"])
  }

  @Test func anOIDCSignInAnswersMFAThroughTheLoginAPI() async throws {
    let world = try await OneLoginScenario()
    let code = try await world.onelogin.otp(username: "bob", deviceType: "OneLogin Protect")
    let result = try await world.runAs(
      ["-o", code, "-O", "json", "bob-web"], OneLoginScenario.passwords("bob-password"))
    #expect(result.exitCode == 0, "\(result.output())\n\(world.onelogin.log())")
    let verified = try await world.onelogin.requests().filter { $0.route == "LoginVerifyFactor" }
    #expect(verified.map(\.status) == [200])
    #expect(verified.first?.form == ["device_id", "do_not_notify", "otp_token", "state_token"])
  }

  /// `mfa_type` auto without a terminal: no one to choose, so the first device, push preferred.
  @Test(arguments: ["bob-push", "bob-auto"])
  func anApprovedPushIsPolledWithoutNotifyingTheDeviceAgain(_ profile: String) async throws {
    let world = try await OneLoginScenario()
    try await world.onelogin.setFaults(OneLoginEmulator.Faults(pushResult: "approve", pushPolls: 3))
    let result = try await world.runAs(
      [profile, "python3", "-c", SingleSignOnScenario.callerScript], OneLoginScenario.passwords("bob-password"))
    #expect(result.exitCode == 0, "\(result.output())\n\(world.onelogin.log())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let verified = try await world.onelogin.requests().filter { $0.route == "VerifyFactor" }
    // The push, two polls answered pending, and the poll that found it approved.
    #expect(verified.map(\.doNotNotify) == [false, true, true, true])
    #expect(verified.map(\.status) == [200, 200, 200, 200])
  }

  /// One bad input: what to set up, how to run, what the one error line says.
  struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var profile: String
    var password = "alice-password"
    var users: [OneLoginEmulator.User]? = nil
    var faults = OneLoginEmulator.Faults()
    var flags: [String] = []
    var environment: [String: String] = [:]
    var message: String

    var testDescription: String { name }

    static let bob = "bob-password"
    static let cases: [BadInput] = [
      BadInput(
        name: "wrong password", profile: "onelogin", password: "nope", message: "rejected the username or password"),
      BadInput(
        name: "wrong password, OIDC", profile: "web", password: "nope", message: "rejected the username or password"),
      BadInput(
        name: "locked account", profile: "onelogin",
        users: [.init(username: "alice", password: "alice-password", state: "locked")],
        message: "says the account is locked"),
      BadInput(
        name: "wrong code", profile: "bob-code", password: bob, flags: ["-o", "000000"],
        message: "rejected the MFA code"),
      BadInput(
        name: "push rejected", profile: "bob-push", password: bob, faults: .init(pushResult: "reject"),
        message: "the push was rejected on the device"),
      BadInput(
        name: "push timed out", profile: "bob-push", password: bob, faults: .init(pushResult: "timeout"),
        message: "the push timed out before it was approved"),
      BadInput(
        name: "MFA enrolment required", profile: "onelogin",
        users: [.init(username: "alice", password: "alice-password", state: "mfa_enrollment_required")],
        message: "the user has no MFA device enrolled"),
      BadInput(
        name: "mfa_type none", profile: "bob-none", password: bob, message: "asks for MFA, but mfa_type is none"),
      BadInput(name: "no API credentials", profile: "no-token", message: "has no token= parameter"),
      BadInput(name: "wrong API credentials", profile: "bad-token", message: "refused the API credentials"),
      BadInput(
        name: "slow IdP", profile: "onelogin", faults: .init(delaySeconds: 4, delayRoutes: ["SamlAssertion"]),
        environment: ["AWS_RUNAS_IDP_TIMEOUT": "1"], message: "no response from"),
      BadInput(
        name: "role not granted", profile: "onelogin",
        faults: .init(samlRoles: [
          "arn:aws:iam::123456789012:role/Other,arn:aws:iam::123456789012:saml-provider/onelogin"
        ]), message: "does not grant role arn:aws:iam::123456789012:role/Admin"),
    ]
    // "Unexpected page": each step answers an HTML page the client has never seen.
    static let unexpectedPages: [BadInput] = [
      ("Token", "onelogin", "alice-password", "instead of its API's JSON"),
      ("SamlAssertion", "onelogin", "alice-password", "instead of its API's JSON"),
      ("VerifyFactor", "bob-code", bob, "instead of its API's JSON"),
      ("LoginAuth", "web", "alice-password", "instead of its API's JSON"),
      ("LoginVerifyFactor", "bob-web", bob, "instead of its API's JSON"),
      ("SessionViaToken", "web", "alice-password", "did not redirect to app:/callback"),
      ("OidcAuth", "web", "alice-password", "did not redirect to app:/callback"),
      ("OidcToken", "web", "alice-password", "returned no id_token"),
    ].map { route, profile, password, message in
      BadInput(
        name: "unexpected page at \(route)", profile: profile, password: password,
        faults: .init(unexpectedPageRoutes: [route]), flags: ["-o", "123456"], message: message)
    }
  }

  /// Each bad input: one ERROR line saying what went wrong, exit 1, nothing on stdout, no cache
  /// file written or changed.
  @Test(arguments: BadInput.cases + BadInput.unexpectedPages)
  func badInputIsOneClearErrorAndNoCacheChanges(_ input: BadInput) async throws {
    let world = try await OneLoginScenario()
    if let users = input.users { try await world.onelogin.configure(users) }
    try await world.onelogin.setFaults(input.faults)
    let before = try world.cacheFiles()
    let result = try await world.runAs(
      input.flags + ["-O", "json", input.profile],
      OneLoginScenario.passwords(input.password).merging(input.environment) { $1 })
    #expect(result.exitCode == 1, "\(input.name): \(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(input.name): \(result.stderr)")
    #expect(errors.first?.contains(input.message) == true, "\(input.name): \(result.stderr)")
    #expect(!result.stderr.contains(OneLoginEmulator.apiToken), "\(input.name): the URL's token leaked")
    #expect(result.stdout.isEmpty)
    #expect(try world.cacheFiles() == before, "\(input.name)")
  }

  @Test(arguments: ["onelogin", "web"])
  func anUnreachableIdPIsOneClearError(_ profile: String) async throws {
    let world = try await OneLoginScenario()
    await world.onelogin.stop()
    let result = try await world.runAs(["-O", "json", profile])
    #expect(result.exitCode == 1)
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains("cannot reach") == true, "\(result.stderr)")
    #expect(try world.cacheFiles().isEmpty)
  }
}

@Suite("Single sign-on with OneLogin in the TUI (tmux)", .serialized)
struct OneLoginSingleSignOnTUITests {
  @Test func rSignsInThroughThePasswordModalTheDeviceChoiceAndThePushModal() async throws {
    let world = try await OneLoginScenario()
    // The push stays pending until the test has seen its modal, then is approved: nothing here
    // depends on how fast the test reads the screen.
    try await world.onelogin.setFaults(OneLoginEmulator.Faults(pushResult: "wait"))
    let session = try await TUISession.signingIn(
      profile: "bob-auto", provider: "onelogin", password: "bob-password", sandbox: world.sandbox,
      stsEndpoint: world.sts.endpoint)
    let choice = try await session.waitFor("OneLogin MFA device")
    #expect(choice.contains("OneLogin Protect push"), "\(choice)")
    #expect(choice.contains("Google Authenticator code"), "\(choice)")
    try await session.send("Enter")
    try await session.waitFor("Waiting for Push MFA: approve the OneLogin")
    try await world.onelogin.setFaults(OneLoginEmulator.Faults(pushResult: "approve", pushPolls: 0))
    try await session.waitFor("the bob-auto row's countdown") { screen in
      TUISession.line(containing: "▸ bob-auto ", in: screen)?.contains("valid") == true
    }
    let verified = try await world.onelogin.requests().filter { $0.route == "VerifyFactor" }
    // The push is sent once (do_not_notify false), then only polled.
    #expect(verified.first?.doNotNotify == false, "\(verified.map(\.status))")
    #expect(verified.count >= 2 && verified.dropFirst().allSatisfy { $0.doNotNotify == true })
  }
}

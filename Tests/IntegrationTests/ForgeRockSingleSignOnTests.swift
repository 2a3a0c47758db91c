import Foundation
import TestSupport
import Testing

/// One ForgeRock test's world: the shared STS emulator, a private AM emulator (realm `alpha`:
/// alice without MFA; bob with push and OATH) and a sandbox HOME whose profiles name the realm.
struct ForgeRockScenario: IdentityProviderScenario {
  let sts: STSEmulator
  let forgerock: ForgeRockEmulator
  let sandbox: Sandbox

  init(extraConfig: String = "") async throws {
    sts = try await STSEmulator.shared
    forgerock = try await ForgeRockEmulator()
    sandbox = try Sandbox()
    // The loopback emulator has no forgeblocks.com host: `forgerock` names the provider,
    // `detected` leaves it to the headers of AM's answer.
    let realm = forgerock.realmURL()
    try sandbox.writeConfig(
      """
      [default]
      region = us-east-1

      [profile fr]
      saml_auth_url = \(realm)
      saml_provider = forgerock
      saml_username = alice
      role_arn      = \(SingleSignOnScenario.admin)

      [profile detected]
      saml_auth_url = \(realm)
      saml_username = alice
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-auto]
      saml_auth_url = \(realm)
      saml_provider = forgerock
      saml_username = bob
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-code]
      saml_auth_url = \(realm)
      saml_provider = forgerock
      saml_username = bob
      mfa_type      = code
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-push]
      saml_auth_url = \(realm)
      saml_provider = forgerock
      saml_username = bob
      mfa_type      = push
      role_arn      = \(SingleSignOnScenario.admin)

      [profile web]
      web_identity_auth_url     = \(forgerock.issuerURL())
      web_identity_provider     = forgerock
      web_identity_username     = alice
      web_identity_client_id    = aws-runas
      web_identity_redirect_uri = app:/callback
      role_arn                  = \(SingleSignOnScenario.admin)

      [profile web-detected]
      web_identity_auth_url     = \(forgerock.issuerURL())
      web_identity_username     = alice
      web_identity_client_id    = aws-runas
      web_identity_redirect_uri = app:/callback
      role_arn                  = \(SingleSignOnScenario.admin)

      \(extraConfig)
      """)
    try sandbox.writeCredentials("")
  }

  /// Every file in `~/.aws` but locks, with its contents: what a failed sign-in must leave as it was.
  func awsDirectory() throws -> [String: Data] {
    let directory = sandbox.path(".aws")
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) where !name.hasSuffix(".lock") {
      files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }
    return files
  }
}

@Suite("Single sign-on with ForgeRock", .serialized)
struct ForgeRockSingleSignOnTests {
  @Test(arguments: ["fr", "detected"])
  func aSAMLSignInServesBoto3AndAMsSessionSkipsThePasswordNextTime(_ profile: String) async throws {
    let world = try await ForgeRockScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.forgerock.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_assume_role_" + profile)) == 0o600)
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas.cookies")) == 0o600)
    let first = try await world.forgerock.requests()
    // idpssoinit sent to the login UI, the journey's two steps, idpssoinit again.
    #expect(first.filter { $0.route == "Authenticate" }.count == 2, "\(first.map(\.route))")
    #expect(first.filter { $0.route == "SamlInit" }.map(\.status) == [302, 200])
    #expect(first.last { $0.route == "Authenticate" }?.callbacks == ["NameCallback", "PasswordCallback"])

    // -r drops the role credentials; the iPlanetDirectoryPro cookie still holds AM's session.
    try await world.forgerock.reset()
    let again = try await world.runAs(["-r", profile], password: nil)
    #expect(again.exitCode == 0, "\(again.output())")
    #expect(again.stdout.contains("export AWS_ACCESS_KEY_ID='"), "\(again.stdout)")
    #expect(again.stdout.contains("export AWS_SESSION_TOKEN='"))
    let routes = try await world.forgerock.requests()
    #expect(routes.map(\.route) == ["SamlInit"], "\(routes.map(\.route))")
    #expect(routes.first?.cookies.contains("iPlanetDirectoryPro") == true)
  }

  @Test(arguments: ["web", "web-detected"])
  func anOIDCSignInThroughTheRealmsOAuth2EndpointsServesBoto3(_ profile: String) async throws {
    let world = try await ForgeRockScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.forgerock.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas_identity_token.cache")) == 0o600)
    let requests = try await world.forgerock.requests()
    let routes = requests.map(\.route)
    // Asked without a session (sent to the login UI), signed in, asked again, the code exchanged.
    #expect(requests.filter { $0.route == "OidcAuthorize" }.map(\.status) == [302, 302], "\(routes)")
    #expect(routes.filter { $0 == "Authenticate" }.count == 2, "\(routes)")
    #expect(routes.filter { $0 == "OidcToken" }.count == 1, "\(routes)")
    #expect(routes.filter { $0 == "OidcKeys" }.count == 1, "\(routes)")
    let authorize = requests.last { $0.route == "OidcAuthorize" }
    #expect(authorize?.query["code_challenge_method"] == "S256")
    #expect(authorize?.cookies.contains("iPlanetDirectoryPro") == true)
  }

  @Test(arguments: ["fr", "web"])
  func credentialProcessServesTheAwsCLIAndBoto3(_ profile: String) async throws {
    let world = try await ForgeRockScenario(
      extraConfig:
        CredentialProcessConsumers.profile(running: "-O json \(profile)"))
    let environment = world.environment()
    let cli = try await CredentialProcessConsumers.awsCLI(stsEndpoint: world.sts.endpoint, environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())\n\(world.forgerock.log())")
    #expect(cli.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let python = try await CredentialProcessConsumers.boto3(environment: environment)
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout == cli.stdout)
    // The second consumer was served from aws-runas's cache: one sign-in in all.
    #expect(try await world.forgerock.requests().filter { $0.route == "Authenticate" }.count == 2)
  }

  @Test func anOATHCodeGivenWithDashOAnswersTheFactorChoiceAndTheCodeStep() async throws {
    let world = try await ForgeRockScenario()
    let code = try await world.forgerock.otp(username: "bob")
    let result = try await world.runAs(["-o", code, "-O", "json", "bob-auto"], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.forgerock.log())")
    let posted = try await world.forgerock.requests().filter { $0.route == "Authenticate" }.map(\.callbacks)
    #expect(
      posted == [
        [], ["NameCallback", "PasswordCallback"], ["ChoiceCallback"], ["PasswordCallback", "ConfirmationCallback"],
      ])
  }

  @Test func anApprovedPushIsPolledUntilAMSignsIn() async throws {
    let world = try await ForgeRockScenario()
    try await world.forgerock.setFaults(.init(pushResult: "approve", pushPolls: 2, pushWaitMs: 200))
    let result = try await world.runAs(
      ["bob-push", "python3", "-c", SingleSignOnScenario.callerScript], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.forgerock.log())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let polls = try await world.forgerock.requests().filter { $0.callbacks.contains("PollingWaitCallback") }
    // Two polls answered with another wait, and the one that found it approved.
    #expect(polls.map(\.status) == [200, 200, 200])
    #expect(polls.allSatisfy { $0.path == "/am/json/realms/root/realms/alpha/authenticate" })
  }

  /// A sign-in that must fail, and the one line that says why.
  struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var profile = "fr"
    var password = "alice-password"
    var faults = ForgeRockEmulator.Faults()
    var flags: [String] = []
    var environment: [String: String] = [:]
    var message: String
    /// Whether AM's session was made before the failure (its cookies are then kept).
    var signsIn = false

    var testDescription: String { name }
  }

  static let badInputs: [BadInput] = [
    BadInput(name: "wrong password", password: "nope", message: "rejected the username or password"),
    BadInput(
      name: "wrong code", profile: "bob-code", password: "bob-password", flags: ["-o", "000000"],
      message: "rejected the MFA code"),
    BadInput(
      name: "push rejected", profile: "bob-push", password: "bob-password",
      faults: .init(pushResult: "reject", pushWaitMs: 200),
      message: "the push was not approved (Push notification rejected.)"),
    BadInput(
      name: "push timed out", profile: "bob-push", password: "bob-password",
      faults: .init(pushResult: "timeout", pushWaitMs: 200),
      message: "the push was not approved (Push notification expired.)"),
    BadInput(
      name: "unexpected page for the first step", faults: .init(unexpectedPageRoutes: ["Authenticate"]),
      message:
        "answered HTTP 200 with the page \"Scheduled maintenance - Example Corp\" instead of an authentication step"),
    BadInput(
      name: "unexpected page after the password",
      faults: .init(unexpectedPageRoutes: ["Authenticate"], unexpectedPageAfter: 1),
      message: "with the page \"Scheduled maintenance - Example Corp\" instead of an authentication step"),
    BadInput(
      name: "unexpected page instead of the SAML response",
      faults: .init(unexpectedPageRoutes: ["SamlInit"], unexpectedPageAfter: 1),
      message: "answered the page \"Scheduled maintenance - Example Corp\" and no SAML response after signing in",
      signsIn: true),
    BadInput(
      name: "unexpected page instead of the OIDC redirect", profile: "web",
      faults: .init(unexpectedPageRoutes: ["OidcAuthorize"], unexpectedPageAfter: 1),
      message: "and did not redirect to app:/callback after signing in", signsIn: true),
    BadInput(
      name: "unexpected page instead of the token", profile: "web",
      faults: .init(unexpectedPageRoutes: ["OidcToken"]), message: "returned no id_token", signsIn: true),
    BadInput(
      name: "slow answers", faults: .init(delaySeconds: 5, delayRoutes: ["Authenticate"]),
      environment: ["AWS_RUNAS_IDP_TIMEOUT": "1"], message: "no response from"),
    BadInput(
      name: "role not granted",
      faults: .init(samlRoles: [
        "arn:aws:iam::123456789012:role/Other,arn:aws:iam::123456789012:saml-provider/forgerock"
      ]), message: "does not grant role arn:aws:iam::123456789012:role/Admin", signsIn: true),
  ]

  /// Each bad input: one ERROR line saying what went wrong, exit 1, no credential cached and
  /// nothing in `~/.aws` changed (but AM's cookies, when the sign-in itself succeeded).
  @Test(arguments: badInputs)
  func badInputIsOneClearErrorAndNothingIsCached(_ input: BadInput) async throws {
    let world = try await ForgeRockScenario()
    try await world.forgerock.setFaults(input.faults)
    let before = try world.awsDirectory()
    let result = try await world.runAs(
      input.flags + ["-O", "json", input.profile], password: input.password, input.environment)
    #expect(result.exitCode == 1, "\(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.stderr)")
    #expect(errors.first?.contains(input.message) == true, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    var after = try world.awsDirectory()
    if input.signsIn { #expect(after.removeValue(forKey: ".aws_runas.cookies") != nil) }
    #expect(after == before)
  }

  @Test(
    arguments: [
      (
        "locked account", ForgeRockEmulator.User(username: "alice", password: "alice-password", inactive: true),
        "refused the sign-in: User Locked Out."
      ),
      (
        "MFA registration required",
        ForgeRockEmulator.User(username: "alice", password: "alice-password", mfaRegistration: true),
        "asks to register an MFA device before signing in"
      ),
    ])
  func anAccountAMWillNotSignInIsOneClearError(_ name: String, user: ForgeRockEmulator.User, message: String)
    async throws
  {
    let world = try await ForgeRockScenario()
    try await world.forgerock.configure([user])
    let before = try world.awsDirectory()
    let result = try await world.runAs(["-O", "json", "fr"])
    #expect(result.exitCode == 1, "\(name): \(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains(message) == true, "\(name): \(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try world.awsDirectory() == before, "\(name)")
  }

  @Test func withLockoutOnAWrongPasswordSaysHowManyTriesAreLeftThenTheAccountIsLocked() async throws {
    let world = try await ForgeRockScenario()
    try await world.forgerock.configure(
      [.init(username: "alice", password: "alice-password")], lockoutAfter: 2, lockoutWarnAfter: 1)
    let expected = [
      ("nope", "rejected the username or password (Warning: You will be locked out after 1 more failure(s).)"),
      ("nope", "refused the sign-in: User Locked Out."), ("alice-password", "refused the sign-in: User Locked Out."),
    ]
    for (password, message) in expected {
      let result = try await world.runAs(["-O", "json", "fr"], password: password)
      #expect(result.exitCode == 1)
      let errors = SingleSignOnScenario.errorLines(result)
      #expect(errors.count == 1 && errors.first?.contains(message) == true, "\(result.stderr)")
    }
  }

  @Test func anUnreachableIdPIsOneClearError() async throws {
    let world = try await ForgeRockScenario()
    await world.forgerock.stop()
    let before = try world.awsDirectory()
    let result = try await world.runAs(["-O", "json", "fr"])
    #expect(result.exitCode == 1)
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains("cannot reach") == true, "\(result.stderr)")
    #expect(try world.awsDirectory() == before)
  }
}

@Suite("Single sign-on with ForgeRock in the TUI (tmux)", .serialized)
struct ForgeRockSingleSignOnTUITests {
  @Test func rSignsInThroughThePasswordModalTheFactorChoiceAndThePushModal() async throws {
    let world = try await ForgeRockScenario()
    // The push stays pending until the test has seen its modal, then is approved.
    try await world.forgerock.setFaults(.init(pushResult: "wait"))
    // No password in the environment: the TUI asks for it.
    let session = try await TUISession.signingIn(
      profile: "bob-auto", provider: "forgerock", password: "bob-password", sandbox: world.sandbox,
      stsEndpoint: world.sts.endpoint)
    try await session.waitFor("ForgeRock MFA factor")
    try await session.waitFor("ForgeRock Authenticator (OATH)")
    try await session.send("1")
    // The notice wraps in the modal: its first words.
    try await session.waitFor("Waiting for Push MFA: approve")
    try await world.forgerock.setFaults(.init(pushResult: "approve", pushPolls: 0))
    try await session.waitFor("IdP forgerock: signed in")
    let polls = try await world.forgerock.requests().filter { $0.callbacks.contains("PollingWaitCallback") }
    // Polled until the approval the test gave once it saw the modal.
    #expect(polls.count >= 1, "\(polls.map(\.status))")
    #expect(try await world.forgerock.sessionUsers() == ["bob"])
  }
}

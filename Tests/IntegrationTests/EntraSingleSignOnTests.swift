import Foundation
import TestSupport
import Testing

/// One Entra ID test's world: the shared STS emulator, a private Entra emulator (alice without MFA;
/// bob with push, his default, and an authenticator code) and a sandbox HOME whose profiles name
/// the AWS app's User Access URL and the tenant's v2 issuer.
struct EntraScenario: IdentityProviderScenario {
  let sts: STSEmulator
  let entra: EntraEmulator
  let sandbox: Sandbox

  init(extraConfig: String = "") async throws {
    sts = try await STSEmulator.shared
    entra = try await EntraEmulator()
    sandbox = try Sandbox()
    let saml = entra.userAccessURL()
    // The loopback emulator has no Microsoft host: `azuread` names the provider, `detected` leaves
    // it to the x-ms-request-id header.
    try sandbox.writeConfig(
      """
      [default]
      region = us-east-1

      [profile entra]
      saml_auth_url = \(saml)
      saml_provider = azuread
      saml_username = alice@example.com
      role_arn      = \(SingleSignOnScenario.admin)

      [profile detected]
      saml_auth_url = \(saml)
      saml_username = alice@example.com
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-code]
      saml_auth_url = \(saml)
      saml_provider = azuread
      saml_username = bob@example.com
      mfa_type      = code
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-push]
      saml_auth_url = \(saml)
      saml_provider = azuread
      saml_username = bob@example.com
      mfa_type      = push
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-any]
      saml_auth_url = \(saml)
      saml_provider = azuread
      saml_username = bob@example.com
      role_arn      = \(SingleSignOnScenario.admin)

      [profile web]
      web_identity_auth_url     = \(entra.issuerURL())
      web_identity_provider     = azuread
      web_identity_username     = alice@example.com
      web_identity_client_id    = \(EntraEmulator.clientID)
      web_identity_redirect_uri = app:/callback
      role_arn                  = \(SingleSignOnScenario.admin)

      [profile web-detected]
      web_identity_auth_url     = \(entra.issuerURL())
      web_identity_username     = alice@example.com
      web_identity_client_id    = \(EntraEmulator.clientID)
      web_identity_redirect_uri = http://localhost:8400/callback
      role_arn                  = \(SingleSignOnScenario.admin)

      \(extraConfig)
      """)
    try sandbox.writeCredentials("")
  }

  /// The names of the cookies `.aws_runas.cookies` keeps.
  func savedCookieNames() throws -> Set<String> {
    let data = try Data(contentsOf: URL(fileURLWithPath: sandbox.path(".aws/.aws_runas.cookies")))
    let hosts = try JSONSerialization.jsonObject(with: data) as? [String: [[String: Any]]] ?? [:]
    return Set(hosts.values.flatMap { $0.compactMap { $0["Name"] as? String } })
  }
}

@Suite("Single sign-on with Entra ID", .serialized)
struct EntraSingleSignOnTests {
  @Test(arguments: ["entra", "detected"])
  func aSignInServesBoto3AndEntrasSessionSkipsThePasswordNextTime(_ profile: String) async throws {
    let world = try await EntraScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.entra.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_assume_role_" + profile)) == 0o600)
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas.cookies")) == 0o600)
    let first = try await world.entra.routes()
    for route in ["GetCredentialType", "Login", "Kmsi", "MyAppsCallback", "Saml2"] {
      #expect(first.filter { $0 == route }.count == 1, "\(route): \(first)")
    }
    // "Stay signed in?" was answered yes: the session cookie outlives the browser.
    #expect(try world.savedCookieNames().isSuperset(of: ["ESTSAUTH", "ESTSAUTHPERSISTENT", "MyAppsSession"]))

    // -r drops the role credentials; the cookies still hold MyApps' and Entra's sessions.
    try await world.entra.reset()
    let again = try await world.runAs(["-r", "-O", "json", profile], password: nil)
    #expect(again.exitCode == 0, "\(again.output())")
    #expect(try await world.entra.routes() == ["MyAppsSignIn", "Saml2"])
  }

  @Test func withoutMyAppsSessionEntrasOwnSessionAnswersMyAppsSignIn() async throws {
    let world = try await EntraScenario()
    #expect(try await world.runAs(["-O", "json", "entra"]).exitCode == 0)
    // MyApps forgets the user (its cookie is gone), Entra still knows them.
    _ = try await world.entra.reset()
    let cookies = world.sandbox.path(".aws/.aws_runas.cookies")
    let text = try String(contentsOfFile: cookies, encoding: .utf8)
    try Data(text.replacingOccurrences(of: "\"MyAppsSession\"", with: "\"Forgotten\"").utf8).write(
      to: URL(fileURLWithPath: cookies))
    let again = try await world.runAs(["-r", "-O", "json", "entra"], password: nil)
    #expect(again.exitCode == 0, "\(again.output())")
    #expect(
      try await world.entra.routes() == ["MyAppsSignIn", "Authorize", "MyAppsCallback", "MyAppsSignIn", "Saml2"])
  }

  @Test(arguments: ["entra", "web"])
  func theEnvOutputSetsUpAShellForTheAWSCLI(_ profile: String) async throws {
    let world = try await EntraScenario()
    let output = try await world.runAs([profile])
    #expect(output.exitCode == 0, "\(output.output())\n\(world.entra.log())")
    #expect(output.stdout.contains("export AWS_ACCESS_KEY_ID='ASIA"))
    #expect(output.stdout.contains("export AWS_SESSION_TOKEN='"))
    // The same output, evaluated by a shell, serves the AWS CLI (a cache hit now: no IdP call).
    try await world.entra.reset()
    var environment = world.environment()
    environment["RUNAS"] = runAsBinary()
    environment["PROFILE"] = profile
    let shell = try await run(
      "/usr/bin/setsid",
      [
        "-w", "/bin/sh", "-c",
        "eval \"$(\"$RUNAS\" \"$PROFILE\")\" && aws sts get-caller-identity --endpoint-url \"$AWS_ENDPOINT_URL\" "
          + "--output text --query Arn",
      ], environment: environment)
    #expect(shell.exitCode == 0, "\(shell.output())")
    #expect(shell.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(try await world.entra.routes().isEmpty)
  }

  @Test(arguments: ["entra", "web"])
  func credentialProcessServesTheAWSCLIAndBoto3(_ profile: String) async throws {
    let world = try await EntraScenario(
      extraConfig:
        CredentialProcessConsumers.profile(running: "-O json \(profile)")
    )
    let environment = world.environment()
    let cli = try await CredentialProcessConsumers.awsCLI(stsEndpoint: world.sts.endpoint, environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())\n\(world.entra.log())")
    #expect(cli.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let python = try await CredentialProcessConsumers.boto3(environment: environment)
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout == cli.stdout)
  }

  @Test(arguments: ["web", "web-detected"])
  func anOIDCSignInThroughTheV2EndpointsServesBoto3(_ profile: String) async throws {
    let world = try await EntraScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.entra.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas_identity_token.cache")) == 0o600)
    let requests = try await world.entra.requests()
    let routes = requests.map(\.route)
    for route in ["OidcAuthorize", "GetCredentialType", "Login", "Kmsi", "OidcToken", "OidcKeys"] {
      #expect(routes.filter { $0 == route }.count == 1, "\(route): \(routes)")
    }
    let authorize = try #require(requests.first { $0.route == "OidcAuthorize" })
    #expect(authorize.path == "/\(EntraEmulator.tenantID)/oauth2/v2.0/authorize")
    #expect(authorize.query["code_challenge_method"] == "S256")
    #expect(requests.first { $0.route == "OidcToken" }?.form.contains("code_verifier") == true)
  }

  @Test func aCodeGivenWithDashOAnswersTheAuthenticatorAppMethod() async throws {
    let world = try await EntraScenario()
    let code = try await world.entra.otp(username: "bob@example.com")
    let result = try await world.runAs(["-o", code, "-O", "json", "bob-code"], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.entra.log())")
    let requests = try await world.entra.requests()
    #expect(requests.filter { $0.route == "BeginAuth" }.count == 1)
    let ended = requests.filter { $0.route == "EndAuth" }
    #expect(ended.count == 1)
    #expect(ended.first?.form.contains("AdditionalAuthData") == true)
    #expect(requests.first { $0.route == "ProcessAuth" }?.form.contains("otc") == true)
  }

  @Test func anApprovedPushIsPolledUntilItSucceeds() async throws {
    let world = try await EntraScenario()
    try await world.entra.setFaults(EntraEmulator.Faults(pushPolls: 2, pollInterval: 0.5))
    let result = try await world.runAs(
      ["bob-push", "python3", "-c", SingleSignOnScenario.callerScript], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.entra.log())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/bob@example.com"))
    let routes = try await world.entra.routes()
    // Two polls answered AuthenticationPending, the third found it approved.
    #expect(routes.filter { $0 == "EndAuth" }.count == 3, "\(routes)")
    #expect(routes.filter { $0 == "ProcessAuth" }.count == 1, "\(routes)")
  }

  @Test func withoutATerminalTheUsersDefaultMethodIsUsed() async throws {
    let world = try await EntraScenario()
    try await world.entra.setFaults(EntraEmulator.Faults(pollInterval: 0.5))
    // bob has push (his default) and a code: mfa_type auto, nobody to choose, so push.
    let result = try await world.runAs(["-O", "json", "bob-any"], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.entra.log())")
    #expect(try await world.entra.routes().filter { $0 == "EndAuth" }.count == 2)
  }

  @Test func aSkippableMFARegistrationIsSkipped() async throws {
    let world = try await EntraScenario()
    try await world.entra.configure([
      .init(username: "alice@example.com", password: "alice-password", status: "mfa_registration_skippable")
    ])
    let result = try await world.runAs(["-O", "json", "entra"])
    #expect(result.exitCode == 0, "\(result.output())\n\(world.entra.log())")
    #expect(try await world.entra.routes().contains("Resume"))
  }

  /// One bad input: what the emulator is told, how aws-runas is run, and what the error says.
  struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var profile = "entra"
    var password = "alice-password"
    var users: [EntraEmulator.User]?
    var faults = EntraEmulator.Faults()
    var flags: [String] = []
    /// The user whose current code goes in `-o` (a step after a passed EndAuth).
    var currentCodeOf: String?
    var environment: [String: String] = [:]
    var message: String

    var testDescription: String { name }

    static func alice(_ status: String) -> [EntraEmulator.User] {
      [.init(username: "alice@example.com", password: "alice-password", status: status)]
    }

    static let all: [BadInput] = [
      .init(name: "wrong password", password: "nope", message: "rejected the username or password (AADSTS50126)"),
      .init(name: "unknown user", users: [], message: "has no account \"alice@example.com\""),
      .init(name: "locked account", users: alice("locked"), message: "\"alice@example.com\" is locked (AADSTS50053)"),
      .init(name: "disabled account", users: alice("disabled"), message: "is disabled (AADSTS50057)"),
      .init(
        name: "MFA registration required", users: alice("mfa_registration"),
        message: "requires this user to register an MFA method first"),
      .init(
        name: "federated user",
        users: [
          .init(
            username: "alice@example.com", password: "alice-password", federationUrl: "https://adfs.example.com/adfs/ls"
          )
        ], message: "to another identity provider (https://adfs.example.com/adfs/ls)"),
      .init(
        name: "wrong code", profile: "bob-code", password: "bob-password", flags: ["-o", "000000"],
        message: "rejected the MFA code of Authenticator app code"),
      .init(
        name: "push denied", profile: "bob-push", password: "bob-password",
        faults: .init(pushResult: "deny", pollInterval: 0.5), message: "the sign-in request was denied on the device"),
      .init(
        name: "push timed out", profile: "bob-push", password: "bob-password",
        faults: .init(pushResult: "timeout", pollInterval: 0.5),
        message: "the sign-in request timed out on the device"),
      .init(
        name: "push never answered", profile: "bob-push", password: "bob-password",
        faults: .init(pushResult: "wait", pollInterval: 0.5, maxPollAttempts: 2),
        message: "the sign-in request was not approved after 2 polls"),
      .init(
        name: "mfa_type none", profile: "bob-push", password: "bob-password", flags: ["-t", "none"],
        message: "asks for MFA, but mfa_type is none"),
      .init(
        name: "role not granted", faults: .init(samlRoles: [EntraEmulator.role("Other")]),
        message: "does not grant role arn:aws:iam::123456789012:role/Admin"),
      .init(
        name: "slow", faults: .init(delaySeconds: 4, delayRoutes: ["Login"]),
        environment: ["AWS_RUNAS_IDP_TIMEOUT": "1"], message: "no response from http://127.0.0.1:"),
      .init(
        name: "slow OIDC", profile: "web", faults: .init(delaySeconds: 4, delayRoutes: ["OidcToken"]),
        environment: ["AWS_RUNAS_IDP_TIMEOUT": "1"], message: "/oauth2/v2.0/token within 1s"),
    ]

    /// A page never seen before, answered at each step in turn.
    static let unexpectedPages: [BadInput] =
      [
        ("MyAppsSignIn", "entra"), ("Authorize", "entra"), ("Login", "entra"), ("Kmsi", "entra"),
        ("MyAppsCallback", "entra"), ("Saml2", "entra"), ("OidcAuthorize", "web"), ("ProcessAuth", "bob-code"),
      ].map { route, profile in
        BadInput(
          name: "unexpected page at \(route)", profile: profile,
          password: profile == "bob-code" ? "bob-password" : "alice-password",
          faults: .init(unexpectedPage: [route]), currentCodeOf: profile == "bob-code" ? "bob@example.com" : nil,
          message: "answered the page \"Action required\", which is not a sign-in step aws-runas knows")
      } + [
        BadInput(
          name: "unexpected page at GetCredentialType", faults: .init(unexpectedPage: ["GetCredentialType"]),
          message: "answered HTTP 200 with the page \"Action required\" instead of its JSON answer"),
        BadInput(
          name: "unexpected page at BeginAuth", profile: "bob-push", password: "bob-password",
          faults: .init(unexpectedPage: ["BeginAuth"]),
          message: "/common/SAS/BeginAuth answered HTTP 200 with the page \"Action required\""),
      ]
  }

  /// Each bad input: one ERROR line saying what went wrong, exit 1, no credentials cached.
  @Test(arguments: BadInput.all + BadInput.unexpectedPages)
  func badInputIsOneClearErrorAndNothingIsCached(_ bad: BadInput) async throws {
    let world = try await EntraScenario()
    if let users = bad.users { try await world.entra.configure(users) }
    try await world.entra.setFaults(bad.faults)
    var flags = bad.flags
    if let user = bad.currentCodeOf { flags += ["-o", try await world.entra.otp(username: user)] }
    let result = try await world.runAs(flags + ["-O", "json", bad.profile], password: bad.password, bad.environment)
    #expect(result.exitCode == 1, "\(bad.name): \(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(bad.name): \(result.stderr)")
    #expect(errors.first?.contains(bad.message) == true, "\(bad.name): \(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try world.cachedCredentials().isEmpty, "\(bad.name)")
  }

  @Test(arguments: ["entra", "web"])
  func anUnreachableIdPIsOneClearError(_ profile: String) async throws {
    let world = try await EntraScenario()
    await world.entra.stop()
    let result = try await world.runAs(["-R", "azuread", "-O", "json", profile])
    #expect(result.exitCode == 1)
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains("cannot reach http://127.0.0.1:") == true, "\(result.stderr)")
    #expect(try world.cachedCredentials().isEmpty)
  }
}

@Suite("Single sign-on with Entra ID in the TUI (tmux)", .serialized)
struct EntraSingleSignOnTUITests {
  @Test func rSignsInThroughThePasswordModalTheMethodChoiceAndThePushModal() async throws {
    let world = try await EntraScenario()
    // Polls half a second apart; the push stays pending until the test has seen its modal.
    try await world.entra.setFaults(EntraEmulator.Faults(pushResult: "wait", pollInterval: 0.5))
    let session = try await TUISession.signingIn(
      profile: "bob-any", provider: "azuread", password: "bob-password", sandbox: world.sandbox,
      stsEndpoint: world.sts.endpoint)
    try await session.waitFor("Entra ID MFA method")
    try await session.waitFor("1) Microsoft Authenticator notification")
    try await session.send("1")
    let pushModal = try await session.waitFor("Waiting for Push MFA")
    #expect(pushModal.contains("approve the sign-in request"), "\(pushModal)")
    try await world.entra.setFaults(EntraEmulator.Faults(pushResult: "approve", pushPolls: 0, pollInterval: 0.5))
    // Entra sets cookies from its first page on, so the details pane says "signed in" early: the
    // row's countdown tells the sign-in is over.
    try await session.waitFor("the bob-any row's countdown") { screen in
      TUISession.line(containing: "▸ bob-any ", in: screen)?.contains("valid") == true
    }
    try await session.waitFor("IdP azuread: signed in")
    let routes = try await world.entra.routes()
    // Polled (EndAuth) until the approval the test gave once it saw the modal.
    #expect(routes.filter { $0 == "EndAuth" }.count >= 1, "\(routes)")
    #expect(routes.filter { $0 == "BeginAuth" }.count == 1, "\(routes)")
  }
}

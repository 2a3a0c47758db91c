import Foundation
import TestSupport
import Testing

/// One single sign-on test's world: the shared STS emulator (moto takes AssumeRoleWithSAML and
/// AssumeRoleWithWebIdentity), a private Keycloak emulator (realm `demo`: alice, and bob with
/// OTP) and a sandbox HOME whose config has the seeds' SAML and OIDC profiles.
struct SingleSignOnScenario {
  let sts: STSEmulator
  let keycloak: KeycloakEmulator
  let sandbox: Sandbox

  static let admin = "arn:aws:iam::123456789012:role/Admin"
  static let callerScript = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"

  init(extraConfig: String = "") async throws {
    sts = try await STSEmulator.shared
    keycloak = try await KeycloakEmulator()
    sandbox = try Sandbox()
    // The seeds' examples (002, 004), pointed at the emulator.
    try sandbox.writeConfig(
      """
      [default]
      region = us-east-1

      [profile saml]
      saml_auth_url = \(keycloak.samlURL())
      saml_username = alice
      role_arn      = \(Self.admin)

      [profile oidc]
      web_identity_auth_url = \(keycloak.realmURL())
      web_identity_client_id = aws-runas
      web_identity_redirect_uri = app:/callback
      web_identity_username = alice

      [profile web]
      web_identity_auth_url     = \(keycloak.realmURL())
      web_identity_username     = alice
      web_identity_client_id    = aws-runas
      web_identity_redirect_uri = app:/callback
      role_arn                  = \(Self.admin)

      [profile my-role]
      source_profile = oidc
      role_arn = \(Self.admin)

      [profile jump]
      saml_auth_url = \(keycloak.samlURL())
      saml_username = alice
      jump_role_arn = \(Self.admin)
      role_arn      = arn:aws:iam::210987654321:role/Target

      \(extraConfig)
      """)
    try sandbox.writeCredentials("")
  }

  func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = sandbox.environment(endpoint: sts.endpoint)
    for (key, value) in extra { environment[key] = value }
    return environment
  }

  static let passwords = ["SAML_PASSWORD": "alice-password", "WEB_IDENTITY_PASSWORD": "alice-password"]

  /// Runs `aws-runas` without a terminal (`setsid`): every answer must come from flags, the
  /// environment or the IdP session.
  func runAs(_ arguments: [String], _ extra: [String: String] = passwords) async throws -> ProcessResult {
    try await run("/usr/bin/setsid", ["-w", runAsBinary()] + arguments, environment: environment(extra))
  }

  /// The cache files in `~/.aws` whose names start with `.aws_` and that are not locks.
  func cacheFiles() throws -> Set<String> {
    Set(
      try FileManager.default.contentsOfDirectory(atPath: sandbox.path(".aws")).filter {
        $0.hasPrefix(".aws_") && !$0.hasSuffix(".lock")
      })
  }

  /// Realm `demo` with alice and carol, whose sign-in asks for the fixed OTP code 424242.
  func addOTPUser() async throws {
    let roles = [
      KeycloakEmulator.role(SingleSignOnScenario.admin, provider: "arn:aws:iam::123456789012:saml-provider/keycloak")
    ]
    try await keycloak.configure([
      KeycloakEmulator.Realm(
        name: "demo",
        users: [
          .init(username: "alice", password: "alice-password", roles: roles),
          .init(username: "carol", password: "carol-password", otpCode: "424242", roles: roles),
        ])
    ])
  }

  static func errorLines(_ result: ProcessResult) -> [Substring] {
    result.stderr.split(separator: "\n").filter { $0.contains(" ERROR ") }
  }
}

@Suite("Single sign-on with Keycloak", .serialized)
struct SingleSignOnTests {
  @Test(arguments: ["saml", "web"])
  func aSignInServesBoto3AndTheNextRunIsACacheHitWithoutIdPTraffic(_ profile: String) async throws {
    let world = try await SingleSignOnScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.keycloak.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let cache = ".aws_assume_role_" + profile
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/" + cache)) == 0o600)
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas.cookies")) == 0o600)
    if profile == "web" {
      #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas_identity_token.cache")) == 0o600)
    }

    let before = try await world.keycloak.requests().count
    let json = try await world.runAs(["-O", "json", profile], [:])
    #expect(json.exitCode == 0, "\(json.output())")
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(document?["Version"] as? Int == 1)
    #expect(try await world.keycloak.requests().count == before)
  }

  @Test(arguments: ["saml", "web"])
  func credentialProcessServesTheAwsCLIAndBoto3(_ profile: String) async throws {
    let world = try await SingleSignOnScenario(
      extraConfig:
        CredentialProcessConsumers.profile(running: "-O json \(profile)"))
    let environment = world.environment(SingleSignOnScenario.passwords)
    let python = try await CredentialProcessConsumers.boto3(environment: environment)
    #expect(python.exitCode == 0, "\(python.output())\n\(world.keycloak.log())")
    #expect(python.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let cli = try await CredentialProcessConsumers.awsCLI(stsEndpoint: world.sts.endpoint, environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())")
    #expect(cli.stdout == python.stdout)
  }

  @Test func aSecondSignInWithinTheIdPSessionAsksForNothing() async throws {
    let world = try await SingleSignOnScenario()
    #expect(try await world.runAs(["-O", "json", "saml"]).exitCode == 0)
    // -r drops the role credentials; the cookie jar still holds Keycloak's session.
    let again = try await world.runAs(["-r", "-O", "json", "saml"], [:])
    #expect(again.exitCode == 0, "\(again.output())")
    let posts = try await world.keycloak.requests().filter { $0.route == "LoginActions" }
    #expect(posts.count == 1)
    // OIDC rides the same Keycloak session, and its cookies name the provider: the issuer URL
    // itself is never asked.
    try await world.keycloak.reset()
    let oidc = try await world.runAs(["-O", "json", "web"], [:])
    #expect(oidc.exitCode == 0, "\(oidc.output())")
    let routes = try await world.keycloak.requests().map(\.route)
    #expect(!routes.contains("Unknown"), "\(routes)")
    #expect(!routes.contains("LoginActions"), "\(routes)")
  }

  @Test(arguments: ["saml", "web"])
  func aPasswordStoredWithThePasswordCommandSignsInWithoutBeingAsked(_ profile: String) async throws {
    let world = try await SingleSignOnScenario()
    // `aws-runas password` takes it from the environment here, and stores it obfuscated.
    let stored = try await world.runAs(["password", profile])
    #expect(stored.exitCode == 0, "\(stored.output())")
    let credentials = try String(contentsOfFile: world.sandbox.path(".aws/credentials"), encoding: .utf8)
    #expect(!credentials.contains("alice-password"))
    // No flag, no variable, no terminal: only the credentials file knows the password.
    let signedIn = try await world.runAs(["-O", "json", profile], [:])
    #expect(signedIn.exitCode == 0, "\(signedIn.output())\n\(world.keycloak.log())")
    #expect(try await world.keycloak.requests().contains { $0.route == "LoginActions" })
  }

  @Test func theSeedsCommonOIDCAttributesWorkThroughSourceProfile() async throws {
    let world = try await SingleSignOnScenario()
    let result = try await world.runAs(["my-role", "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
  }

  @Test func anOTPUserSignsInWithTheCodeGivenWithDashO() async throws {
    let world = try await SingleSignOnScenario()
    try await world.addOTPUser()
    let result = try await world.runAs(
      ["-U", "carol", "-P", "carol-password", "-o", "424242", "-O", "json", "saml"], [:])
    #expect(result.exitCode == 0, "\(result.output())\n\(world.keycloak.log())")
    #expect(try await world.keycloak.requests().contains { $0.form.contains("otp") })
  }

  @Test func aJumpRoleIsAssumedFirstWithOneCachePerStep() async throws {
    let world = try await SingleSignOnScenario()
    let result = try await world.runAs(["jump", "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::210987654321:assumed-role/Target/"))
    let files = try world.cacheFiles()
    #expect(files.contains(".aws_saml_role_123456789012-Admin"))
    #expect(files.contains(".aws_assume_role_jump"))
  }

  @Test func listRolesOfASAMLProfileListsTheAssertionsRoles() async throws {
    let world = try await SingleSignOnScenario()
    let result = try await world.runAs(["list", "roles", "saml"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("  arn:aws:iam::123456789012:role/Admin\n"))
    #expect(result.stdout.contains("  arn:aws:iam::123456789012:role/ReadOnly\n"))
  }

  @Test func serveEcsServesASAMLProfileToBoto3() async throws {
    let world = try await SingleSignOnScenario()
    let token = "test-token-\(UUID().uuidString)"
    let server = try await ServeProcess(
      ["serve", "ecs", "-p", "0", "saml"],
      environment: world.environment(
        SingleSignOnScenario.passwords.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": token]) { $1 }))
    let client = server.containerClientEnvironment(world.environment(), token: token)
    let python = try await run(
      "/usr/bin/env", ["python3", "-c", SingleSignOnScenario.callerScript], environment: client)
    #expect(python.exitCode == 0, "\(python.output())\n\(server.log)")
    #expect(python.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    await server.stop()
  }

  /// Each bad input: one ERROR line saying what went wrong, exit 1, no credentials cached.
  @Test(
    arguments: [
      (
        "wrong password", "saml", KeycloakEmulator.Faults(), ["SAML_PASSWORD": "nope"],
        "rejected the username or password"
      ),
      (
        "no password and no terminal", "saml", KeycloakEmulator.Faults(), [:],
        "needs a password but there is no terminal"
      ),
      (
        "malformed page", "saml", KeycloakEmulator.Faults(malformedLoginPage: true), SingleSignOnScenario.passwords,
        "without a login form or a SAML response"
      ),
      (
        "role not granted", "saml",
        KeycloakEmulator.Faults(samlRoles: [
          "arn:aws:iam::123456789012:role/Other,arn:aws:iam::123456789012:saml-provider/keycloak"
        ]),
        SingleSignOnScenario.passwords, "does not grant role arn:aws:iam::123456789012:role/Admin"
      ),
      (
        "expired assertion", "saml", KeycloakEmulator.Faults(expiredAssertion: true), SingleSignOnScenario.passwords,
        "expired"
      ),
      (
        "state mismatch", "web", KeycloakEmulator.Faults(wrongState: true), SingleSignOnScenario.passwords,
        "oauth state token mismatch"
      ),
      (
        "nonce mismatch", "web", KeycloakEmulator.Faults(wrongNonce: true), SingleSignOnScenario.passwords,
        "nonce does not match"
      ),
      (
        "foreign key", "web", KeycloakEmulator.Faults(idTokenKey: "foreign"), SingleSignOnScenario.passwords,
        "signature does not verify"
      ),
      (
        "audience", "web", KeycloakEmulator.Faults(idTokenAudience: "someone-else"), SingleSignOnScenario.passwords,
        "not client aws-runas"
      ),
      (
        "timeout", "saml", KeycloakEmulator.Faults(delaySeconds: 5),
        SingleSignOnScenario.passwords.merging(["AWS_RUNAS_IDP_TIMEOUT": "1"]) { $1 },
        "no response from"
      ),
    ] as [(String, String, KeycloakEmulator.Faults, [String: String], String)])
  func badInputIsOneClearErrorAndNothingIsCached(
    _ name: String, profile: String, faults: KeycloakEmulator.Faults, environment: [String: String], message: String
  ) async throws {
    let world = try await SingleSignOnScenario()
    try await world.keycloak.setFaults(faults)
    let result = try await world.runAs(["-O", "json", profile], environment)
    #expect(result.exitCode == 1, "\(name): \(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(name): \(result.stderr)")
    #expect(errors.first?.contains(message) == true, "\(name): \(result.stderr)")
    #expect(result.stdout.isEmpty)
    let cached = try world.cacheFiles().subtracting([".aws_runas.cookies"])
    #expect(cached.isEmpty, "\(name): \(cached)")
  }

  @Test func aWrongOTPIsOneClearError() async throws {
    let world = try await SingleSignOnScenario()
    try await world.addOTPUser()
    let result = try await world.runAs(
      ["-U", "carol", "-P", "carol-password", "-o", "000000", "-O", "json", "saml"], [:])
    #expect(result.exitCode == 1)
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains("rejected the MFA code") == true, "\(result.stderr)")
    #expect(try world.cacheFiles().subtracting([".aws_runas.cookies"]).isEmpty)
  }

  @Test func anUnreachableIdPIsOneClearError() async throws {
    let world = try await SingleSignOnScenario()
    await world.keycloak.stop()
    let result = try await world.runAs(["-R", "keycloak", "-O", "json", "saml"])
    #expect(result.exitCode == 1)
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains("cannot reach") == true, "\(result.stderr)")
    #expect(try world.cacheFiles().isEmpty)
  }

  /// A URL that answers but is none of the known providers (here moto's server, whose answers
  /// carry no IdP's headers or cookies and whose path has no provider's shape).
  @Test func aURLOfNoKnownProviderIsOneClearErrorListingThem() async throws {
    let sts = try await STSEmulator.shared
    let world = try await SingleSignOnScenario(
      extraConfig: """
        [profile unknown-idp]
        saml_auth_url = \(sts.endpoint)/sso/saml/start
        saml_username = alice
        role_arn      = \(SingleSignOnScenario.admin)
        """)
    let result = try await world.runAs(["-O", "json", "unknown-idp"])
    #expect(result.exitCode == 1, "\(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.stderr)")
    #expect(
      errors.first?.contains("cannot tell which identity provider answers \(sts.endpoint)/sso/saml/start") == true)
    #expect(result.stderr.contains("keycloak, okta, onelogin, azuread, forgerock, browser"), "\(result.stderr)")
    #expect(try world.cacheFiles().subtracting([".aws_runas.cookies"]).isEmpty)
  }

  @Test func diagnoseChecksTheSingleSignOnSettings() async throws {
    let world = try await SingleSignOnScenario(
      extraConfig: """
        [profile broken]
        web_identity_auth_url = http://idp.example.com/realms/x
        web_identity_provider = nosuch
        role_arn = arn:aws:iam::123456789012:role/Admin
        """)
    let result = try await world.runAs(["diagnose", "broken"], [:])
    #expect(result.stderr.contains("is not https"), "\(result.output())")
    #expect(result.stderr.contains("missing web_identity_client_id and/or web_identity_redirect_uri"))
    #expect(result.stderr.contains("unknown identity provider \"nosuch\""))
    #expect(result.stderr.contains("known providers: keycloak"))
    #expect(result.stdout.contains("web_identity_auth_url = http://idp.example.com/realms/x"))
  }
}

@Suite("Single sign-on in the TUI (tmux)", .serialized)
struct SingleSignOnTUITests {
  @Test func rSignsInThroughAMaskedPasswordModalAndTheDetailsShowTheIdPSession() async throws {
    let world = try await SingleSignOnScenario()
    let session = try await TUISession(
      environment: world.environment(["TERM": "xterm-256color", "SHELL": "/bin/sh"]),
      directory: world.sandbox.home.path, columns: 120, rows: 30)
    try await session.waitFor("PROFILE")
    try await session.send("/")
    try await session.send("saml", literal: true)
    try await session.send("Enter")
    try await session.send("i")
    try await session.waitFor("IdP keycloak: not signed in (r signs in)")
    try await session.send("r")
    try await session.waitFor("Password")
    try await session.send("alice-password", literal: true)
    let modal = try await session.waitFor("••••••••••••••")
    #expect(!modal.contains("alice-password"))
    try await session.send("Enter")
    try await session.waitFor("IdP keycloak: signed in")
    try await session.waitFor("the saml row's countdown") { screen in
      TUISession.line(containing: "▸ saml ", in: screen)?.contains("valid") == true
    }
    #expect(try await world.keycloak.requests().contains { $0.route == "LoginActions" })
  }
}

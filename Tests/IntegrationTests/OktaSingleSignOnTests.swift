import Foundation
import TestSupport
import Testing

/// One Okta test's world: the shared STS emulator, a private Okta emulator (alice without MFA; bob
/// with TOTP and push) and a sandbox HOME whose profiles name the AWS app's embed link.
struct OktaScenario: IdentityProviderScenario {
  let sts: STSEmulator
  let okta: OktaEmulator
  let sandbox: Sandbox

  init() async throws {
    sts = try await STSEmulator.shared
    okta = try await OktaEmulator()
    sandbox = try Sandbox()
    // The loopback emulator has no okta.com host: `okta` names the provider, `detected` leaves it
    // to the X-Okta-Request-Id header.
    try sandbox.writeConfig(
      """
      [default]
      region = us-east-1

      [profile okta]
      saml_auth_url = \(okta.samlURL())
      saml_provider = okta
      saml_username = alice
      role_arn      = \(SingleSignOnScenario.admin)

      [profile detected]
      saml_auth_url = \(okta.samlURL())
      saml_username = alice
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-code]
      saml_auth_url = \(okta.samlURL())
      saml_provider = okta
      saml_username = bob
      mfa_type      = code
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob]
      saml_auth_url = \(okta.samlURL())
      saml_provider = okta
      saml_username = bob
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-none]
      saml_auth_url = \(okta.samlURL())
      saml_provider = okta
      saml_username = bob
      mfa_type      = none
      role_arn      = \(SingleSignOnScenario.admin)

      [profile bob-push]
      saml_auth_url = \(okta.samlURL())
      saml_provider = okta
      saml_username = bob
      mfa_type      = push
      role_arn      = \(SingleSignOnScenario.admin)

      [profile web]
      web_identity_auth_url     = \(okta.authorizationServerURL())
      web_identity_provider     = okta
      web_identity_username     = alice
      web_identity_client_id    = aws-runas
      web_identity_redirect_uri = app:/callback
      role_arn                  = \(SingleSignOnScenario.admin)

      [profile web-detected]
      web_identity_auth_url     = \(okta.authorizationServerURL())
      web_identity_username     = alice
      web_identity_client_id    = aws-runas
      web_identity_redirect_uri = app:/callback
      role_arn                  = \(SingleSignOnScenario.admin)

      \(CredentialProcessConsumers.profile(running: "-O json okta"))
      """)
    try sandbox.writeCredentials("")
  }

}

@Suite("Single sign-on with Okta", .serialized)
struct OktaSingleSignOnTests {
  @Test(arguments: ["okta", "detected"])
  func aSignInServesBoto3AndTheOktaSessionSkipsThePasswordNextTime(_ profile: String) async throws {
    let world = try await OktaScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.okta.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_assume_role_" + profile)) == 0o600)
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas.cookies")) == 0o600)
    let first = try await world.okta.requests().map(\.route)
    #expect(first.filter { $0 == "Authn" }.count == 1, "\(first)")

    // -r drops the role credentials; the `sid` cookie still holds the Okta session.
    try await world.okta.reset()
    let again = try await world.runAs(["-r", profile], password: nil)
    #expect(again.exitCode == 0, "\(again.output())")
    #expect(again.stdout.contains("export AWS_ACCESS_KEY_ID='"), "\(again.stdout)")
    #expect(again.stdout.contains("export AWS_SESSION_TOKEN='"))
    let routes = try await world.okta.requests().map(\.route)
    #expect(!routes.contains("Authn"), "\(routes)")
    #expect(routes.contains("AppEmbed"), "\(routes)")
  }

  @Test(arguments: ["web", "web-detected"])
  func anOIDCSignInThroughTheAuthorizationServerServesBoto3(_ profile: String) async throws {
    let world = try await OktaScenario()
    let wrapped = try await world.runAs([profile, "python3", "-c", SingleSignOnScenario.callerScript])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())\n\(world.okta.log())")
    #expect(wrapped.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(POSIXPermissions.of(world.sandbox.path(".aws/.aws_runas_identity_token.cache")) == 0o600)
    let routes = try await world.okta.requests().map(\.route)
    // Asked without a session (redirected to the sign-in page), signed in, asked again with the
    // sessionToken, then the code exchanged.
    #expect(routes.filter { $0 == "OidcAuthorize" }.count == 2, "\(routes)")
    #expect(routes.filter { $0 == "Authn" }.count == 1, "\(routes)")
    #expect(routes.filter { $0 == "OidcToken" }.count == 1, "\(routes)")
    let authorize = try await world.okta.requests().filter { $0.route == "OidcAuthorize" }
    #expect(authorize.last?.query["sessionToken"] != nil)
    #expect(authorize.last?.query["code_challenge_method"] == "S256")
  }

  @Test func aTOTPCodeGivenWithDashOSignsIn() async throws {
    let world = try await OktaScenario()
    let code = try await world.okta.otp(username: "bob")
    let result = try await world.runAs(["-o", code, "-O", "json", "bob-code"], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.okta.log())")
    let verified = try await world.okta.requests().filter { $0.route == "Verify" }
    #expect(verified.map(\.path) == ["/api/v1/authn/factors/uftbobtotp/verify"])
    #expect(verified.first?.form == ["passCode", "stateToken"])
  }

  @Test func anApprovedPushIsPolledUntilItSucceeds() async throws {
    let world = try await OktaScenario()
    try await world.okta.setFaults(OktaEmulator.Faults(pushResult: "approve", pushPolls: 2))
    let result = try await world.runAs(
      ["bob-push", "python3", "-c", SingleSignOnScenario.callerScript], password: "bob-password")
    #expect(result.exitCode == 0, "\(result.output())\n\(world.okta.log())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    let verified = try await world.okta.requests().filter { $0.route == "Verify" }
    // The push, two polls answered WAITING, and the poll that found it approved.
    #expect(verified.count == 3, "\(verified.map(\.status))")
    #expect(verified.allSatisfy { $0.path == "/api/v1/authn/factors/opfbobpush/verify" })
  }

  @Test func credentialProcessServesTheAwsCLI() async throws {
    let world = try await OktaScenario()
    let cli = try await CredentialProcessConsumers.awsCLI(
      stsEndpoint: world.sts.endpoint, environment: world.environment())
    #expect(cli.exitCode == 0, "\(cli.output())\n\(world.okta.log())")
    #expect(cli.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"))
    #expect(try world.cachedCredentials() == [".aws_assume_role_okta"])
  }

  /// Each bad input: one ERROR line saying what went wrong, exit 1, no credentials cached.
  @Test(
    arguments: [
      ("wrong password", "okta", "nope", OktaEmulator.Faults(), [], "rejected the username or password"),
      ("wrong code", "bob-code", "bob-password", OktaEmulator.Faults(), ["-o", "000000"], "rejected the MFA code"),
      (
        "push rejected", "bob-push", "bob-password", OktaEmulator.Faults(pushResult: "reject"), [],
        "the push was rejected"
      ),
      (
        "push timed out", "bob-push", "bob-password", OktaEmulator.Faults(pushResult: "timeout"), [],
        "the push timed out"
      ),
      ("mfa_type none", "bob-none", "bob-password", OktaEmulator.Faults(), [], "asks for MFA but mfa_type is none"),
      (
        "unexpected page for the sign-in", "okta", "alice-password",
        OktaEmulator.Faults(unexpectedPageRoutes: ["Authn"]), [], "without an authentication transaction"
      ),
      (
        "unexpected page for the app", "okta", "alice-password",
        OktaEmulator.Faults(unexpectedPageRoutes: ["AppEmbed"]), [],
        "with the page \"Scheduled maintenance\" and no SAML response"
      ),
      (
        "slow sign-in", "okta", "alice-password", OktaEmulator.Faults(delaySeconds: 5, delayRoutes: ["Authn"]),
        [], "no response from"
      ),
      (
        "role not granted", "okta", "alice-password",
        OktaEmulator.Faults(samlRoles: [
          "arn:aws:iam::123456789012:role/Other,arn:aws:iam::123456789012:saml-provider/okta"
        ]), [], "does not grant role arn:aws:iam::123456789012:role/Admin"
      ),
    ] as [(String, String, String, OktaEmulator.Faults, [String], String)])
  func badInputIsOneClearErrorAndNothingIsCached(
    _ name: String, profile: String, password: String, faults: OktaEmulator.Faults, flags: [String], message: String
  ) async throws {
    let world = try await OktaScenario()
    try await world.okta.setFaults(faults)
    let result = try await world.runAs(
      flags + ["-O", "json", profile], password: password, ["AWS_RUNAS_IDP_TIMEOUT": "2"])
    #expect(result.exitCode == 1, "\(name): \(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(name): \(result.stderr)")
    #expect(errors.first?.contains(message) == true, "\(name): \(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try world.cachedCredentials().isEmpty, "\(name)")
  }

  @Test(arguments: [("LOCKED_OUT", "unlock it"), ("MFA_ENROLL", "enroll an MFA factor")])
  func aStatusTheCLICannotCompleteIsOneClearErrorNamingIt(_ status: String, hint: String) async throws {
    let world = try await OktaScenario()
    try await world.okta.configure([
      .init(username: "alice", password: "alice-password", status: status)
    ])
    let result = try await world.runAs(["-O", "json", "okta"])
    #expect(result.exitCode == 1)
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1 && errors.first?.contains("authentication status \(status)") == true, "\(result.stderr)")
    #expect(result.stderr.contains(hint), "\(result.stderr)")
    #expect(try world.cachedCredentials().isEmpty)
  }

  @Test func anUnreachableOktaIsOneClearErrorAndNothingIsCached() async throws {
    let world = try await OktaScenario()
    await world.okta.stop()
    let result = try await world.runAs(["-O", "json", "okta"])
    #expect(result.exitCode == 1, "\(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.stderr)")
    #expect(errors.first?.contains(world.okta.endpoint) == true, "\(result.stderr)")
    #expect(try world.cachedCredentials().isEmpty)
  }
}

@Suite("Single sign-on with Okta in the TUI (tmux)", .serialized)
struct OktaSingleSignOnTUITests {
  @Test func rSignsInThroughThePasswordModalTheFactorChoiceAndThePushModal() async throws {
    let world = try await OktaScenario()
    // The push waits until the test has seen its modal, then is approved.
    try await world.okta.setFaults(OktaEmulator.Faults(pushResult: "wait"))
    let session = try await TUISession.signingIn(
      profile: "bob", provider: "okta", password: "bob-password", sandbox: world.sandbox,
      stsEndpoint: world.sts.endpoint)
    try await session.waitFor("Okta MFA factor")
    try await session.waitFor("TOTP code (Okta Verify)")
    try await session.send("1")
    try await session.waitFor("approve the Okta Verify push")
    try await world.okta.setFaults(OktaEmulator.Faults(pushResult: "approve", pushPolls: 0))
    try await session.waitFor("IdP okta: signed in")
    let verified = try await world.okta.requests().filter { $0.route == "Verify" }
    // The push and at least the poll that found it approved.
    #expect(verified.count >= 2, "\(verified.map(\.status))")
  }
}

import Foundation
import TestSupport
import Testing

/// The Keycloak emulator itself, checked by real consumers before aws-runas relies on it.
@Suite("Keycloak emulator")
struct KeycloakEmulatorTests {
  /// `keycloak_emulator_selftest.py`: requests with a cookie jar logs in (password, OTP, wrong
  /// ones), signxml verifies the SAML signatures, moto's AssumeRoleWithSAML and
  /// AssumeRoleWithWebIdentity take the assertion and the id_token, authlib validates the id_token
  /// against the JWKS, and every fault knob breaks what it says.
  @Test func realConsumersAcceptWhatTheEmulatorIssues() async throws {
    let sts = try await STSEmulator.shared
    let keycloak = try await KeycloakEmulator()
    let result = try await PythonEmulator.selfTest(
      "keycloak_emulator_selftest.py", url: keycloak.endpoint, stsURL: sts.endpoint)
    #expect(result.exitCode == 0, "\(result.output())\n--- emulator\n\(keycloak.log())")
    #expect(result.stdout.contains(" passed, 0 failed"), "\(result.output())")
    await keycloak.stop()
  }

  /// The Swift-side configuration types reach the emulator under the names it knows (it refuses
  /// unknown fields), and the request log and faults work through the launcher.
  @Test func launcherConfiguresRealmsAndFaults() async throws {
    let provider = "arn:aws:iam::123456789012:saml-provider/keycloak"
    let realm = KeycloakEmulator.Realm(
      name: "corp",
      users: [
        .init(
          username: "erin", password: "pw", otpCode: "123456",
          roles: [KeycloakEmulator.role("arn:aws:iam::123456789012:role/Dev", provider: provider)])
      ],
      samlClients: [.init(urlName: "amazon", sessionDuration: 0, singleRoleAttribute: true)],
      oidcClients: [.init(clientId: "cli", redirectUris: ["http://127.0.0.1/cb"])], otpField: "totp")
    let keycloak = try await KeycloakEmulator(realms: [realm])
    #expect(try await keycloak.otp(realm: "corp", username: "erin") == "123456")
    #expect(try await keycloak.certificate(realm: "corp").hasPrefix("-----BEGIN CERTIFICATE-----"))

    let path = String(keycloak.samlURL(realm: "corp", client: "amazon").dropFirst(keycloak.endpoint.count))
    let page = try await LoopbackHTTP.request(method: "GET", port: keycloak.port, path: path)
    #expect(page.status == 200)
    #expect(String(decoding: page.body, as: UTF8.self).contains("id=\"kc-form-login\""))
    try await keycloak.setFaults(.init(delayRoutes: ["Token"], malformedLoginPage: true))
    let broken = try await LoopbackHTTP.request(method: "GET", port: keycloak.port, path: path)
    #expect(!String(decoding: broken.body, as: UTF8.self).contains("<form"))

    let logged = try await keycloak.requests()
    #expect(logged.map(\.route) == ["SamlInit", "SamlInit"])
    #expect(logged.first?.path == "/realms/corp/protocol/saml/clients/amazon")
    #expect(try await keycloak.calls() == ["SamlInit": 2])
    try await keycloak.reset()
    #expect(try await keycloak.calls().isEmpty)
    await keycloak.stop()
  }
}

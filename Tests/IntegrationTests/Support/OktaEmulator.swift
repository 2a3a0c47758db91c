import Foundation
import TestSupport

/// Loopback Okta (Classic Engine): `/api/v1/authn` with TOTP and push factors, and the AWS app's
/// embed link answering real signed SAML Responses (`Tests/Support/okta_emulator.py`, see
/// `Tests/Support/OKTA_EMULATOR.md`). Each test starts its own; it exits when stopped, when this
/// object is released, or when the test process dies (it watches its stdin).
final class OktaEmulator: PythonEmulatorControl {
  static let name = "Okta emulator"
  /// `http://127.0.0.1:<port>`, the org's base URL.
  let endpoint: String
  let port: UInt16
  let child: BackgroundProcess

  /// Starts an emulator with the default org (alice without MFA; bob with TOTP and push; app
  /// `0oaawsapp`), or with `users` instead.
  init(users: [User]? = nil, startupTimeout: Duration = .seconds(120)) async throws {
    (child, port) = try await PythonEmulator.start("okta_emulator.py", timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
    if let users { try await configure(users) }
  }

  /// The AWS app's embed link (aws-runas's `saml_auth_url`).
  func samlURL(app: String = "0oaawsapp") -> String { "\(endpoint)/home/amazon_aws/\(app)/272" }

  /// The custom authorization server `default`, the OIDC issuer (aws-runas's `web_identity_auth_url`).
  func authorizationServerURL() -> String { "\(endpoint)/oauth2/default" }

  /// Replaces the users (the app stays the default `0oaawsapp`).
  func configure(_ users: [User]) async throws {
    _ = try await control(
      "POST", "/_emulator/config",
      body: PythonEmulator.snakeCaseEncoder.encode(Configuration(users: users, apps: [App()])))
  }

}

extension OktaEmulator {
  private struct Configuration: Encodable {
    var users: [User]
    var apps: [App]
  }

  private struct App: Encodable {
    var appId = "0oaawsapp"
  }

  /// An Okta user; fields left nil take the emulator's defaults (OKTA_EMULATOR.md).
  struct User: Encodable, Sendable {
    var username: String
    var password: String
    var email: String?
    /// `ACTIVE` (default), `LOCKED_OUT`, `PASSWORD_EXPIRED` or `MFA_ENROLL`.
    var status: String?
    var factors: [Factor] = []
    /// `role_arn,principal_arn` values of the Role attribute.
    var roles: [String] = []
  }

  /// An enrolled factor: `token:software:totp` with `secret` or a fixed `code`, `sms` or `call`
  /// with a fixed `code` (sent when verified without one), or `push`.
  struct Factor: Encodable, Sendable {
    var id: String
    var type: String
    var secret: String?
    var code: String?
  }

  /// Failures to inject; each stays until the next ``setFaults(_:)``.
  struct Faults: Encodable, Sendable {
    var delaySeconds: Double?
    var delayRoutes: [String]?
    /// `approve` (default), `reject`, `timeout`, or `wait` (never decided).
    var pushResult: String?
    /// `WAITING` answers before the push result (default 1).
    var pushPolls: Int?
    /// The number of a number challenge, shown while the push waits.
    var pushCorrectAnswer: Int?
    var samlRoles: [String]?
    var expiredAssertion: Bool?
    /// Routes (`Authn`, `Verify`, `AppEmbed`, `OidcAuthorize`, …) answered with an HTML page no
    /// client has seen.
    var unexpectedPageRoutes: [String]?
  }
}

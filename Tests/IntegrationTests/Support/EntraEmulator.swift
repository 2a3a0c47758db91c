import Foundation
import TestSupport

/// Loopback Microsoft Entra ID: MyApps' User Access URL, the `$Config` sign-in pages, SAS MFA
/// (push and codes), "Stay signed in?", real signed SAML Responses and the OIDC v2 endpoints
/// (`Tests/Support/entra_emulator.py`, see `Tests/Support/ENTRA_EMULATOR.md`). Each test starts its
/// own; it exits when stopped, when this object is released, or when the test process dies (it
/// watches its stdin).
final class EntraEmulator: PythonEmulatorControl {
  static let name = "Entra emulator"
  /// `http://127.0.0.1:<port>`: both MyApps and the login host.
  let endpoint: String
  let port: UInt16
  let child: BackgroundProcess

  /// The emulated tenant's ID.
  static let tenantID = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5"
  /// The AWS app's application ID.
  static let appID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
  /// The OIDC client (an app registration for a public client).
  static let clientID = "5b3a0c1e-7f1d-4e2a-9c3b-6a7e2f1d0c9b"
  /// The principal ARN of the emulator's roles.
  static let provider = "arn:aws:iam::123456789012:saml-provider/entra"

  /// Starts an emulator with the default tenant (alice without MFA; bob with push, the default,
  /// and an authenticator code), or with `users` instead.
  init(users: [User]? = nil, startupTimeout: Duration = .seconds(120)) async throws {
    (child, port) = try await PythonEmulator.start("entra_emulator.py", timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
    if let users { try await configure(users) }
  }

  /// The AWS app's User Access URL (aws-runas's `saml_auth_url`).
  func userAccessURL() -> String { "\(endpoint)/signin/AWS/\(Self.appID)?tenantId=\(Self.tenantID)" }

  /// The tenant's v2 issuer (aws-runas's `web_identity_auth_url`).
  func issuerURL() -> String { "\(endpoint)/\(Self.tenantID)/v2.0" }

  /// Replaces the users (the AWS app and the OIDC client stay the defaults).
  func configure(_ users: [User]) async throws {
    _ = try await control(
      "POST", "/_emulator/config", body: PythonEmulator.snakeCaseEncoder.encode(Configuration(users: users)))
  }

  /// The routes of the requests since start or the last `reset()`, in order.
  func routes() async throws -> [String] {
    try await requests().map(\.route)
  }
}

extension EntraEmulator {
  private struct Configuration: Encodable {
    var users: [User]
  }

  /// A user; fields left nil take the emulator's defaults (ENTRA_EMULATOR.md).
  struct User: Encodable, Sendable {
    var username: String
    var password: String
    /// `active` (default), `locked`, `disabled`, `password_expired`, `mfa_registration`,
    /// `mfa_registration_skippable`.
    var status: String?
    var methods: [Method] = []
    /// Where GetCredentialType says the password is entered (a federated domain).
    var federationUrl: String?
    /// `role_arn,principal_arn` values of the Role attribute.
    var roles: [String] = [EntraEmulator.role("Admin")]
  }

  /// An MFA method: `PhoneAppNotification` (push), `PhoneAppOTP` with `secret` or a fixed `code`,
  /// `OneWaySMS` with a fixed `code`.
  struct Method: Encodable, Sendable {
    var type: String
    var display: String?
    var `default`: Bool?
    var secret: String?
    var code: String?
  }

  /// Failures to inject; each stays until the next ``setFaults(_:)``.
  struct Faults: Encodable, Sendable {
    var delaySeconds: Double?
    var delayRoutes: [String]?
    /// `approve` (default), `deny`, `timeout`, or `wait` (never decided).
    var pushResult: String?
    /// AuthenticationPending answers before the push result (default 1).
    var pushPolls: Int?
    /// The number the user must enter in the app.
    var pushEntropy: Int?
    /// `oPerAuthPollingInterval`, seconds (default 1).
    var pollInterval: Double?
    /// `iMaxPollAttempts` (default 60).
    var maxPollAttempts: Int?
    /// Routes that answer an HTML page the client has never seen.
    var unexpectedPage: [String]?
    var samlRoles: [String]?
  }

  /// `arn:aws:iam::123456789012:role/<name>,<the emulator's provider>`.
  static func role(_ name: String) -> String { "arn:aws:iam::123456789012:role/\(name),\(provider)" }
}

import Foundation
import TestSupport

/// Loopback OneLogin: the API v2 access token, SAML assertion and verify factor (Protect push,
/// authenticator codes), the v1 login API with `session_via_api_token`, and OIDC under `/oidc/2`,
/// answering real signed SAML Responses and id_tokens (`Tests/Support/onelogin_emulator.py`, see
/// `Tests/Support/ONELOGIN_EMULATOR.md`). Each test starts its own; it exits when stopped, when
/// this object is released, or when the test process dies (it watches its stdin).
final class OneLoginEmulator: PythonEmulatorControl {
  static let name = "OneLogin emulator"
  /// `http://127.0.0.1:<port>`: both the API host and the account's subdomain host.
  let endpoint: String
  let port: UInt16
  let child: BackgroundProcess

  /// The default API credential, as the URL's `token=` carries it: base64 of `client_id:client_secret`.
  static let apiToken = Data("aws-runas-api:aws-runas-api-secret".utf8).base64EncodedString()

  /// Starts an emulator with the default account (alice without MFA; bob with OneLogin Protect and
  /// Google Authenticator; app `424242`), or with `users` instead.
  init(users: [User]? = nil, startupTimeout: Duration = .seconds(120)) async throws {
    (child, port) = try await PythonEmulator.start("onelogin_emulator.py", timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
    if let users { try await configure(users) }
  }

  /// The app's launch link with the API credentials and the app id, as aws-runas's `saml_auth_url`.
  func samlURL(app: String = "424242", token: String = OneLoginEmulator.apiToken) -> String {
    "\(endpoint)/trust/saml2/launch/\(app)?token=\(token)&app_id=\(app)"
  }

  /// The OIDC issuer with the API credentials (aws-runas's `web_identity_auth_url`).
  func oidcURL(token: String = OneLoginEmulator.apiToken) -> String { "\(endpoint)/oidc/2?token=\(token)" }

  /// Replaces the users (the app and clients stay the defaults).
  func configure(_ users: [User]) async throws {
    try await control(post: "/_emulator/config", Configuration(users: users, apps: [App()]))
  }

  /// Every IdP request since start or the last `reset()`, in order.
  func requests() async throws -> [LoggedRequest] { try await loggedRequests(as: LoggedRequest.self) }

  /// The routes of ``requests()``, in order.
  func routes() async throws -> [String] { try await requests().map(\.route) }

  /// The code a user's authenticator (`Google Authenticator` by default) shows now.
  func otp(username: String, deviceType: String = "Google Authenticator") async throws -> String {
    try await otp(["username": username, "device_type": deviceType])
  }
}

extension OneLoginEmulator {
  private struct Configuration: Encodable {
    var users: [User]
    var apps: [App]
  }

  private struct App: Encodable {
    var appId = "424242"
  }

  /// A OneLogin user; fields left nil take the emulator's defaults (ONELOGIN_EMULATOR.md).
  struct User: Encodable, Sendable {
    var username: String
    var password: String
    var email: String?
    /// `active` (default), `locked` or `mfa_enrollment_required`.
    var state: String?
    var devices: [Device] = []
    /// `role_arn,principal_arn` values of the Role attribute.
    var roles: [String] = []
  }

  /// An enrolled MFA device: `Google Authenticator` with a `secret` or a fixed `code`, `OneLogin
  /// Protect` (push, or a code), `OneLogin SMS`, …
  struct Device: Encodable, Sendable {
    var deviceId: Int
    var deviceType: String
    var secret: String?
    var code: String?
  }

  /// Failures to inject; each stays until the next `setFaults(_:)`.
  struct Faults: Encodable, Sendable {
    var delaySeconds: Double?
    var delayRoutes: [String]?
    /// `approve` (default), `reject`, `timeout`, or `wait` (never decided).
    var pushResult: String?
    /// Pending answers before the push result, the call that sends it included (default 1).
    var pushPolls: Int?
    /// Routes answered with an HTML page no client knows (`Token`, `SamlAssertion`, …).
    var unexpectedPageRoutes: [String]?
    var samlRoles: [String]?
  }

  /// One logged request: `form` holds the names of the posted fields, never their values, and
  /// `doNotNotify` the one value the push polling is judged by.
  struct LoggedRequest: Decodable, Sendable {
    var route: String
    var method: String
    var path: String
    var status: Int
    var cookies: [String]
    var form: [String]
    var doNotNotify: Bool?
  }
}

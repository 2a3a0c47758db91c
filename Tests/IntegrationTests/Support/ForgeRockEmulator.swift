import Foundation
import TestSupport

/// Loopback ForgeRock AM: REST authentication with callbacks (username and password, a factor
/// choice, OATH codes, push polling), IdP-initiated SAML with real signed Responses, and the
/// realm's OAuth2/OIDC endpoints (`Tests/Support/forgerock_emulator.py`, see
/// `Tests/Support/FORGEROCK_EMULATOR.md`). Each test starts its own; it exits when stopped, when
/// this object is released, or when the test process dies (it watches its stdin).
final class ForgeRockEmulator: PythonEmulatorControl {
  static let name = "ForgeRock emulator"
  /// `http://127.0.0.1:<port>`.
  let endpoint: String
  let port: UInt16
  let child: BackgroundProcess

  /// Starts an emulator with the default deployment (`/am`, realm `alpha`: alice without MFA;
  /// bob with push and OATH), or with `users` in realm `alpha` instead.
  init(users: [User]? = nil, startupTimeout: Duration = .seconds(120)) async throws {
    (child, port) = try await PythonEmulator.start("forgerock_emulator.py", timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
    if let users { try await configure(users) }
  }

  /// `{endpoint}/am/json/realms/root/realms/alpha`: a `saml_auth_url` as aws-runas documents it.
  func realmURL(_ realm: String = "alpha") -> String { "\(endpoint)/am/json/realms/root/realms/\(realm)" }

  /// The realm's OIDC issuer (aws-runas's `web_identity_auth_url`).
  func issuerURL(_ realm: String = "alpha") -> String { "\(endpoint)/am/oauth2/realms/root/realms/\(realm)" }

  /// Replaces the users of realm `alpha`; `oathCallback` is `PasswordCallback` (AM's OATH
  /// module, the default) or `NameCallback` (tree nodes); `lockoutAfter` failures lock a user
  /// out, warned from `lockoutWarnAfter` on.
  func configure(
    _ users: [User], oathCallback: String? = nil, lockoutAfter: Int? = nil, lockoutWarnAfter: Int? = nil
  ) async throws {
    let realm = Realm(
      name: "alpha", oathCallback: oathCallback, lockoutAfter: lockoutAfter, lockoutWarnAfter: lockoutWarnAfter,
      users: users)
    _ = try await control(
      "POST", "/_emulator/config", body: PythonEmulator.snakeCaseEncoder.encode(Configuration(realms: [realm])))
  }

  /// Replaces the faults; `Faults()` clears them.
  func setFaults(_ faults: Faults) async throws {
    _ = try await control("POST", "/_emulator/faults", body: PythonEmulator.snakeCaseEncoder.encode(faults))
  }

  /// Every IdP request since start or the last `reset()`, in order.
  func requests() async throws -> [LoggedRequest] {
    try await JSONDecoder().decode([LoggedRequest].self, from: control("GET", "/_emulator/requests"))
  }

  /// The users with an AM session now.
  func sessionUsers() async throws -> [String] {
    try await JSONDecoder().decode([Session].self, from: control("GET", "/_emulator/sessions")).map(\.username)
  }
}

extension ForgeRockEmulator {
  private struct Configuration: Encodable {
    var contextPath = "/am"
    var realms: [Realm]
  }

  private struct Realm: Encodable {
    var name: String
    var oathCallback: String?
    var lockoutAfter: Int?
    var lockoutWarnAfter: Int?
    var users: [User]
  }

  /// A user of realm `alpha`; fields left nil take the emulator's defaults (FORGEROCK_EMULATOR.md).
  struct User: Encodable, Sendable {
    var username: String
    var password: String
    var email: String?
    /// Locked out (the Failure node answers "User Locked Out.").
    var inactive: Bool?
    var factors: [Factor] = []
    /// The journey asks to register an MFA device first.
    var mfaRegistration: Bool?
    /// `role_arn,principal_arn` values of the Role attribute.
    var roles: [String] = []
  }

  /// An MFA factor: `oath` with a base32 `secret` or a fixed `code`, or `push`.
  struct Factor: Encodable, Sendable {
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
    /// Waiting answers to polls before the push result (default 1).
    var pushPolls: Int?
    /// The push step's `waitTime` (default 1000 ms).
    var pushWaitMs: Int?
    /// Routes (`Authenticate`, `SamlInit`, `OidcAuthorize`, `OidcToken`…) answered with an HTML page
    /// no client has seen, after `unexpectedPageAfter` normal answers.
    var unexpectedPageRoutes: [String]?
    var unexpectedPageAfter: Int?
    /// A callback type added to the credentials step (one no client knows).
    var extraCallback: String?
    var samlRoles: [String]?
    var expiredAssertion: Bool?
  }

  /// One IdP request of the emulator's log.
  struct LoggedRequest: Decodable, Sendable {
    var route: String
    var method: String
    var path: String
    var query: [String: String]
    var status: Int
    /// Names of the cookies the client sent.
    var cookies: [String]
    /// The types of the callbacks a posted step carried.
    var callbacks: [String]
  }

  private struct Session: Decodable {
    var username: String
  }
}

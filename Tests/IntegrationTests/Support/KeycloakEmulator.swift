import Foundation
import TestSupport

/// Loopback Keycloak: IdP-initiated SAML with real signed Responses, the login and OTP forms, and
/// the OIDC endpoints with PKCE and RS256 id_tokens (`Tests/Support/keycloak_emulator.py`, see
/// `Tests/Support/KEYCLOAK_EMULATOR.md`). Each test starts its own: realms, sessions, faults and
/// the request log are per instance. The emulator exits when stopped, when this object is
/// released, or when the test process dies (it watches its stdin).
final class KeycloakEmulator: Sendable {
  /// `http://127.0.0.1:<port>`, Keycloak's base URL (no `/auth` prefix; the emulator takes both).
  let endpoint: String
  let port: UInt16
  private let child: BackgroundProcess

  /// Starts an emulator with the default realm `demo` (users alice and bob, SAML client `aws`,
  /// OIDC client `aws-runas`) or with `realms` instead.
  init(realms: [Realm]? = nil, startupTimeout: Duration = .seconds(120)) async throws {
    (child, port) = try await PythonEmulator.start("keycloak_emulator.py", timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
    if let realms { try await configure(realms) }
  }

  func stop() async { await child.stop() }

  /// What the emulator logged so far, for failure messages.
  func log() -> String { child.output(.stderr) }

  /// `{endpoint}/realms/{realm}`: the OIDC issuer and the base of every realm URL.
  func realmURL(_ realm: String = "demo") -> String { "\(endpoint)/realms/\(realm)" }

  /// The IdP-initiated SAML URL of a SAML client (aws-runas's `saml_auth_url`).
  func samlURL(realm: String = "demo", client: String = "aws") -> String {
    "\(realmURL(realm))/protocol/saml/clients/\(client)"
  }

  /// Replaces every realm (realm keys and IdP sessions stay).
  func configure(_ realms: [Realm]) async throws {
    _ = try await request("POST", "/_emulator/config", body: Self.encoder.encode(Configuration(realms: realms)))
  }

  /// Replaces the faults; `Faults()` clears them.
  func setFaults(_ faults: Faults) async throws {
    _ = try await request("POST", "/_emulator/faults", body: Self.encoder.encode(faults))
  }

  /// Every IdP request since start or the last `reset()`, in order.
  func requests() async throws -> [LoggedRequest] {
    try await Self.decoder.decode([LoggedRequest].self, from: request("GET", "/_emulator/requests"))
  }

  /// IdP requests per route (`SamlInit`, `LoginActions`, `OidcAuth`, `Token`, `Certs`, `Discovery`…).
  func calls() async throws -> [String: Int] {
    try await Self.decoder.decode([String: Int].self, from: request("GET", "/_emulator/calls"))
  }

  /// Clears the request log; `everything` also forgets sessions, codes, faults and the realms.
  func reset(everything: Bool = false) async throws {
    _ = try await request("POST", "/_emulator/reset", body: Self.encoder.encode(["everything": everything]))
  }

  /// Ends IdP sessions (`"user"`: the KEYCLOAK_IDENTITY cookie stops working), logins in progress
  /// (`"auth"`: the next form post times out) or both (`"all"`), of one user or everyone.
  func endSessions(kind: String = "all", username: String? = nil) async throws {
    var body = ["kind": kind]
    body["username"] = username
    _ = try await request("POST", "/_emulator/end_sessions", body: Self.encoder.encode(body))
  }

  /// The code a user's authenticator shows now (TOTP from `otpSecret`, or the fixed `otpCode`).
  func otp(realm: String = "demo", username: String) async throws -> String {
    var query = URLComponents()
    query.queryItems = [.init(name: "realm", value: realm), .init(name: "username", value: username)]
    let body = try await request("GET", "/_emulator/otp?\(query.percentEncodedQuery ?? "")")
    return try Self.decoder.decode([String: String].self, from: body)["code"] ?? ""
  }

  /// The realm's signing certificate (PEM), for checking SAML signatures.
  func certificate(realm: String = "demo") async throws -> String {
    String(decoding: try await request("GET", "/_emulator/certificate?realm=\(realm)"), as: UTF8.self)
  }

  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return encoder
  }()

  /// Plain keys: a snake-case strategy would also rewrite the keys of `query` dictionaries.
  private static let decoder = JSONDecoder()

  private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
    try await PythonEmulator.request("Keycloak emulator", port: port, method, path, body: body)
  }
}

extension KeycloakEmulator {
  private struct Configuration: Encodable {
    var realms: [Realm]
  }

  /// A realm; fields left nil take the emulator's defaults (KEYCLOAK_EMULATOR.md).
  struct Realm: Encodable, Sendable {
    var name: String
    var users: [User]
    var samlClients: [SAMLClient] = [SAMLClient()]
    var oidcClients: [OIDCClient] = [OIDCClient()]
    /// `"keycloak.v2"` (errors in `span#input-error`) or `"keycloak"` (`div.alert-error`).
    var theme: String?
    /// `"otp"`, or `"totp"` as themes before Keycloak 13 named the field.
    var otpField: String?
    /// Also set `*_LEGACY` cookies, as Keycloak before 13 did.
    var legacyCookies: Bool?
    /// Offer the "Remember me" checkbox (posting `rememberMe=on` makes KEYCLOAK_IDENTITY persistent).
    var rememberMe: Bool?
    var ssoSessionMaxSeconds: Int?
    var loginTimeoutSeconds: Int?
  }

  /// A realm user. Set `otpSecret` (base32 TOTP) or `otpCode` (a fixed code) to get the OTP step.
  struct User: Encodable, Sendable {
    var username: String
    var password: String
    var email: String?
    var otpSecret: String?
    var otpCode: String?
    var enabled: Bool?
    /// The RoleSessionName attribute; default email, else username.
    var sessionName: String?
    /// `role_arn,principal_arn` values of the Role attribute, see ``role(_:provider:)``.
    var roles: [String] = []
  }

  /// A SAML client for AWS, reached at `/realms/{realm}/protocol/saml/clients/{urlName}`.
  struct SAMLClient: Encodable, Sendable {
    var urlName: String = "aws"
    var relayState: String?
    /// The SessionDuration attribute (default 3600; 0 leaves the attribute out).
    var sessionDuration: Int?
    /// Seconds from IssueInstant to NotOnOrAfter (default 300).
    var assertionLifetime: Int?
    /// One Role attribute with several values (Keycloak's "Single Role Attribute" on) instead of
    /// one attribute per role. moto 5.2.1 cannot parse several values (HTTP 500).
    var singleRoleAttribute: Bool?
    var signAssertion: Bool?
    var signResponse: Bool?
  }

  /// A public OIDC client that must use PKCE S256.
  struct OIDCClient: Encodable, Sendable {
    var clientId: String = "aws-runas"
    /// Exact URIs, or prefixes ending in `*` (default `http://localhost*`, `http://127.0.0.1*`,
    /// `app:/callback`).
    var redirectUris: [String]?
    var accessTokenSeconds: Int?
  }

  /// Failures to inject; each stays until the next ``setFaults(_:)``.
  struct Faults: Encodable, Sendable {
    var delaySeconds: Double?
    /// Route names to delay (`SamlInit`, `LoginActions`…); nil delays every IdP route.
    var delayRoutes: [String]?
    var malformedLoginPage: Bool?
    /// Role values that replace every user's in the next assertions.
    var samlRoles: [String]?
    var expiredAssertion: Bool?
    var unsignedAssertion: Bool?
    /// `"foreign"`: signed with a key whose certificate the IdP metadata does not carry.
    var samlSigningKey: String?
    var wrongState: Bool?
    var wrongNonce: Bool?
    /// `"foreign"`: the id_token is signed by a key not in the JWKS (with the realm's `kid`).
    var idTokenKey: String?
    var idTokenAudience: String?
    var idTokenIssuer: String?
    var idTokenExpired: Bool?
  }

  /// One IdP request as the emulator saw it (never form values).
  struct LoggedRequest: Decodable, Sendable {
    var route: String
    var method: String
    var path: String
    var query: [String: String]
    var status: Int
    /// Names of the cookies the client sent.
    var cookies: [String]
    /// Names of the posted form fields.
    var form: [String]
    var time: Double
  }

  /// A Role attribute value: `arn:aws:iam::{account}:role/{name},arn:aws:iam::{account}:saml-provider/{name}`.
  static func role(_ roleARN: String, provider principalARN: String) -> String { "\(roleARN),\(principalARN)" }
}

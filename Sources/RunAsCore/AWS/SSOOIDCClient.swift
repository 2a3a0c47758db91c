import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What StartDeviceAuthorization answers: the codes and URLs of one device sign-in.
public struct DeviceAuthorization: Sendable, Equatable {
  /// `deviceCode`: what CreateToken polls with. Secret.
  public var deviceCode: String
  /// `userCode`: what the user compares in the browser, e.g. `ABCD-EFGH`.
  public var userCode: String
  /// `verificationUri`: the page where the code is entered.
  public var verificationURI: String
  /// `verificationUriComplete`: the same page with the code filled in.
  public var verificationURIComplete: String?
  /// `expiresIn`: seconds until the device code expires.
  public var expiresIn: Int
  /// `interval`: seconds to wait between polls.
  public var interval: Int

  /// Creates an authorization.
  public init(
    deviceCode: String, userCode: String, verificationURI: String, verificationURIComplete: String?,
    expiresIn: Int, interval: Int
  ) {
    self.deviceCode = deviceCode
    self.userCode = userCode
    self.verificationURI = verificationURI
    self.verificationURIComplete = verificationURIComplete
    self.expiresIn = expiresIn
    self.interval = interval
  }

  /// The URL to open: the complete one when the service gave it.
  public var browserURL: String { verificationURIComplete ?? verificationURI }
}

/// What CreateToken answers.
public struct SSOTokenGrant: Sendable, Equatable {
  /// `accessToken`.
  public var accessToken: String
  /// `expiresIn`: seconds.
  public var expiresIn: Int
  /// `refreshToken`, for registrations with scopes.
  public var refreshToken: String?

  /// Creates a grant.
  public init(accessToken: String, expiresIn: Int, refreshToken: String?) {
    self.accessToken = accessToken
    self.expiresIn = expiresIn
    self.refreshToken = refreshToken
  }
}

/// The SSO-OIDC operations the device authorization flow needs; ``SSOOIDCClient`` over HTTP,
/// fakes in tests.
public protocol IdentityCenterOIDC: Sendable {
  /// RegisterClient: a public client named `name` with `scopes`.
  func registerClient(name: String, scopes: [String]) async throws -> SSOClientRegistration
  /// StartDeviceAuthorization for `startURL`.
  func startDeviceAuthorization(registration: SSOClientRegistration, startURL: String) async throws
    -> DeviceAuthorization
  /// CreateToken with the device code grant. Pending, slow-down, expired and denied answers are
  /// ``AWSServiceError``s with the SSO-OIDC exception names as codes.
  func createToken(registration: SSOClientRegistration, deviceCode: String) async throws -> SSOTokenGrant
  /// CreateToken with the refresh token grant.
  func refreshToken(registration: SSOClientRegistration, refreshToken: String) async throws -> SSOTokenGrant
}

/// The SSO-OIDC service over HTTP (botocore's `sso-oidc`: unsigned REST-JSON).
public struct SSOOIDCClient: IdentityCenterOIDC {
  private let exchange: SSORESTJSONExchange
  /// The clock, for the registration's expiry when the service leaves it out.
  private let now: @Sendable () -> Date

  /// A client for `endpoint` (see ``EndpointResolver``, service `sso-oidc`).
  public init(
    endpoint: ServiceEndpoint, transport: any HTTPTransport, retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.exchange = SSORESTJSONExchange(
      endpoint: endpoint, transport: transport, retryPolicy: retryPolicy, logger: logger)
    self.now = now
  }

  public func registerClient(name: String, scopes: [String]) async throws -> SSOClientRegistration {
    var body = "{" + PythonJSON.quoted("clientName") + ":" + PythonJSON.quoted(name) + ","
    body += PythonJSON.quoted("clientType") + ":" + PythonJSON.quoted("public")
    if !scopes.isEmpty { body += "," + PythonJSON.quoted("scopes") + ":" + PythonJSON.encoded(.strings(scopes)) }
    body += "}"
    let answer = try await exchange.call(
      "RegisterClient", method: "POST", path: "/client/register", jsonBody: body, as: RegisterClientAnswer.self)
    guard let clientID = answer.clientId, !clientID.isEmpty, let secret = answer.clientSecret, !secret.isEmpty
    else {
      throw AWSResponseDecodingError(
        service: "sso-oidc", operation: "RegisterClient", reason: "no clientId or clientSecret")
    }
    let expiresAt =
      answer.clientSecretExpiresAt.map { Date(timeIntervalSince1970: $0) } ?? now().addingTimeInterval(90 * 86_400)
    return SSOClientRegistration(clientID: clientID, clientSecret: secret, expiresAt: expiresAt, scopes: scopes)
  }

  public func startDeviceAuthorization(registration: SSOClientRegistration, startURL: String) async throws
    -> DeviceAuthorization
  {
    let body = object([
      ("clientId", registration.clientID), ("clientSecret", registration.clientSecret), ("startUrl", startURL),
    ])
    let answer = try await exchange.call(
      "StartDeviceAuthorization", method: "POST", path: "/device_authorization", jsonBody: body,
      as: DeviceAuthorizationAnswer.self)
    guard let deviceCode = answer.deviceCode, !deviceCode.isEmpty, let userCode = answer.userCode,
      let verificationURI = answer.verificationUri ?? answer.verificationUriComplete
    else {
      throw AWSResponseDecodingError(
        service: "sso-oidc", operation: "StartDeviceAuthorization",
        reason: "no deviceCode, userCode or verificationUri")
    }
    return DeviceAuthorization(
      deviceCode: deviceCode, userCode: userCode, verificationURI: verificationURI,
      verificationURIComplete: answer.verificationUriComplete, expiresIn: answer.expiresIn ?? 600,
      interval: answer.interval ?? 5)
  }

  public func createToken(registration: SSOClientRegistration, deviceCode: String) async throws -> SSOTokenGrant {
    try await token([
      ("clientId", registration.clientID), ("clientSecret", registration.clientSecret),
      ("grantType", "urn:ietf:params:oauth:grant-type:device_code"), ("deviceCode", deviceCode),
    ])
  }

  public func refreshToken(registration: SSOClientRegistration, refreshToken: String) async throws
    -> SSOTokenGrant
  {
    try await token([
      ("clientId", registration.clientID), ("clientSecret", registration.clientSecret),
      ("grantType", "refresh_token"), ("refreshToken", refreshToken),
    ])
  }

  private func token(_ members: [(String, String)]) async throws -> SSOTokenGrant {
    let answer = try await exchange.call(
      "CreateToken", method: "POST", path: "/token", jsonBody: object(members), as: CreateTokenAnswer.self)
    guard let accessToken = answer.accessToken, !accessToken.isEmpty else {
      throw AWSResponseDecodingError(service: "sso-oidc", operation: "CreateToken", reason: "no accessToken")
    }
    return SSOTokenGrant(
      accessToken: accessToken, expiresIn: answer.expiresIn ?? 3600,
      refreshToken: answer.refreshToken.flatMap { $0.isEmpty ? nil : $0 })
  }

  private func object(_ members: [(String, String)]) -> String {
    var writer = JSONObjectWriter()
    for (key, value) in members { writer.add(key, value) }
    return writer.result
  }

  private struct RegisterClientAnswer: Decodable {
    var clientId: String?
    var clientSecret: String?
    var clientSecretExpiresAt: Double?
  }

  private struct DeviceAuthorizationAnswer: Decodable {
    var deviceCode: String?
    var userCode: String?
    var verificationUri: String?
    var verificationUriComplete: String?
    var expiresIn: Int?
    var interval: Int?
  }

  private struct CreateTokenAnswer: Decodable {
    var accessToken: String?
    var expiresIn: Int?
    var refreshToken: String?
  }
}

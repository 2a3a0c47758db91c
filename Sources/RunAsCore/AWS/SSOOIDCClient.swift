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

/// The SSO-OIDC service over HTTP (botocore's `sso-oidc`: anonymous REST-JSON on
/// ``AWSRESTJSONClient``).
public struct SSOOIDCClient: IdentityCenterOIDC {
  private let client: AWSRESTJSONClient
  /// The clock, for the registration's expiry when the service leaves it out.
  private let now: @Sendable () -> Date

  /// A client for `endpoint` (see ``EndpointResolver``, service `sso-oidc`).
  public init(
    endpoint: ServiceEndpoint, transport: any HTTPTransport, retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.client = AWSRESTJSONClient(
      executor: AWSRequestExecutor(
        endpoint: endpoint, credentials: nil, transport: transport, retryPolicy: retryPolicy, logger: logger))
    self.now = now
  }

  public func registerClient(name: String, scopes: [String]) async throws -> SSOClientRegistration {
    var body: [String: JSONValue] = ["clientName": .string(name), "clientType": "public"]
    if !scopes.isEmpty { body["scopes"] = .array(scopes.map { .string($0) }) }
    let answer = try await call("RegisterClient", path: "/client/register", body: .object(body))
    guard let clientID = answer["clientId"]?.stringValue, !clientID.isEmpty,
      let secret = answer["clientSecret"]?.stringValue, !secret.isEmpty
    else {
      throw AWSResponseDecodingError(
        service: "sso-oidc", operation: "RegisterClient", reason: "no clientId or clientSecret")
    }
    // Epoch seconds.
    let expiresAt =
      answer["clientSecretExpiresAt"]?.doubleValue.map { Date(timeIntervalSince1970: $0) }
      ?? now().addingTimeInterval(90 * 86_400)
    return SSOClientRegistration(clientID: clientID, clientSecret: secret, expiresAt: expiresAt, scopes: scopes)
  }

  public func startDeviceAuthorization(registration: SSOClientRegistration, startURL: String) async throws
    -> DeviceAuthorization
  {
    let answer = try await call(
      "StartDeviceAuthorization", path: "/device_authorization",
      body: [
        "clientId": .string(registration.clientID), "clientSecret": .string(registration.clientSecret),
        "startUrl": .string(startURL),
      ])
    guard let deviceCode = answer["deviceCode"]?.stringValue, !deviceCode.isEmpty,
      let userCode = answer["userCode"]?.stringValue,
      let verificationURI = answer["verificationUri"]?.stringValue ?? answer["verificationUriComplete"]?.stringValue
    else {
      throw AWSResponseDecodingError(
        service: "sso-oidc", operation: "StartDeviceAuthorization",
        reason: "no deviceCode, userCode or verificationUri")
    }
    return DeviceAuthorization(
      deviceCode: deviceCode, userCode: userCode, verificationURI: verificationURI,
      verificationURIComplete: answer["verificationUriComplete"]?.stringValue,
      expiresIn: answer["expiresIn"]?.intValue ?? 600, interval: answer["interval"]?.intValue ?? 5)
  }

  public func createToken(registration: SSOClientRegistration, deviceCode: String) async throws -> SSOTokenGrant {
    try await token([
      "clientId": .string(registration.clientID), "clientSecret": .string(registration.clientSecret),
      "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": .string(deviceCode),
    ])
  }

  public func refreshToken(registration: SSOClientRegistration, refreshToken: String) async throws
    -> SSOTokenGrant
  {
    try await token([
      "clientId": .string(registration.clientID), "clientSecret": .string(registration.clientSecret),
      "grantType": "refresh_token", "refreshToken": .string(refreshToken),
    ])
  }

  private func token(_ body: JSONValue) async throws -> SSOTokenGrant {
    let answer = try await call("CreateToken", path: "/token", body: body)
    guard let accessToken = answer["accessToken"]?.stringValue, !accessToken.isEmpty else {
      throw AWSResponseDecodingError(service: "sso-oidc", operation: "CreateToken", reason: "no accessToken")
    }
    return SSOTokenGrant(
      accessToken: accessToken, expiresIn: answer["expiresIn"]?.intValue ?? 3600,
      refreshToken: answer["refreshToken"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
  }

  private func call(_ operation: String, path: String, body: JSONValue) async throws -> JSONValue {
    try await client.call(operation, method: "POST", path: path, body: body, signed: false).body
  }
}

import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The AWS Security Token Service calls aws-runas makes.
///
/// Signed calls use the client's credentials; AssumeRoleWithSAML and AssumeRoleWithWebIdentity are
/// anonymous, so a client without credentials can make them. Durations go out as whole seconds;
/// clamping them to each call's limits is the caller's job (see `DurationLimits`).
public struct STSClient: Sendable {
  /// The STS API version.
  public static let apiVersion = "2011-06-15"

  /// The underlying query-protocol client.
  public var client: AWSQueryClient

  /// Creates a client over a configured query client (its `apiVersion` should be ``apiVersion``).
  ///
  /// - Parameter client: The query client.
  public init(client: AWSQueryClient) {
    self.client = client
  }

  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: The STS endpoint (see ``EndpointResolver``).
  ///   - credentials: The credentials for signed calls, or `nil` for anonymous calls only.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  public init(
    endpoint: ServiceEndpoint,
    credentials: AWSCredentials?,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.sts", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.client = AWSQueryClient(
      endpoint: endpoint, apiVersion: Self.apiVersion, credentials: credentials,
      transport: transport, retryPolicy: retryPolicy, logger: logger)
  }

  /// The same client signing with other credentials.
  ///
  /// - Parameter credentials: The credentials for signed calls.
  /// - Returns: A copy of this client using `credentials`.
  public func withCredentials(_ credentials: AWSCredentials?) -> STSClient {
    var copy = self
    copy.client.credentials = credentials
    return copy
  }

  /// GetSessionToken: temporary credentials for the calling IAM user, with MFA when given.
  ///
  /// - Parameters:
  ///   - duration: The lifetime (sent as whole seconds).
  ///   - mfaSerial: The MFA device serial or ARN, if MFA is used.
  ///   - tokenCode: The current MFA code, if MFA is used.
  /// - Returns: The session credentials.
  /// - Throws: ``AWSServiceError``, ``AWSTransportError`` or ``AWSResponseDecodingError``.
  public func getSessionToken(
    duration: Duration, mfaSerial: String? = nil, tokenCode: String? = nil
  ) async throws -> AWSCredentials {
    let response = try await client.call(
      "GetSessionToken",
      parameters: [
        ("DurationSeconds", Self.seconds(duration)), ("SerialNumber", mfaSerial),
        ("TokenCode", tokenCode),
      ])
    return try credentials(from: response, operation: "GetSessionToken")
  }

  /// AssumeRole: credentials for a role, signed with this client's credentials.
  ///
  /// - Parameters:
  ///   - roleARN: The role to assume.
  ///   - sessionName: The role session name (2–64 characters of `[\w+=,.@-]`).
  ///   - duration: The lifetime (sent as whole seconds).
  ///   - externalID: The external ID the role's trust policy requires, if any.
  ///   - mfaSerial: The MFA device serial or ARN, if MFA is used.
  ///   - tokenCode: The current MFA code, if MFA is used.
  /// - Returns: The role credentials.
  /// - Throws: ``AWSServiceError``, ``AWSTransportError`` or ``AWSResponseDecodingError``.
  public func assumeRole(
    roleARN: String, sessionName: String, duration: Duration, externalID: String? = nil,
    mfaSerial: String? = nil, tokenCode: String? = nil
  ) async throws -> AWSCredentials {
    let response = try await client.call(
      "AssumeRole",
      parameters: [
        ("RoleArn", roleARN), ("RoleSessionName", sessionName),
        ("DurationSeconds", Self.seconds(duration)), ("ExternalId", externalID),
        ("SerialNumber", mfaSerial), ("TokenCode", tokenCode),
      ])
    return try credentials(from: response, operation: "AssumeRole")
  }

  /// AssumeRoleWithSAML (anonymous): credentials for a role, proven by a SAML assertion.
  ///
  /// - Parameters:
  ///   - roleARN: The role to assume.
  ///   - principalARN: The SAML provider's ARN in IAM.
  ///   - samlAssertion: The base64-encoded SAML response.
  ///   - duration: The lifetime (sent as whole seconds).
  /// - Returns: The role credentials, with the assertion's subject, issuer and audience.
  /// - Throws: ``AWSServiceError``, ``AWSTransportError`` or ``AWSResponseDecodingError``.
  public func assumeRoleWithSAML(
    roleARN: String, principalARN: String, samlAssertion: String, duration: Duration
  ) async throws -> FederatedRoleCredentials {
    let operation = "AssumeRoleWithSAML"
    let response = try await client.call(
      operation,
      parameters: [
        ("RoleArn", roleARN), ("PrincipalArn", principalARN), ("SAMLAssertion", samlAssertion),
        ("DurationSeconds", Self.seconds(duration)),
      ],
      signed: false)
    let result = response.result
    var federated = try federatedCredentials(from: response, operation: operation)
    federated.subject = result.childText("Subject")
    federated.subjectType = result.childText("SubjectType")
    federated.issuer = result.childText("Issuer")
    federated.audience = result.childText("Audience")
    federated.nameQualifier = result.childText("NameQualifier")
    return federated
  }

  /// AssumeRoleWithWebIdentity (anonymous): credentials for a role, proven by an OIDC token.
  ///
  /// - Parameters:
  ///   - roleARN: The role to assume.
  ///   - sessionName: The role session name.
  ///   - webIdentityToken: The OIDC ID token (or OAuth 2.0 access token).
  ///   - duration: The lifetime (sent as whole seconds).
  ///   - providerID: For OAuth 2.0 access tokens only: `www.amazon.com` or `graph.facebook.com`.
  /// - Returns: The role credentials, with the token's subject, audience and provider.
  /// - Throws: ``AWSServiceError``, ``AWSTransportError`` or ``AWSResponseDecodingError``.
  public func assumeRoleWithWebIdentity(
    roleARN: String, sessionName: String, webIdentityToken: String, duration: Duration, providerID: String? = nil
  ) async throws -> FederatedRoleCredentials {
    let operation = "AssumeRoleWithWebIdentity"
    let response = try await client.call(
      operation,
      parameters: [
        ("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken),
        ("ProviderId", providerID), ("DurationSeconds", Self.seconds(duration)),
      ],
      signed: false)
    let result = response.result
    var federated = try federatedCredentials(from: response, operation: operation)
    federated.subject = result.childText("SubjectFromWebIdentityToken")
    federated.audience = result.childText("Audience")
    federated.provider = result.childText("Provider")
    return federated
  }

  /// GetCallerIdentity: who this client's credentials belong to.
  ///
  /// - Returns: The account, ARN and unique ID.
  /// - Throws: ``AWSServiceError``, ``AWSTransportError`` or ``AWSResponseDecodingError``.
  public func getCallerIdentity() async throws -> CallerIdentity {
    let response = try await client.call("GetCallerIdentity")
    let result = response.result
    guard let account = result.childText("Account"), let arn = result.childText("Arn") else {
      throw AWSResponseDecodingError(
        service: client.endpoint.service, operation: "GetCallerIdentity",
        reason: "no Account or Arn in the result")
    }
    return CallerIdentity(account: account, arn: arn, userID: result.childText("UserId") ?? "")
  }

  /// The STS server's clock, from the `Date` header of an anonymous GetCallerIdentity.
  ///
  /// The call itself is refused (it is unsigned) but every answer carries `Date`, so this works
  /// without credentials and however skewed the local clock is.
  ///
  /// - Returns: The server's time, or `nil` when the answer had no usable `Date` header.
  /// - Throws: ``AWSTransportError`` when STS cannot be reached.
  public func serverDate() async throws -> Date? {
    try await client.sendRaw("GetCallerIdentity", signed: false).date
  }

  // MARK: - Decoding

  /// The credentials, assumed-role user and source identity every federated answer carries.
  private func federatedCredentials(
    from response: AWSQueryResponse, operation: String
  ) throws -> FederatedRoleCredentials {
    let user = response.result.child("AssumedRoleUser")
    return FederatedRoleCredentials(
      credentials: try credentials(from: response, operation: operation),
      assumedRoleARN: user?.childText("Arn"), assumedRoleID: user?.childText("AssumedRoleId"),
      sourceIdentity: response.result.childText("SourceIdentity"))
  }

  private func credentials(from response: AWSQueryResponse, operation: String) throws -> AWSCredentials {
    func missing(_ what: String) -> AWSResponseDecodingError {
      AWSResponseDecodingError(service: client.endpoint.service, operation: operation, reason: what)
    }
    guard let element = response.result.child("Credentials") else {
      throw missing("no Credentials element")
    }
    guard let keyID = element.childText("AccessKeyId"), !keyID.isEmpty,
      let secret = element.childText("SecretAccessKey"), !secret.isEmpty
    else { throw missing("no AccessKeyId or SecretAccessKey in Credentials") }
    var expiration: Date?
    if let text = element.childText("Expiration") {
      guard let parsed = Timestamp.parseISO8601(text) else {
        throw missing("unreadable Expiration \"\(text)\"")
      }
      expiration = parsed
    }
    let token = element.childText("SessionToken").flatMap { $0.isEmpty ? nil : $0 }
    return AWSCredentials(
      accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
  }

  static func seconds(_ duration: Duration) -> String {
    String(max(duration.components.seconds, 0))
  }
}

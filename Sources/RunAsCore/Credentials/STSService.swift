import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// STS over HTTP for one profile: its region and configured endpoints, signing each call with the
/// credentials the caller passes.
///
/// Creating one costs nothing: the endpoint is resolved when a call is made, so the cached-credential
/// path, which makes none, never pays for it.
public struct STSService: SecurityTokenService {
  private let settings: ProfileSettings
  private let environment: [String: String]
  private let logger: Logger

  /// The service for `profile`'s region and endpoint settings (`AWS_ENDPOINT_URL_STS`,
  /// `AWS_ENDPOINT_URL`, the profile's `services` section and `endpoint_url`).
  public init(profile: ResolvedProfile, environment: [String: String], logger: Logger) {
    self.settings = profile.settings
    self.environment = environment
    self.logger = logger
  }

  /// The unsigned client for the resolved endpoint; calls sign with the credentials they are given.
  public func client() throws -> STSClient {
    let endpoint = try EndpointResolver.resolve(
      service: "sts", region: settings.region?.value, regionOrigin: settings.region?.origin, environment: environment,
      servicesEndpointURL: settings.serviceEndpoints["sts"]?.value,
      profileEndpointURL: settings.endpointURL?.value,
      profileSTSRegionalEndpoints: settings.stsRegionalEndpoints?.value)
    logger.debug("STS endpoint \(endpoint.url) (signing region \(endpoint.signingRegion))")
    return STSClient(
      endpoint: endpoint, credentials: nil, transport: AsyncHTTPClientTransport(environment: environment),
      retryPolicy: AWSRetryPolicy(environment: environment), logger: logger)
  }

  public func getSessionToken(
    credentials: AWSCredentials, duration: Duration, mfaSerial: String?, tokenCode: String?
  ) async throws -> AWSCredentials {
    try await client().withCredentials(credentials).getSessionToken(
      duration: duration, mfaSerial: mfaSerial, tokenCode: tokenCode)
  }

  public func assumeRole(
    credentials: AWSCredentials, roleARN: String, sessionName: String, duration: Duration,
    externalID: String?, mfaSerial: String?, tokenCode: String?
  ) async throws -> AWSCredentials {
    try await client().withCredentials(credentials).assumeRole(
      roleARN: roleARN, sessionName: sessionName, duration: duration, externalID: externalID,
      mfaSerial: mfaSerial, tokenCode: tokenCode)
  }

  public func getCallerIdentity(credentials: AWSCredentials) async throws -> CallerIdentity {
    try await client().withCredentials(credentials).getCallerIdentity()
  }

  /// AssumeRoleWithSAML at the profile's STS endpoint (anonymous: no credentials needed).
  public func assumeRoleWithSAML(
    roleARN: String, principalARN: String, samlAssertion: String, duration: Duration
  ) async throws -> FederatedRoleCredentials {
    try await client().assumeRoleWithSAML(
      roleARN: roleARN, principalARN: principalARN, samlAssertion: samlAssertion, duration: duration)
  }

  /// AssumeRoleWithWebIdentity at the profile's STS endpoint (anonymous: no credentials needed).
  public func assumeRoleWithWebIdentity(
    roleARN: String, sessionName: String, webIdentityToken: String, duration: Duration, providerID: String?
  ) async throws -> FederatedRoleCredentials {
    try await client().assumeRoleWithWebIdentity(
      roleARN: roleARN, sessionName: sessionName, webIdentityToken: webIdentityToken, duration: duration,
      providerID: providerID)
  }

  /// AWS's clock, from the `Date` header of an STS response.
  public func serverDate() async throws -> Date? {
    try await client().serverDate()
  }
}

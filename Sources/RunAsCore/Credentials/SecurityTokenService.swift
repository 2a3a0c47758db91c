/// The STS operations the credential providers use, with the calling credentials passed per call.
///
/// ``STSService`` implements it over HTTP; the indirection keeps providers independent of how
/// requests are signed and sent.
public protocol SecurityTokenService: Sendable {
  /// GetSessionToken, with MFA when `mfaSerial` is set.
  func getSessionToken(
    credentials: AWSCredentials, duration: Duration, mfaSerial: String?, tokenCode: String?
  ) async throws -> AWSCredentials

  /// AssumeRole; MFA fields only on the direct path for durations over one hour.
  func assumeRole(
    credentials: AWSCredentials, roleARN: String, sessionName: String, duration: Duration,
    externalID: String?, mfaSerial: String?, tokenCode: String?
  ) async throws -> AWSCredentials

  /// GetCallerIdentity for `credentials`.
  func getCallerIdentity(credentials: AWSCredentials) async throws -> CallerIdentity

  /// AssumeRoleWithSAML (anonymous): role credentials for a base64-encoded SAML response.
  func assumeRoleWithSAML(
    roleARN: String, principalARN: String, samlAssertion: String, duration: Duration
  ) async throws -> FederatedRoleCredentials

  /// AssumeRoleWithWebIdentity (anonymous): role credentials for an OIDC token; `providerID` only
  /// for OAuth 2.0 access tokens.
  func assumeRoleWithWebIdentity(
    roleARN: String, sessionName: String, webIdentityToken: String, duration: Duration, providerID: String?
  ) async throws -> FederatedRoleCredentials
}

extension SecurityTokenService {
  /// Refuses: a service made before federated sign-in (a test double) need not implement it.
  public func assumeRoleWithSAML(
    roleARN: String, principalARN: String, samlAssertion: String, duration: Duration
  ) async throws -> FederatedRoleCredentials {
    throw Self.unsupported("AssumeRoleWithSAML")
  }

  /// Refuses: a service made before federated sign-in (a test double) need not implement it.
  public func assumeRoleWithWebIdentity(
    roleARN: String, sessionName: String, webIdentityToken: String, duration: Duration, providerID: String?
  ) async throws -> FederatedRoleCredentials {
    throw Self.unsupported("AssumeRoleWithWebIdentity")
  }

  private static func unsupported(_ operation: String) -> CredentialError {
    CredentialError(message: "\(Self.self) cannot call STS \(operation)")
  }
}

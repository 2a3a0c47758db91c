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
}

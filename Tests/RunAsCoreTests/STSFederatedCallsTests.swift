import Foundation
import Testing

@testable import RunAsCore

/// Answers with one fixed XML body and keeps the request.
private actor OneAnswerTransport: HTTPTransport {
  let body: String
  private(set) var request: HTTPRequestData?

  init(_ body: String) { self.body = body }

  func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
    self.request = request
    return HTTPResponseData(status: 200, body: Array(body.utf8))
  }

  var sentBody: String { request.map { String(decoding: $0.body, as: UTF8.self) } ?? "" }
}

private func anonymousSTS(_ transport: OneAnswerTransport) -> STSClient {
  STSClient(
    endpoint: ServiceEndpoint(url: "https://sts.eu-west-1.amazonaws.com", signingRegion: "eu-west-1", service: "sts"),
    credentials: AWSCredentials(accessKeyID: "AKIDIGNORED", secretAccessKey: "never-used"), transport: transport)
}

private let credentialsXML = """
  <Credentials><AccessKeyId>ASIAFED</AccessKeyId><SecretAccessKey>fedsecret</SecretAccessKey>
  <SessionToken>fedtoken</SessionToken><Expiration>2026-11-21T20:12:58Z</Expiration></Credentials>
  """

@Suite("STS federated calls")
struct STSFederatedCallsTests {
  @Test("AssumeRoleWithSAML is sent unsigned and decodes the credentials and the assertion's identity")
  func saml() async throws {
    let transport = OneAnswerTransport(
      """
      <AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithSAMLResult>
      \(credentialsXML)
      <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/x/alice</Arn><AssumedRoleId>AROAX:alice</AssumedRoleId></AssumedRoleUser>
      <Subject>alice@example.com</Subject><SubjectType>persistent</SubjectType><Issuer>https://idp.example.com/</Issuer>
      <Audience>https://signin.aws.amazon.com/saml</Audience><NameQualifier>SbdGOnUkh1i4+EXAMPLE=</NameQualifier>
      </AssumeRoleWithSAMLResult></AssumeRoleWithSAMLResponse>
      """)
    let federated = try await anonymousSTS(transport).assumeRoleWithSAML(
      roleARN: "arn:aws:iam::123456789012:role/x", principalARN: "arn:aws:iam::123456789012:saml-provider/p",
      samlAssertion: "PHNhbWxwOlJlc3BvbnNlLz4=", duration: .seconds(3600))
    #expect(
      federated
        == FederatedRoleCredentials(
          credentials: AWSCredentials(
            accessKeyID: "ASIAFED", secretAccessKey: "fedsecret", sessionToken: "fedtoken",
            expiration: Timestamp.parseISO8601("2026-11-21T20:12:58Z")),
          assumedRoleARN: "arn:aws:sts::123456789012:assumed-role/x/alice", assumedRoleID: "AROAX:alice",
          subject: "alice@example.com", subjectType: "persistent", issuer: "https://idp.example.com/",
          audience: "https://signin.aws.amazon.com/saml", nameQualifier: "SbdGOnUkh1i4+EXAMPLE="))
    let request = try #require(await transport.request)
    #expect(request.header("Authorization") == nil)
    #expect(
      await transport.sentBody
        == "Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx"
        + "&PrincipalArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Asaml-provider%2Fp"
        + "&SAMLAssertion=PHNhbWxwOlJlc3BvbnNlLz4%3D&DurationSeconds=3600")
  }

  @Test("AssumeRoleWithWebIdentity is sent unsigned, with ProviderId when given, and decodes the token's identity")
  func webIdentity() async throws {
    let transport = OneAnswerTransport(
      """
      <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>
      <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HEXAMPLE</SubjectFromWebIdentityToken>
      <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
      \(credentialsXML)
      <SourceIdentity>alice</SourceIdentity>
      <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/web/app1</Arn><AssumedRoleId>AROAW:app1</AssumedRoleId></AssumedRoleUser>
      <Provider>www.amazon.com</Provider>
      </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
      """)
    let federated = try await anonymousSTS(transport).assumeRoleWithWebIdentity(
      roleARN: "arn:aws:iam::123456789012:role/web", sessionName: "app1", webIdentityToken: "Atza|token",
      duration: .seconds(900) + .milliseconds(500), providerID: "www.amazon.com")
    #expect(federated.credentials.accessKeyID == "ASIAFED")
    #expect(federated.subject == "amzn1.account.AF6RHO7KZU5XRVQJGXK6HEXAMPLE")
    #expect(federated.audience == "client.5498841531868486423.1548@apps.example.com")
    #expect(federated.provider == "www.amazon.com")
    #expect(federated.sourceIdentity == "alice")
    #expect(federated.assumedRoleARN == "arn:aws:sts::123456789012:assumed-role/web/app1")
    #expect(federated.issuer == nil)
    let request = try #require(await transport.request)
    #expect(request.header("Authorization") == nil)
    #expect(
      await transport.sentBody
        == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb"
        + "&RoleSessionName=app1&WebIdentityToken=Atza%7Ctoken&ProviderId=www.amazon.com&DurationSeconds=900")
  }

  @Test("an answer without credentials is a decoding error")
  func missingCredentials() async throws {
    let transport = OneAnswerTransport(
      "<AssumeRoleWithSAMLResponse><AssumeRoleWithSAMLResult/></AssumeRoleWithSAMLResponse>")
    await #expect(throws: AWSResponseDecodingError.self) {
      try await anonymousSTS(transport).assumeRoleWithSAML(
        roleARN: "r", principalARN: "p", samlAssertion: "a", duration: .seconds(900))
    }
  }

  /// A service written before federated sign-in: only the three original calls.
  private struct SessionOnlySTS: SecurityTokenService {
    func getSessionToken(
      credentials: AWSCredentials, duration: Duration, mfaSerial: String?, tokenCode: String?
    ) async throws -> AWSCredentials { credentials }

    func assumeRole(
      credentials: AWSCredentials, roleARN: String, sessionName: String, duration: Duration, externalID: String?,
      mfaSerial: String?, tokenCode: String?
    ) async throws -> AWSCredentials { credentials }

    func getCallerIdentity(credentials: AWSCredentials) async throws -> CallerIdentity {
      CallerIdentity(account: "1", arn: "arn", userID: "u")
    }
  }

  @Test("a SecurityTokenService without the federated calls refuses them with a clear error")
  func defaultImplementations() async throws {
    let sts: any SecurityTokenService = SessionOnlySTS()
    do {
      _ = try await sts.assumeRoleWithSAML(roleARN: "r", principalARN: "p", samlAssertion: "a", duration: .seconds(900))
      Issue.record("expected an error")
    } catch let error as CredentialError {
      #expect(error.message == "SessionOnlySTS cannot call STS AssumeRoleWithSAML")
    }
    do {
      _ = try await sts.assumeRoleWithWebIdentity(
        roleARN: "r", sessionName: "s", webIdentityToken: "t", duration: .seconds(900), providerID: nil)
      Issue.record("expected an error")
    } catch let error as CredentialError {
      #expect(error.message == "SessionOnlySTS cannot call STS AssumeRoleWithWebIdentity")
    }
  }
}

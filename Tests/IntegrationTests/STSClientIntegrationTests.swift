import Foundation
import RunAsCore
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Round trips of RunAsCore's STS and IAM clients against the STS emulator (moto) on loopback.

@Suite("STSClient against moto", .serialized)
struct STSClientIntegrationTests {
  /// Any key works while the emulator is not checking signatures.
  static let anyCredentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "testing")

  private func sts(_ endpoint: String, credentials: AWSCredentials? = anyCredentials) -> STSClient {
    STSClient(
      endpoint: ServiceEndpoint(url: endpoint, signingRegion: "us-east-1", service: "sts"),
      credentials: credentials)
  }

  @Test("GetSessionToken returns credentials with a fractional-second expiry")
  func getSessionToken() async throws {
    let moto = try await STSEmulator.shared
    let before = Date()
    let credentials = try await sts(moto.endpoint).getSessionToken(
      duration: .seconds(900) + .milliseconds(700), mfaSerial: nil, tokenCode: nil)
    #expect(!credentials.accessKeyID.isEmpty)
    #expect(!credentials.secretAccessKey.isEmpty)
    #expect(credentials.sessionToken?.isEmpty == false)
    let expiration = try #require(credentials.expiration)
    // moto answers "2026-11-21T20:12:58.883026Z"; whole seconds were sent, so the expiry is ~900 s out.
    #expect(abs(expiration.timeIntervalSince(before) - 900) < 30)
    #expect(credentials.isValid(at: Date()))
  }

  @Test("AssumeRole returns role credentials that expire after the requested duration")
  func assumeRole() async throws {
    let moto = try await STSEmulator.shared
    let before = Date()
    let credentials = try await sts(moto.endpoint).assumeRole(
      roleARN: "arn:aws:iam::123456789012:role/integration", sessionName: "runas-test",
      duration: .seconds(1800), externalID: "ext-1", mfaSerial: nil, tokenCode: nil)
    #expect(credentials.accessKeyID.hasPrefix("ASIA"))
    #expect(credentials.sessionToken != nil)
    let expiration = try #require(credentials.expiration)
    #expect(abs(expiration.timeIntervalSince(before) - 1800) < 30)
  }

  @Test("AssumeRoleWithWebIdentity works unsigned")
  func assumeRoleWithWebIdentity() async throws {
    let moto = try await STSEmulator.shared
    let federated = try await sts(moto.endpoint, credentials: nil).assumeRoleWithWebIdentity(
      roleARN: "arn:aws:iam::123456789012:role/web", sessionName: "web-session",
      webIdentityToken: "eyJhbGciOiJSUzI1NiJ9.e30.sig", duration: .seconds(900))
    #expect(federated.credentials.sessionToken != nil)
    #expect(federated.credentials.expiration != nil)
    #expect(federated.assumedRoleARN == "arn:aws:sts::123456789012:assumed-role/web/web-session")
  }

  @Test("AssumeRoleWithSAML works unsigned and the credentials act as the assumed role")
  func assumeRoleWithSAML() async throws {
    let moto = try await STSEmulator.shared
    let session = "saml-\(UUID().uuidString.prefix(8))"
    let before = Date()
    let federated = try await sts(moto.endpoint, credentials: nil).assumeRoleWithSAML(
      roleARN: "arn:aws:iam::123456789012:role/x", principalARN: "arn:aws:iam::123456789012:saml-provider/p",
      samlAssertion: Data(Self.samlResponse(sessionName: session, seconds: 1800).utf8).base64EncodedString(),
      duration: .seconds(1800))
    #expect(federated.assumedRoleARN == "arn:aws:sts::123456789012:assumed-role/x/\(session)")
    #expect(federated.subject?.isEmpty == false)
    #expect(federated.subjectType == "persistent")
    #expect(federated.audience == "https://signin.aws.amazon.com/saml")
    #expect(federated.issuer?.isEmpty == false)
    let expiration = try #require(federated.credentials.expiration)
    #expect(abs(expiration.timeIntervalSince(before) - 1800) < 30)
    let identity = try await sts(moto.endpoint, credentials: federated.credentials).getCallerIdentity()
    #expect(identity.arn == federated.assumedRoleARN)
  }

  /// A minimal unsigned SAML 2.0 response naming the role and provider, as an IdP would post it.
  static func samlResponse(sessionName: String, seconds: Int) -> String {
    let notOnOrAfter = Timestamp.formatRFC3339(Date().addingTimeInterval(300))
    return """
      <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" \
      xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_response" Version="2.0">\
      <saml:Issuer>https://idp.example.com/</saml:Issuer>\
      <saml:Assertion ID="_assertion" Version="2.0"><saml:Issuer>https://idp.example.com/</saml:Issuer>\
      <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">\(sessionName)</saml:NameID>\
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">\
      <saml:SubjectConfirmationData NotOnOrAfter="\(notOnOrAfter)" Recipient="https://signin.aws.amazon.com/saml"/>\
      </saml:SubjectConfirmation></saml:Subject>\
      <saml:Conditions NotOnOrAfter="\(notOnOrAfter)"><saml:AudienceRestriction>\
      <saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
      <saml:AttributeStatement>\
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">\
      <saml:AttributeValue>arn:aws:iam::123456789012:role/x,arn:aws:iam::123456789012:saml-provider/p</saml:AttributeValue>\
      </saml:Attribute>\
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">\
      <saml:AttributeValue>\(sessionName)</saml:AttributeValue></saml:Attribute>\
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration">\
      <saml:AttributeValue>\(seconds)</saml:AttributeValue></saml:Attribute>\
      </saml:AttributeStatement></saml:Assertion></samlp:Response>
      """
  }

  @Test("GetCallerIdentity names moto's default account")
  func getCallerIdentity() async throws {
    let moto = try await STSEmulator.shared
    let identity = try await sts(moto.endpoint).getCallerIdentity()
    #expect(identity.account == "123456789012")
    #expect(identity.arn.hasPrefix("arn:aws:"))
    #expect(!identity.userID.isEmpty)
  }

  @Test("the server's Date header is readable without credentials")
  func serverDate() async throws {
    let moto = try await STSEmulator.shared
    let date = try #require(try await sts(moto.endpoint, credentials: nil).serverDate())
    #expect(abs(date.timeIntervalSinceNow) < 60)
  }

  @Test("an AWS error answer becomes an AWSServiceError with code and message")
  func serviceError() async throws {
    let moto = try await STSEmulator.shared
    let iam = IAMClient(
      endpoint: ServiceEndpoint(url: moto.endpoint, signingRegion: "us-east-1", service: "iam"),
      credentials: Self.anyCredentials)
    do {
      _ = try await iam.listMFADevices(userName: "no-such-user-\(UUID().uuidString.prefix(8))")
      Issue.record("expected NoSuchEntity")
    } catch let error as AWSServiceError {
      #expect(error.code == "NoSuchEntity")
      #expect(error.statusCode == 404)
      #expect(error.message.contains("cannot be found"))
      #expect(error.description.hasPrefix("iam ListMFADevices failed: NoSuchEntity: "))
    }
  }

  @Test("ListMFADevices lists a user's virtual MFA device")
  func listMFADevices() async throws {
    let moto = try await STSEmulator.shared
    let user = "mfa-\(UUID().uuidString.prefix(8))"
    let serial = try #require(try await moto.createUser(name: user, mfa: true).mfaSerial)
    let iam = IAMClient(
      endpoint: ServiceEndpoint(url: moto.endpoint, signingRegion: "us-east-1", service: "iam"),
      credentials: Self.anyCredentials)
    #expect(try await iam.listMFADevices(userName: user) == [serial])
  }

  @Test("a refused connection is retried, then reported after 3 attempts")
  func connectionRefused() async throws {
    do {
      _ = try await sts("http://127.0.0.1:1/").getCallerIdentity()
      Issue.record("expected a transport error")
    } catch let error as AWSTransportError {
      #expect(error.attempts == 3)
      #expect(error.kind == .connectionRefused)
      #expect(error.description == "cannot reach sts at http://127.0.0.1:1/: connection refused (after 3 attempts)")
    }
  }

  @Test("a response slower than the timeout is reported as a timeout")
  func timeout() async throws {
    let silent = try SilentListener()
    let client = STSClient(
      endpoint: ServiceEndpoint(url: "http://127.0.0.1:\(silent.port)/", signingRegion: "us-east-1", service: "sts"),
      credentials: Self.anyCredentials,
      transport: AsyncHTTPClientTransport(totalTimeout: .milliseconds(300)),
      retryPolicy: AWSRetryPolicy(maxAttempts: 2))
    do {
      _ = try await client.getCallerIdentity()
      Issue.record("expected a timeout")
    } catch let error as AWSTransportError {
      #expect(error.kind == .timedOut)
      #expect(error.attempts == 2)
      #expect(error.description.hasPrefix("cannot reach sts at http://127.0.0.1:\(silent.port)/: "))
    }
  }

  @Test("signatures are verified: the right secret passes, a wrong one is SignatureDoesNotMatch")
  func signatureChecked() async throws {
    // Signature checks start after the first 3 authenticated actions: the setup below.
    let moto = try await STSEmulator(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
    let user = "signer-\(UUID().uuidString.prefix(8))"
    let created = try await moto.createUser(
      name: user,
      policy: #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}"#)
    let good = AWSCredentials(accessKeyID: created.accessKeyId, secretAccessKey: created.secretAccessKey)

    let identity = try await sts(moto.endpoint, credentials: good).getCallerIdentity()
    #expect(identity.arn == "arn:aws:iam::123456789012:user/\(user)")

    var wrong = good
    wrong.secretAccessKey = String(good.secretAccessKey.reversed())
    do {
      _ = try await sts(moto.endpoint, credentials: wrong).getCallerIdentity()
      Issue.record("expected SignatureDoesNotMatch")
    } catch let error as AWSServiceError {
      #expect(error.code == "SignatureDoesNotMatch")
      #expect(error.statusCode == 403)
      #expect(error.hint != nil)
    }

    let unknown = AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "x")
    await #expect(throws: AWSServiceError.self) {
      try await sts(moto.endpoint, credentials: unknown).getCallerIdentity()
    }

    // A signed AssumeRole, then a call signed with the role's session token, which moto checks too.
    let role = try await sts(moto.endpoint, credentials: good).assumeRole(
      roleARN: "arn:aws:iam::123456789012:role/chained", sessionName: "signed-session", duration: .seconds(900))
    let roleIdentity = try await sts(moto.endpoint, credentials: role).getCallerIdentity()
    #expect(roleIdentity.arn == "arn:aws:sts::123456789012:assumed-role/chained/signed-session")

    var wrongToken = role
    wrongToken.sessionToken = "not-the-token"
    await #expect(throws: AWSServiceError.self) {
      try await sts(moto.endpoint, credentials: wrongToken).getCallerIdentity()
    }
  }
}

/// A loopback socket that accepts connections and never answers, for timeout tests.
final class SilentListener: Sendable {
  let port: UInt16
  private let fd: Int32

  init() throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let fd = self.fd
    let ok = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard ok, listen(fd, 16) == 0 else {
      close(fd)
      throw HarnessError("listen() failed")
    }
    port = UInt16(bigEndian: address.sin_port)
  }

  deinit { close(fd) }
}

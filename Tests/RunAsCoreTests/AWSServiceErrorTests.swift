import Foundation
import RunAsCore
import Testing

@Suite("AWSServiceError")
struct AWSServiceErrorTests {
  @Test("decodes the query-protocol ErrorResponse shape")
  func decodesErrorResponse() {
    let body = """
      <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <Error>
          <Type>Sender</Type>
          <Code>AccessDenied</Code>
          <Message>User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin</Message>
        </Error>
        <RequestId>4b1c0e4a-0000-4000-8000-000000000001</RequestId>
      </ErrorResponse>
      """
    let error = AWSServiceError(
      service: "sts", operation: "AssumeRole", statusCode: 403, body: Array(body.utf8))
    #expect(error.code == "AccessDenied")
    #expect(error.type == "Sender")
    #expect(error.requestID == "4b1c0e4a-0000-4000-8000-000000000001")
    #expect(
      error.description
        == "sts AssumeRole failed: AccessDenied: User: arn:aws:iam::123456789012:user/alice is not "
        + "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin "
        + "(HTTP 403, request id 4b1c0e4a-0000-4000-8000-000000000001)")
    #expect(!error.isRetryable)
    #expect(!error.isThrottling)
  }

  @Test("decodes the EC2-style Response/Errors shape")
  func decodesErrorsShape() {
    let body =
      "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
      + "</Error></Errors><RequestID>ec2-req</RequestID></Response>"
    let error = AWSServiceError(service: "ec2", operation: "DescribeRegions", statusCode: 503, body: Array(body.utf8))
    #expect(error.code == "RequestLimitExceeded")
    #expect(error.message == "Request limit exceeded.")
    #expect(error.requestID == "ec2-req")
    #expect(error.isThrottling)
  }

  @Test("decodes moto's ErrorResponse/Errors shape and takes the request id from the header")
  func decodesMotoShape() {
    let body =
      #"<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"#
      + "<Message>The request signature we calculated does not match</Message></Error></Errors></ErrorResponse>"
    let error = AWSServiceError(
      service: "sts", operation: "GetCallerIdentity", statusCode: 403, body: Array(body.utf8),
      headers: [("x-amzn-requestid", "moto-1")])
    #expect(error.code == "SignatureDoesNotMatch")
    #expect(error.requestID == "moto-1")
    #expect(error.hint != nil)
  }

  @Test("a body that is not XML still gives a readable error")
  func nonXMLBody() {
    let html = "<html>\n<body>Bad   Gateway</body>"
    let error = AWSServiceError(service: "sts", operation: "GetCallerIdentity", statusCode: 502, body: Array(html.utf8))
    #expect(error.code == "HTTP502")
    #expect(error.message == "<html> <body>Bad Gateway</body>")
    #expect(error.isRetryable)
    #expect(error.description == "sts GetCallerIdentity failed: HTTP502: <html> <body>Bad Gateway</body> (HTTP 502)")
  }

  @Test("an empty body uses the X-Amzn-ErrorType header for the code")
  func errorTypeHeader() {
    let error = AWSServiceError(
      service: "sts", operation: "AssumeRole", statusCode: 400, body: [],
      headers: [("X-Amzn-ErrorType", "ExpiredTokenException:http://internal.amazon.com/")])
    #expect(error.code == "ExpiredTokenException")
    #expect(error.description == "sts AssumeRole failed: ExpiredTokenException (HTTP 400)")
  }

  @Test(
    "throttling codes are throttling and retryable",
    arguments: [
      "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
      "RequestThrottled", "SlowDown", "ThrottledException", "RequestThrottledException",
      "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "PriorRequestNotComplete",
    ])
  func throttling(code: String) {
    let error = AWSServiceError(service: "sts", operation: "AssumeRole", statusCode: 400, code: code, message: "")
    #expect(error.isThrottling)
    #expect(error.isRetryable)
  }

  @Test("HTTP 429 is throttling whatever the code")
  func status429() {
    #expect(AWSServiceError(service: "sts", operation: "X", statusCode: 429, code: "Other", message: "").isThrottling)
  }

  @Test("5xx and IDPCommunicationError are retryable; client errors are not")
  func retryable() {
    #expect(
      AWSServiceError(service: "sts", operation: "X", statusCode: 500, code: "InternalFailure", message: "").isRetryable
    )
    #expect(AWSServiceError(service: "sts", operation: "X", statusCode: 503, code: "Unknown", message: "").isRetryable)
    #expect(
      AWSServiceError(
        service: "sts", operation: "AssumeRoleWithWebIdentity", statusCode: 400, code: "IDPCommunicationError",
        message: ""
      )
      .isRetryable)
    for code in ["AccessDenied", "ValidationError", "ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch"] {
      #expect(!AWSServiceError(service: "sts", operation: "X", statusCode: 400, code: code, message: "").isRetryable)
    }
  }

  @Test("a multi-line message renders on one line")
  func oneLine() {
    let error = AWSServiceError(
      service: "iam", operation: "ListMFADevices", statusCode: 404, code: "NoSuchEntity",
      message: "The user with name bob\n  cannot be found.", requestID: "r")
    #expect(
      error.description
        == "iam ListMFADevices failed: NoSuchEntity: The user with name bob cannot be found. (HTTP 404, request id r)")
  }
}

@Suite("AWSTransportError")
struct AWSTransportErrorTests {
  @Test("renders the endpoint, the reason and the attempts")
  func rendering() {
    let refused = AWSTransportError(
      service: "sts", operation: "GetCallerIdentity", url: "http://127.0.0.1:1/", kind: .connectionRefused,
      detail: "connection refused", attempts: 3)
    #expect(refused.description == "cannot reach sts at http://127.0.0.1:1/: connection refused (after 3 attempts)")
    let timedOut = AWSTransportError(
      service: "iam", url: "https://iam.amazonaws.com", kind: .timedOut, detail: "no response within 20 s", attempts: 1)
    #expect(
      timedOut.description == "cannot reach iam at https://iam.amazonaws.com: no response within 20 s (after 1 attempt)"
    )
    #expect(timedOut.hint?.contains("AWS_RUNAS_HTTP_TIMEOUT") == true)
  }
}

// MARK: - Retries and decoding through AWSQueryClient, with a scripted transport

/// Answers requests from a script and records them.
private actor ScriptedTransport: HTTPTransport {
  private var replies: [Result<HTTPResponseData, HTTPTransportError>]
  private(set) var requests: [HTTPRequestData] = []

  init(_ replies: [Result<HTTPResponseData, HTTPTransportError>]) { self.replies = replies }

  func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
    requests.append(request)
    guard !replies.isEmpty else { throw HTTPTransportError(kind: .other, detail: "script exhausted") }
    return try replies.removeFirst().get()
  }

  var bodies: [String] { requests.map { String(decoding: $0.body, as: UTF8.self) } }
}

/// Records the backoff sleeps instead of sleeping.
private actor SleepRecorder {
  private(set) var delays: [Duration] = []
  func record(_ delay: Duration) { delays.append(delay) }
}

private func xmlReply(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> Result<
  HTTPResponseData, HTTPTransportError
> {
  .success(HTTPResponseData(status: status, headers: headers, body: Array(body.utf8)))
}

private func errorBody(_ code: String, _ message: String = "m") -> String {
  "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
}

private let callerIdentityBody = """
  <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <GetCallerIdentityResult>
      <Arn>arn:aws:iam::123456789012:user/alice</Arn>
      <UserId>AIDAEXAMPLE</UserId>
      <Account>123456789012</Account>
    </GetCallerIdentityResult>
    <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
  </GetCallerIdentityResponse>
  """

private func makeClient(
  _ transport: ScriptedTransport, sleeps: SleepRecorder,
  credentials: AWSCredentials? = AWSCredentials(
    accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "tok"),
  maxAttempts: Int = 3
) -> AWSQueryClient {
  var client = AWSQueryClient(
    endpoint: ServiceEndpoint(url: "https://sts.eu-west-1.amazonaws.com", signingRegion: "eu-west-1", service: "sts"),
    apiVersion: STSClient.apiVersion, credentials: credentials, transport: transport,
    // A deadline far beyond any test: backoffs are recorded, not slept, and the call must not run
    // out of time even when a busy machine starves the test of threads.
    retryPolicy: AWSRetryPolicy(maxAttempts: maxAttempts, timeout: .seconds(86_000)))
  client.sleep = { await sleeps.record($0) }
  client.random = { 0.5 }
  return client
}

@Suite("AWSQueryClient retries")
struct AWSQueryClientRetryTests {
  @Test("a 503 is retried, then the success is returned")
  func retriesServerError() async throws {
    let transport = ScriptedTransport([
      xmlReply(503, errorBody("ServiceUnavailable")),
      xmlReply(200, callerIdentityBody, headers: [("Date", "Wed, 21 Oct 2015 07:28:00 GMT")]),
    ])
    let sleeps = SleepRecorder()
    let response = try await makeClient(transport, sleeps: sleeps).call("GetCallerIdentity")
    #expect(response.attempts == 2)
    #expect(response.requestID == "req-1")
    #expect(response.serverDate == Date(timeIntervalSince1970: 1_445_412_480))
    #expect(response.result.childText("Account") == "123456789012")
    #expect(await sleeps.delays == [.milliseconds(50)])
  }

  @Test("throttling is retried with growing backoff")
  func retriesThrottling() async throws {
    let transport = ScriptedTransport([
      xmlReply(400, errorBody("Throttling")), xmlReply(400, errorBody("Throttling")), xmlReply(200, callerIdentityBody),
    ])
    let sleeps = SleepRecorder()
    let response = try await makeClient(transport, sleeps: sleeps).call("GetCallerIdentity")
    #expect(response.attempts == 3)
    #expect(await sleeps.delays == [.milliseconds(50), .milliseconds(100)])
  }

  @Test("a client error is thrown at once, decoded")
  func noRetryOnAccessDenied() async throws {
    let transport = ScriptedTransport([xmlReply(403, errorBody("AccessDenied", "not authorized"))])
    let sleeps = SleepRecorder()
    await #expect(
      throws: AWSServiceError(
        service: "sts", operation: "AssumeRole", statusCode: 403, code: "AccessDenied", message: "not authorized",
        requestID: "rid", type: "Sender")
    ) {
      try await makeClient(transport, sleeps: sleeps).call("AssumeRole", parameters: [("RoleArn", "arn")])
    }
    #expect(await transport.requests.count == 1)
    #expect(await sleeps.delays.isEmpty)
  }

  @Test("after the last attempt the last service error is thrown")
  func givesUpOnServerErrors() async throws {
    let transport = ScriptedTransport([
      xmlReply(500, errorBody("InternalFailure", "one")), xmlReply(500, errorBody("InternalFailure", "two")),
      xmlReply(500, errorBody("InternalFailure", "three")),
    ])
    do {
      _ = try await makeClient(transport, sleeps: SleepRecorder()).call("GetCallerIdentity")
      Issue.record("expected an error")
    } catch let error as AWSServiceError {
      #expect(error.message == "three")
      #expect(error.statusCode == 500)
    }
    #expect(await transport.requests.count == 3)
  }

  @Test("connection failures are retried, then reported with the attempt count")
  func transportFailures() async throws {
    let refused = Result<HTTPResponseData, HTTPTransportError>.failure(
      HTTPTransportError(kind: .connectionRefused, detail: "connection refused"))
    let transport = ScriptedTransport([refused, refused, refused])
    let sleeps = SleepRecorder()
    do {
      _ = try await makeClient(transport, sleeps: sleeps).call("GetCallerIdentity")
      Issue.record("expected an error")
    } catch let error as AWSTransportError {
      #expect(error.attempts == 3)
      #expect(error.kind == .connectionRefused)
      #expect(
        error.description
          == "cannot reach sts at https://sts.eu-west-1.amazonaws.com: connection refused (after 3 attempts)")
    }
    #expect(await sleeps.delays == [.milliseconds(50), .milliseconds(100)])
  }

  @Test("a TLS failure is not retried")
  func tlsNotRetried() async throws {
    let transport = ScriptedTransport([.failure(HTTPTransportError(kind: .tlsFailure, detail: "bad certificate"))])
    await #expect(throws: AWSTransportError.self) {
      try await makeClient(transport, sleeps: SleepRecorder()).call("GetCallerIdentity")
    }
    #expect(await transport.requests.count == 1)
  }

  @Test("AWS_MAX_ATTEMPTS sets the attempts when it is a positive integer")
  func maxAttemptsFromEnvironment() {
    #expect(AWSRetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "5"]).maxAttempts == 5)
    #expect(AWSRetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "1"]).maxAttempts == 1)
    #expect(AWSRetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "0"]).maxAttempts == 3)
    #expect(AWSRetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "many"]).maxAttempts == 3)
    #expect(AWSRetryPolicy(environment: [:]).maxAttempts == 3)
  }

  @Test("backoff doubles from 100 ms and is capped at 5 s")
  func backoffCeiling() {
    let policy = AWSRetryPolicy.standard
    #expect(policy.delayCeiling(beforeRetry: 1) == .milliseconds(100))
    #expect(policy.delayCeiling(beforeRetry: 2) == .milliseconds(200))
    #expect(policy.delayCeiling(beforeRetry: 6) == .milliseconds(3200))
    #expect(policy.delayCeiling(beforeRetry: 7) == .seconds(5))
    #expect(policy.delayCeiling(beforeRetry: 80) == .seconds(5))
    #expect(policy.delay(beforeRetry: 3, fraction: 0) == .zero)
  }

  @Test("requests are form-encoded POSTs, signed with the session token")
  func requestShape() async throws {
    let transport = ScriptedTransport([xmlReply(200, callerIdentityBody)])
    _ = try await makeClient(transport, sleeps: SleepRecorder()).call(
      "AssumeRole",
      parameters: [("RoleArn", "arn:aws:iam::1:role/a b"), ("ExternalId", nil), ("RoleSessionName", "s+1")])
    let request = try #require(await transport.requests.first)
    #expect(request.method == "POST")
    #expect(request.url == "https://sts.eu-west-1.amazonaws.com")
    #expect(
      String(decoding: request.body, as: UTF8.self)
        == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&RoleSessionName=s%2B1")
    #expect(request.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
    #expect(request.header("Host") == "sts.eu-west-1.amazonaws.com")
    #expect(request.header("X-Amz-Security-Token") == "tok")
    let authorization = try #require(request.header("Authorization"))
    #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
    #expect(
      authorization.contains(
        "/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "))
  }

  @Test("anonymous calls carry no Authorization or token")
  func unsignedShape() async throws {
    let transport = ScriptedTransport([xmlReply(200, callerIdentityBody)])
    _ = try await makeClient(transport, sleeps: SleepRecorder()).call("AssumeRoleWithWebIdentity", signed: false)
    let request = try #require(await transport.requests.first)
    #expect(request.header("Authorization") == nil)
    #expect(request.header("X-Amz-Security-Token") == nil)
    #expect(request.header("Host") == "sts.eu-west-1.amazonaws.com")
  }

  @Test("a clock-skew rejection is re-signed at once with the server's time")
  func clockSkewCorrection() async throws {
    let transport = ScriptedTransport([
      xmlReply(
        403, errorBody("RequestExpired", "Request has expired."), headers: [("Date", "Sun, 30 Aug 2015 13:36:00 GMT")]),
      xmlReply(200, callerIdentityBody),
    ])
    let sleeps = SleepRecorder()
    var client = makeClient(transport, sleeps: sleeps)
    client.now = { Date(timeIntervalSince1970: 1_440_938_160) }  // 12:36, an hour behind the server
    let response = try await client.call("GetCallerIdentity")
    #expect(response.attempts == 2)
    #expect(await transport.requests.map { $0.header("X-Amz-Date") } == ["20150830T123600Z", "20150830T133600Z"])
    #expect(await sleeps.delays.isEmpty)
  }

  @Test("a clock-skew rejection without a usable skew is not retried")
  func clockSkewWithoutDate() async throws {
    let transport = ScriptedTransport([xmlReply(403, errorBody("RequestExpired"))])
    await #expect(throws: AWSServiceError.self) {
      try await makeClient(transport, sleeps: SleepRecorder()).call("GetCallerIdentity")
    }
    #expect(await transport.requests.count == 1)
  }

  @Test("a success body that is not XML is a decoding error")
  func undecodableSuccess() async throws {
    let transport = ScriptedTransport([xmlReply(200, "not xml")])
    await #expect(throws: AWSResponseDecodingError.self) {
      try await makeClient(transport, sleeps: SleepRecorder()).call("GetCallerIdentity")
    }
  }
}

@Suite("STS and IAM decoding")
struct STSAndIAMDecodingTests {
  static let sessionTokenBody = """
    <GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>
    <AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>sekrit</SecretAccessKey><SessionToken>tok</SessionToken>
    <Expiration>2026-11-21T20:12:58.883026Z</Expiration></Credentials></GetSessionTokenResult>
    <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetSessionTokenResponse>
    """

  @Test("GetSessionToken decodes credentials and sends whole seconds and the MFA fields")
  func sessionToken() async throws {
    let transport = ScriptedTransport([xmlReply(200, Self.sessionTokenBody)])
    let sts = STSClient(client: makeClient(transport, sleeps: SleepRecorder()))
    let credentials = try await sts.getSessionToken(
      duration: .seconds(3600) + .milliseconds(900), mfaSerial: "arn:aws:iam::1:mfa/alice", tokenCode: "123456")
    #expect(credentials.accessKeyID == "ASIAEXAMPLE")
    #expect(credentials.secretAccessKey == "sekrit")
    #expect(credentials.sessionToken == "tok")
    #expect(credentials.expiration.map(Timestamp.formatRFC3339) == "2026-11-21T20:12:58.883026Z")
    #expect(
      await transport.bodies == [
        "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Falice&TokenCode=123456"
      ])
  }

  @Test("GetCallerIdentity decodes account, ARN and user ID")
  func callerIdentity() async throws {
    let transport = ScriptedTransport([xmlReply(200, callerIdentityBody)])
    let identity = try await STSClient(client: makeClient(transport, sleeps: SleepRecorder())).getCallerIdentity()
    #expect(
      identity
        == CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", userID: "AIDAEXAMPLE"))
  }

  @Test("a response without credentials is a decoding error")
  func missingCredentials() async throws {
    let transport = ScriptedTransport([xmlReply(200, "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>")])
    await #expect(throws: AWSResponseDecodingError.self) {
      try await STSClient(client: makeClient(transport, sleeps: SleepRecorder()))
        .assumeRole(roleARN: "arn", sessionName: "s", duration: .seconds(900))
    }
  }

  @Test("the server date is read even from an error answer")
  func serverDate() async throws {
    let transport = ScriptedTransport([
      xmlReply(403, errorBody("MissingAuthenticationToken"), headers: [("Date", "Wed, 21 Oct 2015 07:28:00 GMT")])
    ])
    let date = try await STSClient(client: makeClient(transport, sleeps: SleepRecorder(), credentials: nil))
      .serverDate()
    #expect(date == Date(timeIntervalSince1970: 1_445_412_480))
  }

  @Test("ListMFADevices follows Marker pagination")
  func listMFADevicesPaginates() async throws {
    func page(_ serials: [String], marker: String?) -> Result<HTTPResponseData, HTTPTransportError> {
      let members = serials.map { "<member><UserName>alice</UserName><SerialNumber>\($0)</SerialNumber></member>" }
        .joined()
      let tail =
        marker.map { "<IsTruncated>true</IsTruncated><Marker>\($0)</Marker>" } ?? "<IsTruncated>false</IsTruncated>"
      return xmlReply(
        200,
        "<ListMFADevicesResponse><ListMFADevicesResult><MFADevices>\(members)</MFADevices>\(tail)</ListMFADevicesResult></ListMFADevicesResponse>"
      )
    }
    let transport = ScriptedTransport([
      page(["arn:aws:iam::1:mfa/a", "GAHT12345"], marker: "m1"), page(["arn:aws:iam::1:mfa/b"], marker: nil),
    ])
    var client = makeClient(transport, sleeps: SleepRecorder())
    client.apiVersion = IAMClient.apiVersion
    let serials = try await IAMClient(client: client).listMFADevices(userName: "alice")
    #expect(serials == ["arn:aws:iam::1:mfa/a", "GAHT12345", "arn:aws:iam::1:mfa/b"])
    #expect(
      await transport.bodies == [
        "Action=ListMFADevices&Version=2010-05-08&UserName=alice",
        "Action=ListMFADevices&Version=2010-05-08&UserName=alice&Marker=m1",
      ])
  }

  @Test("credentials never print their secret or token")
  func credentialsRedacted() {
    let credentials = AWSCredentials(
      accessKeyID: "ASIAKEY", secretAccessKey: "TOPSECRET", sessionToken: "TOKENVALUE",
      expiration: Date(timeIntervalSince1970: 1_714_566_896))
    var dumped = ""
    dump(credentials, to: &dumped)
    for text in [credentials.description, "\(credentials)", String(reflecting: credentials), dumped] {
      #expect(text.contains("ASIAKEY"))
      #expect(!text.contains("TOPSECRET"))
      #expect(!text.contains("TOKENVALUE"))
    }
    #expect(
      credentials.description
        == "AWSCredentials(accessKeyID: ASIAKEY, sessionToken: <redacted>, expiration: 2024-05-01T12:34:56Z)")
  }

  @Test("validity honours expiry and margin")
  func validity() {
    let expiry = Date(timeIntervalSince1970: 1000)
    let credentials = AWSCredentials(accessKeyID: "A", secretAccessKey: "S", expiration: expiry)
    #expect(credentials.isValid(at: Date(timeIntervalSince1970: 999)))
    #expect(!credentials.isValid(at: expiry))
    #expect(!credentials.isValid(at: Date(timeIntervalSince1970: 500), margin: .seconds(600)))
    #expect(credentials.isValid(at: Date(timeIntervalSince1970: 399), margin: .seconds(600)))
    #expect(AWSCredentials(accessKeyID: "A", secretAccessKey: "S").isValid(at: .distantFuture))
    #expect(!AWSCredentials(accessKeyID: "", secretAccessKey: "S").isValid(at: expiry))
  }
}

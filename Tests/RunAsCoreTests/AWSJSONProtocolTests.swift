import Foundation
import Testing

@testable import RunAsCore

// The JSON 1.1 and REST-JSON codecs over the shared executor, with an in-memory transport.

/// Answers every request with the next scripted reply and records what it was sent.
private actor InMemoryTransport: HTTPTransport {
  private var replies: [HTTPResponseData]
  private(set) var requests: [HTTPRequestData] = []

  init(_ replies: [HTTPResponseData]) { self.replies = replies }

  func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
    requests.append(request)
    guard !replies.isEmpty else { throw HTTPTransportError(kind: .other, detail: "no reply left") }
    return replies.removeFirst()
  }

  func onlyRequest() throws -> HTTPRequestData {
    try #require(requests.count == 1 ? requests.first : nil)
  }
}

private func reply(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPResponseData {
  HTTPResponseData(status: status, headers: headers, body: Array(body.utf8))
}

private func reply(_ body: String, headers: [(name: String, value: String)] = []) -> HTTPResponseData {
  reply(200, body, headers: headers)
}

private let sessionCredentials = AWSCredentials(
  accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "session-token")

private func executor(
  _ transport: InMemoryTransport, url: String = "https://ssm.eu-west-1.amazonaws.com", service: String = "ssm",
  credentials: AWSCredentials? = sessionCredentials
) -> AWSRequestExecutor {
  var executor = AWSRequestExecutor(
    endpoint: ServiceEndpoint(url: url, signingRegion: "eu-west-1", service: service), credentials: credentials,
    transport: transport, retryPolicy: AWSRetryPolicy(maxAttempts: 3, timeout: .seconds(86_000)))
  executor.sleep = { _ in }
  executor.random = { 0.5 }
  return executor
}

private func bodyText(_ request: HTTPRequestData) -> String {
  String(decoding: request.body, as: UTF8.self)
}

@Suite("AWS JSON 1.1 client")
struct AWSJSONClientTests {
  @Test("a call is a signed POST / with the target, the JSON content type and the body, keys sorted")
  func requestShape() async throws {
    let transport = InMemoryTransport([reply(#"{"Parameter":{"Name":"/app/db","Value":"s3cret","Version":3}}"#)])
    let ssm = AWSJSONClient(executor: executor(transport), targetPrefix: "AmazonSSM")
    let answer = try await ssm.call("GetParameter", input: ["WithDecryption": true, "Name": "/app/db"])
    #expect(answer.body["Parameter"]?["Value"]?.stringValue == "s3cret")
    #expect(answer.body["Parameter"]?["Version"]?.intValue == 3)

    let request = try await transport.onlyRequest()
    #expect(request.method == "POST")
    #expect(request.url == "https://ssm.eu-west-1.amazonaws.com")
    #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
    #expect(request.header("X-Amz-Target") == "AmazonSSM.GetParameter")
    #expect(request.header("Host") == "ssm.eu-west-1.amazonaws.com")
    #expect(request.header("X-Amz-Security-Token") == "session-token")
    #expect(bodyText(request) == #"{"Name":"/app/db","WithDecryption":true}"#)
    let authorization = try #require(request.header("Authorization"))
    #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
    #expect(
      authorization.contains(
        "/eu-west-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "))
  }

  @Test("an operation without input sends an empty object")
  func emptyInput() async throws {
    let transport = InMemoryTransport([reply(#"{"authorizationData":[]}"#)])
    let ecr = AWSJSONClient(
      executor: executor(transport, service: "ecr"), targetPrefix: "AmazonEC2ContainerRegistry_V20150921")
    _ = try await ecr.call("GetAuthorizationToken")
    let request = try await transport.onlyRequest()
    #expect(bodyText(request) == "{}")
    #expect(request.header("X-Amz-Target") == "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")
  }

  @Test("an anonymous call has no signature, but its Host and extra headers")
  func unsignedCall() async throws {
    let transport = InMemoryTransport([reply("{}")])
    let client = AWSJSONClient(executor: executor(transport), targetPrefix: "AWSCognitoIdentityService")
    _ = try await client.call(
      "GetId", input: ["IdentityPoolId": "p"], headers: [("X-Extra", "1"), ("X-Absent", nil)], signed: false)
    let request = try await transport.onlyRequest()
    #expect(request.header("Authorization") == nil)
    #expect(request.header("X-Amz-Security-Token") == nil)
    #expect(request.header("X-Amz-Date") == nil)
    #expect(request.header("Host") == "ssm.eu-west-1.amazonaws.com")
    #expect(request.header("X-Extra") == "1")
    #expect(request.header("X-Absent") == nil)
  }

  @Test("JSON 1.0 services get their own content type")
  func jsonVersion() {
    let client = AWSJSONClient(
      executor: executor(InMemoryTransport([])), targetPrefix: "DynamoDB_20120810", jsonVersion: "1.0")
    let request = client.request("ListTables")
    #expect(request.headers.first { $0.name == "Content-Type" }?.value == "application/x-amz-json-1.0")
    #expect(request.parameterNames.isEmpty)
  }

  @Test("the answer's request ID, Date and attempts are kept; an empty body reads as {}")
  func answerMetadata() async throws {
    let transport = InMemoryTransport([
      reply(500, #"{"__type":"com.amazonaws.ssm#InternalServerError","message":"try later"}"#),
      reply("", headers: [("x-amzn-RequestId", "req-7"), ("Date", "Wed, 21 Oct 2015 07:28:00 GMT")]),
    ])
    let answer = try await AWSJSONClient(executor: executor(transport), targetPrefix: "AmazonSSM")
      .call("DeleteParameter", input: ["Name": "x"])
    #expect(answer.body == [:])
    #expect(answer.requestID == "req-7")
    #expect(answer.serverDate == Date(timeIntervalSince1970: 1_445_412_480))
    #expect(answer.attempts == 2)
  }

  @Test("a throttling error named in __type is retried")
  func throttlingRetried() async throws {
    let transport = InMemoryTransport([
      reply(400, #"{"__type":"com.amazonaws.ssm#ThrottlingException","message":"Rate exceeded"}"#), reply("{}"),
    ])
    let answer = try await AWSJSONClient(executor: executor(transport), targetPrefix: "AmazonSSM").call("GetParameter")
    #expect(answer.attempts == 2)
  }

  @Test("an error answer is decoded from JSON and not retried")
  func errorDecoded() async throws {
    let transport = InMemoryTransport([
      reply(
        400, #"{"__type":"ParameterNotFound","message":"Parameter /x not found."}"#,
        headers: [("x-amzn-RequestId", "r-1")])
    ])
    await #expect(
      throws: AWSServiceError(
        service: "ssm", operation: "GetParameter", statusCode: 400, code: "ParameterNotFound",
        message: "Parameter /x not found.", requestID: "r-1")
    ) {
      try await AWSJSONClient(executor: executor(transport), targetPrefix: "AmazonSSM")
        .call("GetParameter", input: ["Name": "/x"])
    }
    #expect(await transport.requests.count == 1)
  }

  @Test("a success body that is not JSON is a decoding error")
  func undecodableSuccess() async throws {
    let transport = InMemoryTransport([reply("<html>hello</html>")])
    await #expect(throws: AWSResponseDecodingError.self) {
      try await AWSJSONClient(executor: executor(transport), targetPrefix: "AmazonSSM").call("GetParameter")
    }
  }
}

@Suite("AWS REST-JSON client")
struct AWSRESTJSONClientTests {
  @Test("the portal's GetRoleCredentials: an unsigned GET with the query and the bearer token header")
  func portalRoleCredentials() async throws {
    let transport = InMemoryTransport([
      reply(
        #"{"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"s","sessionToken":"t","expiration":1700000000000}}"#
      )
    ])
    let portal = AWSRESTJSONClient(
      executor: executor(
        transport, url: "https://portal.sso.eu-west-1.amazonaws.com", service: "awsssoportal", credentials: nil))
    let answer = try await portal.call(
      "GetRoleCredentials", method: "GET", path: "/federation/credentials",
      query: [("role_name", "Admin Role"), ("account_id", "123456789012"), ("next", nil)],
      headers: [("x-amz-sso_bearer_token", "bearer/token+1")], signed: false)
    #expect(answer.body["roleCredentials"]?["expiration"]?.intValue == 1_700_000_000_000)

    let request = try await transport.onlyRequest()
    #expect(request.method == "GET")
    #expect(
      request.url
        == "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=Admin%20Role&account_id=123456789012"
    )
    #expect(request.header("x-amz-sso_bearer_token") == "bearer/token+1")
    #expect(request.header("Host") == "portal.sso.eu-west-1.amazonaws.com")
    #expect(request.header("Authorization") == nil)
    #expect(request.header("Content-Type") == nil)
    #expect(request.body.isEmpty)
  }

  @Test("SSO-OIDC's CreateToken: an unsigned POST with a JSON body")
  func oidcCreateToken() async throws {
    let transport = InMemoryTransport([reply(#"{"accessToken":"at","expiresIn":28800,"tokenType":"Bearer"}"#)])
    let oidc = AWSRESTJSONClient(
      executor: executor(
        transport, url: "https://oidc.eu-west-1.amazonaws.com/", service: "sso-oauth", credentials: nil))
    let answer = try await oidc.call(
      "CreateToken", method: "POST", path: "/token",
      body: [
        "clientId": "cid", "clientSecret": "csecret", "deviceCode": "dc",
        "grantType": "urn:ietf:params:oauth:grant-type:device_code",
      ], signed: false)
    #expect(answer.body["expiresIn"]?.intValue == 28_800)

    let request = try await transport.onlyRequest()
    #expect(request.url == "https://oidc.eu-west-1.amazonaws.com/token")
    #expect(request.header("Content-Type") == "application/json")
    #expect(
      bodyText(request)
        == #"{"clientId":"cid","clientSecret":"csecret","deviceCode":"dc","grantType":"urn:ietf:params:oauth:grant-type:device_code"}"#
    )
    #expect(request.header("Authorization") == nil)
  }

  @Test("path labels are URI-encoded, slashes too except in a greedy label")
  func pathLabels() throws {
    let client = AWSRESTJSONClient(executor: executor(InMemoryTransport([]), url: "http://127.0.0.1:4566/prefix/"))
    let request = try client.request(
      "GetThing", method: "GET", path: "/accounts/{accountId}/things/{Key+}",
      labels: ["accountId": "a/b c", "Key": "dir/sub dir/ü"])
    #expect(request.path == "/accounts/a%2Fb%20c/things/dir/sub%20dir/%C3%BC")
    #expect(
      request.url(at: "http://127.0.0.1:4566/prefix/")
        == "http://127.0.0.1:4566/prefix/accounts/a%2Fb%20c/things/dir/sub%20dir/%C3%BC")
    #expect(request.parameterNames == ["Key", "accountId"])
  }

  @Test("a label without a value is refused before anything is sent")
  func missingLabel() {
    let client = AWSRESTJSONClient(executor: executor(InMemoryTransport([]), service: "sso"))
    #expect(
      throws: AWSRequestEncodingError(
        service: "sso", operation: "ListAccountRoles", reason: "no value for path label id")
    ) {
      try client.request("ListAccountRoles", method: "GET", path: "/accounts/{id}/roles", labels: ["id": ""])
    }
  }

  @Test("a signed call signs the path and the query")
  func signedCall() async throws {
    let transport = InMemoryTransport([reply(#"{"Functions":[]}"#)])
    let signingTime = Date(timeIntervalSince1970: 1_440_938_160)
    var lambda = AWSRESTJSONClient(
      executor: executor(transport, url: "https://lambda.eu-west-1.amazonaws.com", service: "lambda"))
    lambda.now = { signingTime }
    _ = try await lambda.call(
      "ListFunctions", method: "GET", path: "/2015-03-31/functions/", query: [("MaxItems", "1")])
    let request = try await transport.onlyRequest()
    #expect(request.url == "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/?MaxItems=1")
    let authorization = try #require(request.header("Authorization"))
    #expect(
      authorization.contains("/eu-west-1/lambda/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, "))
    // The signature covers what was sent: signing the sent request again gives the same header.
    #expect(request.header("X-Amz-Date") == "20150830T123600Z")
    var unsigned = request
    unsigned.headers.removeAll { $0.name == "Authorization" }
    let signer = SigV4Signer(credentials: sessionCredentials, region: "eu-west-1", service: "lambda")
    #expect(signer.authorization(for: unsigned, at: signingTime) == authorization)
    #expect(
      signer.canonicalRequest(for: unsigned, payloadHash: SigV4Signer.hexSHA256([])).text
        .hasPrefix("GET\n/2015-03-31/functions/\nMaxItems=1\n"))
  }

  @Test("an encoded label is encoded again in the canonical request, as botocore does")
  func encodedLabelCanonicalURI() throws {
    let lambda = AWSRESTJSONClient(
      executor: executor(InMemoryTransport([]), url: "https://lambda.eu-west-1.amazonaws.com", service: "lambda"))
    let call = try lambda.request(
      "GetFunction", method: "GET", path: "/2015-03-31/functions/{FunctionName}",
      labels: ["FunctionName": "runas-missing:1"], query: [("Qualifier", "1")])
    let request = HTTPRequestData(
      method: call.method, url: call.url(at: "https://lambda.eu-west-1.amazonaws.com"),
      headers: [("X-Amz-Date", "20150830T123600Z")])
    #expect(request.url == "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/runas-missing%3A1?Qualifier=1")
    // botocore's SigV4Auth.canonical_request for the same request.
    let expected = """
      GET
      /2015-03-31/functions/runas-missing%253A1
      Qualifier=1
      host:lambda.eu-west-1.amazonaws.com
      x-amz-date:20150830T123600Z

      host;x-amz-date
      e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
      """
    let signer = SigV4Signer(credentials: sessionCredentials, region: "eu-west-1", service: "lambda")
    #expect(signer.canonicalRequest(for: request, payloadHash: SigV4Signer.hexSHA256([])).text == expected)
  }

  @Test("a REST-JSON error takes its code from X-Amzn-ErrorType")
  func errorFromHeader() async throws {
    let transport = InMemoryTransport([
      reply(
        404, #"{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:1:function:f"}"#,
        headers: [
          ("X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/")
        ]
      )
    ])
    let lambda = AWSRESTJSONClient(executor: executor(transport, service: "lambda"))
    do {
      _ = try await lambda.call(
        "GetFunction", method: "GET", path: "/2015-03-31/functions/{FunctionName}", labels: ["FunctionName": "f"])
      Issue.record("expected an error")
    } catch let error as AWSServiceError {
      #expect(error.code == "ResourceNotFoundException")
      #expect(error.statusCode == 404)
      #expect(error.description.hasPrefix("lambda GetFunction failed: ResourceNotFoundException: Function not found"))
    }
  }
}

@Suite("AWSRequest URLs")
struct AWSRequestURLTests {
  @Test("without a path the endpoint URL is used as it is")
  func endpointAsIs() {
    #expect(AWSRequest(operation: "X").url(at: "https://sts.amazonaws.com") == "https://sts.amazonaws.com")
    #expect(AWSRequest(operation: "X").url(at: "http://127.0.0.1:5000/") == "http://127.0.0.1:5000/")
  }

  @Test("a path replaces the endpoint's trailing slash; the query is RFC 3986 encoded")
  func pathAndQuery() {
    let request = AWSRequest(operation: "X", method: "GET", path: "/a", query: [("k y", "v/1+2"), ("e", "")])
    #expect(request.url(at: "https://h.example/") == "https://h.example/a?k%20y=v%2F1%2B2&e=")
    #expect(request.url(at: "https://h.example") == "https://h.example/a?k%20y=v%2F1%2B2&e=")
  }
}

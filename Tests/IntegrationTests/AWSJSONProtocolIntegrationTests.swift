import Foundation
import RunAsCore
import Testing

// RunAsCore's JSON 1.1 and REST-JSON clients against moto's SSM, ECR and Lambda, on the STS
// emulator's port: moto routes each request by the service in its signature's credential scope.

@Suite("AWS JSON protocols against moto")
struct AWSJSONProtocolIntegrationTests {
  /// Any key works while the emulator is not checking signatures.
  static let anyCredentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "testing")

  /// An emulator of this suite's own: moto's first SSM call loads AWS's public parameters, which
  /// would hold up every other suite's calls to the shared emulator meanwhile.
  static var moto: STSEmulator {
    get async throws { try await ownEmulator.value }
  }
  private static let ownEmulator = Task { try await STSEmulator() }

  /// Patient with moto: its first SSM call loads AWS's public parameters, which takes a while on
  /// a busy machine, and a retry of a PutParameter whose answer was late would find it done.
  private func executor(_ moto: STSEmulator, service: String) -> AWSRequestExecutor {
    AWSRequestExecutor(
      endpoint: ServiceEndpoint(url: moto.endpoint, signingRegion: "us-east-1", service: service),
      credentials: Self.anyCredentials, transport: AsyncHTTPClientTransport(totalTimeout: .seconds(300)),
      retryPolicy: AWSRetryPolicy(maxAttempts: 3, timeout: .seconds(600)))
  }

  private func ssm(_ moto: STSEmulator) -> AWSJSONClient {
    AWSJSONClient(executor: executor(moto, service: "ssm"), targetPrefix: "AmazonSSM")
  }

  @Test("SSM PutParameter then GetParameter round-trips a secure string")
  func ssmRoundTrip() async throws {
    let moto = try await Self.moto
    let name = "/runas/\(UUID().uuidString.prefix(8))/db-password"
    let secret = "p@ss \"word\" ü\n{}"
    let put = try await ssm(moto).call(
      "PutParameter", input: ["Name": .string(name), "Value": .string(secret), "Type": "SecureString"])
    #expect(put.body["Version"]?.intValue == 1)
    #expect(put.requestID?.isEmpty == false)

    let get = try await ssm(moto).call("GetParameter", input: ["Name": .string(name), "WithDecryption": true])
    let parameter = try #require(get.body["Parameter"])
    #expect(parameter["Name"]?.stringValue == name)
    #expect(parameter["Value"]?.stringValue == secret)
    #expect(parameter["Type"]?.stringValue == "SecureString")
    #expect(parameter["ARN"]?.stringValue == "arn:aws:ssm:us-east-1:123456789012:parameter\(name)")
  }

  @Test("SSM GetParameter of a missing name is ParameterNotFound, decoded from JSON")
  func ssmParameterNotFound() async throws {
    let moto = try await Self.moto
    let name = "/runas/missing-\(UUID().uuidString.prefix(8))"
    do {
      _ = try await ssm(moto).call("GetParameter", input: ["Name": .string(name)])
      Issue.record("expected ParameterNotFound")
    } catch let error as AWSServiceError {
      #expect(error.code == "ParameterNotFound")
      #expect(error.statusCode == 400)
      #expect(error.message == "Parameter \(name) not found.")
      #expect(error.requestID?.isEmpty == false)
      #expect(error.description.hasPrefix("ssm GetParameter failed: ParameterNotFound: Parameter \(name) not found."))
    }
  }

  @Test("ECR GetAuthorizationToken returns a base64 user:password token and the registry")
  func ecrAuthorizationToken() async throws {
    let moto = try await Self.moto
    let ecr = AWSJSONClient(
      executor: executor(moto, service: "ecr"), targetPrefix: "AmazonEC2ContainerRegistry_V20150921")
    let answer = try await ecr.call("GetAuthorizationToken")
    let data = try #require(answer.body["authorizationData"]?[0])
    let token = try #require(data["authorizationToken"]?.stringValue)
    let decoded = try #require(Data(base64Encoded: token).map { String(decoding: $0, as: UTF8.self) })
    #expect(decoded.hasPrefix("AWS:"))
    #expect(data["proxyEndpoint"]?.stringValue?.hasPrefix("https://123456789012.dkr.ecr.us-east-1.") == true)
    #expect(data["expiresAt"]?.doubleValue != nil)
  }

  @Test("REST-JSON: Lambda ListFunctions with a query, and GetFunction of a missing function")
  func lambdaRESTJSON() async throws {
    let moto = try await Self.moto
    let lambda = AWSRESTJSONClient(executor: executor(moto, service: "lambda"))
    let list = try await lambda.call(
      "ListFunctions", method: "GET", path: "/2015-03-31/functions/", query: [("MaxItems", "1")])
    #expect(list.body["Functions"]?.arrayValue != nil)

    let name = "runas-missing-\(UUID().uuidString.prefix(8))"
    do {
      _ = try await lambda.call(
        "GetFunction", method: "GET", path: "/2015-03-31/functions/{FunctionName}", labels: ["FunctionName": name])
      Issue.record("expected ResourceNotFoundException")
    } catch let error as AWSServiceError {
      #expect(error.code == "ResourceNotFoundException")
      #expect(error.statusCode == 404)
      #expect(error.message.hasSuffix(":function:\(name)"))
    }
  }

  // Not REST-JSON: moto checks those signatures against a path it rebuilt, and refuses botocore's too.
  @Test("moto checks the signatures of JSON 1.1 calls: the right secret passes, a wrong one does not")
  func signaturesChecked() async throws {
    // Signature checks start after the first 3 authenticated actions: the setup below.
    let moto = try await STSEmulator(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
    let created = try await moto.createUser(
      name: "json-signer-\(UUID().uuidString.prefix(8))",
      policy: #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:*", "Resource": "*"}]}"#)
    var good = executor(moto, service: "ssm")
    good.credentials = AWSCredentials(accessKeyID: created.accessKeyId, secretAccessKey: created.secretAccessKey)

    let name = "/runas/signed-\(UUID().uuidString.prefix(8))"
    let ssm = AWSJSONClient(executor: good, targetPrefix: "AmazonSSM")
    _ = try await ssm.call("PutParameter", input: ["Name": .string(name), "Value": "v", "Type": "String"])
    #expect(try await ssm.call("GetParameter", input: ["Name": .string(name)]).body["Parameter"]?["Value"] == "v")

    var wrong = ssm
    wrong.credentials?.secretAccessKey = String(created.secretAccessKey.reversed())
    do {
      _ = try await wrong.call("GetParameter", input: ["Name": .string(name)])
      Issue.record("expected InvalidSignatureException")
    } catch let error as AWSServiceError {
      // The emulator answers in the JSON services' own shape, as real SSM does (moto alone sends
      // STS's SignatureDoesNotMatch, 403).
      #expect(error.code == "InvalidSignatureException")
      #expect(error.statusCode == 400)
    }
    await moto.stop()
  }
}

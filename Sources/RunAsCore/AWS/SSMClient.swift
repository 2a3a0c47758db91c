/// The AWS Systems Manager calls aws-runas makes: StartSession and TerminateSession (JSON 1.1,
/// `X-Amz-Target: AmazonSSM.<operation>`).
public struct SSMClient: SessionManagerService, AWSJSONServiceClient {
  /// The first half of `X-Amz-Target`.
  public static let targetPrefix = "AmazonSSM"

  /// The underlying JSON 1.1 client.
  public var client: AWSJSONClient

  /// Creates a client over a configured JSON client (its prefix should be ``targetPrefix``).
  public init(client: AWSJSONClient) {
    self.client = client
  }

  /// The endpoint URL, as the plugin is given it.
  public var endpointURL: String { client.executor.endpoint.url }

  /// The signing region, as the plugin is given it.
  public var region: String { client.executor.endpoint.signingRegion }

  /// The request body of StartSession.
  public static func startSessionInput(_ request: StartSessionRequest) -> JSONValue {
    var input: [String: JSONValue] = ["Target": .string(request.target)]
    if let documentName = request.documentName { input["DocumentName"] = .string(documentName) }
    if !request.parameters.isEmpty {
      var parameters: [String: JSONValue] = [:]
      for parameter in request.parameters { parameters[parameter.name] = .array(parameter.values.map { .string($0) }) }
      input["Parameters"] = .object(parameters)
    }
    return .object(input)
  }

  /// StartSession: opens a session and returns what the plugin needs to connect to it.
  ///
  /// - Throws: ``AWSServiceError`` (e.g. `TargetNotConnected`, `AccessDeniedException`),
  ///   ``AWSTransportError``, or ``AWSResponseDecodingError`` when a member is missing.
  public func startSession(_ request: StartSessionRequest) async throws -> StartSessionResponse {
    let answer = try await client.call("StartSession", input: Self.startSessionInput(request))
    guard let sessionID = answer.body["SessionId"]?.stringValue, !sessionID.isEmpty,
      let token = answer.body["TokenValue"]?.stringValue, !token.isEmpty,
      let streamURL = answer.body["StreamUrl"]?.stringValue, !streamURL.isEmpty
    else {
      throw AWSResponseDecodingError(
        service: client.executor.endpoint.service, operation: "StartSession",
        reason: "no SessionId, TokenValue or StreamUrl")
    }
    return StartSessionResponse(sessionID: sessionID, tokenValue: token, streamURL: streamURL)
  }

  /// TerminateSession: ends a session (AWS answers success for one already ended).
  public func terminateSession(sessionID: String) async throws {
    _ = try await client.call("TerminateSession", input: ["SessionId": .string(sessionID)])
  }
}

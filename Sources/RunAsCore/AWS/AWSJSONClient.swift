/// A client for AWS JSON 1.1 services (SSM, ECR, …): `POST /` with a JSON body, the operation
/// named in `X-Amz-Target`, a JSON answer.
///
/// ```swift
/// let ssm = AWSJSONClient(
///   executor: AWSRequestExecutor(endpoint: endpoint, credentials: credentials), targetPrefix: "AmazonSSM")
/// let answer = try await ssm.call("GetParameter", input: ["Name": "/app/db", "WithDecryption": true])
/// let value = answer.body["Parameter"]?["Value"]?.stringValue
/// ```
///
/// The ``AWSRequestExecutor`` signs (or not, per call), sends, retries and decodes error answers.
public struct AWSJSONClient: AWSProtocolClient {
  /// Signs, sends and retries the requests.
  public var executor: AWSRequestExecutor
  /// The first half of `X-Amz-Target`, e.g. `AmazonSSM` or `AmazonEC2ContainerRegistry_V20150921`.
  public var targetPrefix: String
  /// The protocol version in `Content-Type`: `1.1` for most services, `1.0` for a few.
  public var jsonVersion: String

  /// Creates a client over an executor.
  ///
  /// - Parameters:
  ///   - executor: The executor for the service's endpoint.
  ///   - targetPrefix: The service's target prefix.
  ///   - jsonVersion: The JSON protocol version.
  public init(executor: AWSRequestExecutor, targetPrefix: String, jsonVersion: String = "1.1") {
    self.executor = executor
    self.targetPrefix = targetPrefix
    self.jsonVersion = jsonVersion
  }

  /// Calls an operation and returns its decoded answer.
  ///
  /// - Parameters:
  ///   - operation: The operation, e.g. `GetParameter`.
  ///   - input: The request body, usually an object.
  ///   - headers: Extra header fields; `nil` values are left out.
  ///   - signed: `false` for anonymous calls.
  /// - Returns: The response with its JSON body.
  /// - Throws: ``AWSServiceError`` for an error answer, ``AWSTransportError`` when no answer came,
  ///   ``AWSResponseDecodingError`` for an unreadable success body, or `CancellationError`.
  public func call(
    _ operation: String, input: JSONValue = [:], headers: [(String, String?)] = [], signed: Bool = true
  ) async throws -> AWSJSONResponse {
    let raw = try await executor.send(request(operation, input: input, headers: headers, signed: signed))
    return try AWSJSONResponse(decoding: raw, service: executor.endpoint.service, operation: operation)
  }

  /// The executor's request for an operation: a POST to the endpoint URL as it is.
  ///
  /// - Parameters:
  ///   - operation: The operation.
  ///   - input: The request body.
  ///   - headers: Extra header fields; `nil` values are left out.
  ///   - signed: Whether to sign.
  /// - Returns: The request.
  public func request(
    _ operation: String, input: JSONValue = [:], headers: [(String, String?)] = [], signed: Bool = true
  ) -> AWSRequest {
    AWSRequest(
      operation: operation, method: "POST",
      headers: [
        ("Content-Type", "application/x-amz-json-\(jsonVersion)"), ("X-Amz-Target", "\(targetPrefix).\(operation)"),
      ] + headers.compactMap { name, value in value.map { (name, $0) } },
      body: Array(input.serialized.utf8), signed: signed,
      parameterNames: input.objectValue.map { $0.keys.sorted() } ?? [])
  }
}

import Logging

/// A client for AWS query-protocol services (STS, IAM, EC2): form-encoded POST, XML answers.
///
/// Each call builds `Action=…&Version=…&<parameters>` (RFC 3986 encoded) and hands it to an
/// ``AWSRequestExecutor``, which signs, sends, retries and decodes error answers. The executor's
/// settings read and write through the client: `client.endpoint`, `client.credentials`,
/// `client.retryPolicy`, `client.sleep`…
public struct AWSQueryClient: AWSProtocolClient {
  /// Signs, sends and retries the requests.
  public var executor: AWSRequestExecutor
  /// The API version, e.g. `2011-06-15` for STS or `2010-05-08` for IAM.
  public var apiVersion: String

  /// Creates a client over an executor.
  ///
  /// - Parameters:
  ///   - executor: The executor for the service's endpoint.
  ///   - apiVersion: The API version of the service.
  public init(executor: AWSRequestExecutor, apiVersion: String) {
    self.executor = executor
    self.apiVersion = apiVersion
  }

  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: Where to send requests.
  ///   - apiVersion: The API version of the service.
  ///   - credentials: The signing credentials, or `nil` for anonymous calls.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  ///   - userAgent: The `User-Agent` header.
  public init(
    endpoint: ServiceEndpoint,
    apiVersion: String,
    credentials: AWSCredentials?,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.aws", factory: { _ in SwiftLogNoOpLogHandler() }),
    userAgent: String = "aws-runas/\(RunAsCore.version)"
  ) {
    self.init(
      executor: AWSRequestExecutor(
        endpoint: endpoint, credentials: credentials, transport: transport, retryPolicy: retryPolicy,
        logger: logger, userAgent: userAgent),
      apiVersion: apiVersion)
  }

  /// Calls an action and returns its decoded answer.
  ///
  /// - Parameters:
  ///   - action: The action, e.g. `AssumeRole`.
  ///   - parameters: The request parameters in order; `nil` values are left out.
  ///   - signed: `false` for anonymous calls (AssumeRoleWithSAML, AssumeRoleWithWebIdentity).
  /// - Returns: The response with its result element.
  /// - Throws: ``AWSServiceError`` for an error answer, ``AWSTransportError`` when no answer came,
  ///   ``AWSResponseDecodingError`` for an unreadable success body, or `CancellationError`.
  public func call(
    _ action: String, parameters: [(String, String?)] = [], signed: Bool = true
  ) async throws -> AWSQueryResponse {
    let response = try await executor.send(request(action, parameters: parameters, signed: signed))
    let root: XMLElement
    do {
      root = try XMLTree.parse(response.http.body)
    } catch {
      throw AWSResponseDecodingError(service: executor.endpoint.service, operation: action, reason: "\(error)")
    }
    return AWSQueryResponse(
      root: root, result: root.child("\(action)Result") ?? root,
      requestID: root.descendant("RequestId").map { XMLTree.trimmingXMLWhitespace($0.text) }
        ?? response.http.header("x-amzn-RequestId"),
      serverDate: response.http.date, statusCode: response.http.status, attempts: response.attempts)
  }

  /// Sends an action, with retries, and returns the raw HTTP answer of any status.
  ///
  /// Unlike ``call(_:parameters:signed:)`` this does not turn error statuses into errors or decode
  /// the body: it is for probes, such as reading the server's `Date` header.
  ///
  /// - Parameters:
  ///   - action: The action.
  ///   - parameters: The request parameters; `nil` values are left out.
  ///   - signed: Whether to sign.
  /// - Returns: The last HTTP response.
  /// - Throws: ``AWSTransportError`` when no answer came, or `CancellationError`.
  public func sendRaw(
    _ action: String, parameters: [(String, String?)] = [], signed: Bool = true
  ) async throws -> HTTPResponseData {
    try await executor.sendAcceptingAnyStatus(request(action, parameters: parameters, signed: signed)).http
  }

  /// The URL-encoded form body of a call, `Action=…&Version=…&…` in the given order.
  ///
  /// - Parameters:
  ///   - action: The action.
  ///   - parameters: The parameters; `nil` values are left out.
  /// - Returns: The body text.
  public func formBody(_ action: String, parameters: [(String, String?)]) -> String {
    var pairs = [("Action", action), ("Version", apiVersion)]
    for (name, value) in parameters {
      if let value { pairs.append((name, value)) }
    }
    return pairs.map { SigV4Signer.uriEncode($0.0) + "=" + SigV4Signer.uriEncode($0.1) }
      .joined(separator: "&")
  }

  /// The executor's request for an action: a form-encoded POST to the endpoint URL as it is.
  private func request(_ action: String, parameters: [(String, String?)], signed: Bool) -> AWSRequest {
    AWSRequest(
      operation: action, method: "POST",
      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
      body: Array(formBody(action, parameters: parameters).utf8), signed: signed,
      parameterNames: parameters.compactMap { $0.1 == nil ? nil : $0.0 })
  }
}

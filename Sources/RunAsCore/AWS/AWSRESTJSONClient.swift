/// A client for AWS REST-JSON services (the IAM Identity Center portal, SSO-OIDC, …): the operation
/// is a method and a path, its input goes in path labels, the query, headers and a JSON body, and
/// the answer is JSON.
///
/// ```swift
/// let portal = AWSRESTJSONClient(executor: AWSRequestExecutor(endpoint: endpoint, credentials: nil))
/// let answer = try await portal.call(
///   "GetRoleCredentials", method: "GET", path: "/federation/credentials",
///   query: [("role_name", role), ("account_id", account)],
///   headers: [("x-amz-sso_bearer_token", accessToken)], signed: false)
/// ```
///
/// The ``AWSRequestExecutor`` signs (or not, per call), sends, retries and decodes error answers.
public struct AWSRESTJSONClient: AWSProtocolClient {
  /// Signs, sends and retries the requests.
  public var executor: AWSRequestExecutor

  /// Creates a client over an executor.
  ///
  /// - Parameter executor: The executor for the service's endpoint.
  public init(executor: AWSRequestExecutor) {
    self.executor = executor
  }

  /// Calls an operation and returns its decoded answer.
  ///
  /// - Parameters:
  ///   - operation: The operation's name, for logs and errors.
  ///   - method: The HTTP method.
  ///   - path: The path template, e.g. `/accounts/{accountId}/roles` or `/objects/{Key+}`: each
  ///     `{label}` is replaced by its value from `labels`, URI-encoded (`/` too, except in a greedy
  ///     `{label+}`); the rest is sent as written.
  ///   - labels: The values of the path's labels.
  ///   - query: The query parameters in order; `nil` values are left out.
  ///   - headers: Extra header fields; `nil` values are left out.
  ///   - body: The JSON body, or `nil` for none.
  ///   - signed: `false` for anonymous calls (the portal and SSO-OIDC are anonymous).
  /// - Returns: The response with its JSON body.
  /// - Throws: ``AWSRequestEncodingError`` when a label has no value, ``AWSServiceError`` for an
  ///   error answer, ``AWSTransportError`` when no answer came, ``AWSResponseDecodingError`` for
  ///   an unreadable success body, or `CancellationError`.
  public func call(
    _ operation: String, method: String, path: String, labels: [String: String] = [:],
    query: [(String, String?)] = [], headers: [(String, String?)] = [], body: JSONValue? = nil,
    signed: Bool = true
  ) async throws -> AWSJSONResponse {
    let request = try self.request(
      operation, method: method, path: path, labels: labels, query: query, headers: headers, body: body,
      signed: signed)
    let raw = try await executor.send(request)
    return try AWSJSONResponse(decoding: raw, service: executor.endpoint.service, operation: operation)
  }

  /// The executor's request for an operation; see ``call(_:method:path:labels:query:headers:body:signed:)``.
  ///
  /// - Returns: The request.
  /// - Throws: ``AWSRequestEncodingError`` when a label of `path` has no value in `labels`.
  public func request(
    _ operation: String, method: String, path: String, labels: [String: String] = [:],
    query: [(String, String?)] = [], headers: [(String, String?)] = [], body: JSONValue? = nil,
    signed: Bool = true
  ) throws(AWSRequestEncodingError) -> AWSRequest {
    var fields = headers.compactMap { name, value in value.map { (name: name, value: $0) } }
    if body != nil { fields.insert(("Content-Type", "application/json"), at: 0) }
    let queryItems = query.compactMap { name, value in value.map { (name: name, value: $0) } }
    return AWSRequest(
      operation: operation, method: method,
      path: try expandedPath(path, labels: labels, operation: operation),
      query: queryItems, headers: fields, body: body.map { Array($0.serialized.utf8) } ?? [], signed: signed,
      parameterNames: labels.keys.sorted() + queryItems.map(\.name) + (body?.objectValue?.keys.sorted() ?? []))
  }

  /// `template` with every `{label}` replaced by its URI-encoded value.
  private func expandedPath(
    _ template: String, labels: [String: String], operation: String
  ) throws(AWSRequestEncodingError) -> String {
    var path = ""
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
      path += rest[..<open]
      guard let close = rest[open...].firstIndex(of: "}") else {
        throw AWSRequestEncodingError(
          service: executor.endpoint.service, operation: operation, reason: "unclosed label in path \(template)")
      }
      var name = rest[rest.index(after: open)..<close]
      let greedy = name.hasSuffix("+")
      if greedy { name = name.dropLast() }
      guard let value = labels[String(name)], !value.isEmpty else {
        throw AWSRequestEncodingError(
          service: executor.endpoint.service, operation: operation, reason: "no value for path label \(name)")
      }
      path += SigV4Signer.uriEncode(value, encodeSlash: !greedy)
      rest = rest[rest.index(after: close)...]
    }
    return path + rest
  }
}

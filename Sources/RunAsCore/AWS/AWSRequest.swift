/// One AWS operation as a protocol codec hands it to ``AWSRequestExecutor``: everything but the
/// endpoint, the signature and the retries.
public struct AWSRequest: Sendable {
  /// The operation, e.g. `AssumeRole` or `GetParameter`, for logs and errors.
  public var operation: String
  /// The HTTP method.
  public var method: String
  /// The path after the endpoint URL's own, already percent-encoded (e.g. `/federation/credentials`);
  /// `nil` sends to the endpoint URL as it is.
  public var path: String?
  /// The query parameters in order, not yet encoded.
  public var query: [(name: String, value: String)]
  /// Header fields the operation needs (`Content-Type`, `X-Amz-Target`, tokens…). `User-Agent`,
  /// `Host` and the signature's fields are added by the executor.
  public var headers: [(name: String, value: String)]
  /// The body bytes; empty for none.
  public var body: [UInt8]
  /// Whether the request is signed with SigV4 (when the executor has credentials).
  public var signed: Bool
  /// The names (never the values) of the parameters sent, for the debug log.
  public var parameterNames: [String]

  /// Creates a request.
  ///
  /// - Parameters:
  ///   - operation: The operation's name.
  ///   - method: The HTTP method.
  ///   - path: The encoded path after the endpoint URL's, or `nil` for the endpoint URL itself.
  ///   - query: The query parameters, not yet encoded.
  ///   - headers: The operation's header fields.
  ///   - body: The body bytes.
  ///   - signed: Whether to sign.
  ///   - parameterNames: The parameter names to log.
  public init(
    operation: String, method: String = "POST", path: String? = nil,
    query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
    body: [UInt8] = [], signed: Bool = true, parameterNames: [String] = []
  ) {
    self.operation = operation
    self.method = method
    self.path = path
    self.query = query
    self.headers = headers
    self.body = body
    self.signed = signed
    self.parameterNames = parameterNames
  }

  /// The absolute URL of this request at `endpointURL`: the endpoint URL (without its trailing `/`
  /// when there is a path), the path, then the RFC 3986 encoded query.
  ///
  /// - Parameter endpointURL: The service endpoint's URL.
  /// - Returns: The URL to send to.
  public func url(at endpointURL: String) -> String {
    pathURL(at: endpointURL) + queryString
  }

  /// The URL without its query: what the debug log shows, since query values may be private.
  func pathURL(at endpointURL: String) -> String {
    guard let path else { return endpointURL }
    var base = Substring(endpointURL)
    while base.hasSuffix("/") { base = base.dropLast() }
    return String(base) + (path.hasPrefix("/") ? path : "/" + path)
  }

  private var queryString: String {
    guard !query.isEmpty else { return "" }
    let pairs = query.map { SigV4Signer.uriEncode($0.name) + "=" + SigV4Signer.uriEncode($0.value) }
    return "?" + pairs.joined(separator: "&")
  }
}

/// An HTTP request as the credential endpoints see it: already read in full.
public struct EndpointRequest: Sendable {
  /// The method, e.g. `GET`.
  public var method: String
  /// The path without the query string.
  public var path: String
  /// The query string without `?`, possibly empty.
  public var query: String
  /// Header fields in arrival order.
  public var headers: [(name: String, value: String)]
  /// The body.
  public var body: [UInt8]

  /// Creates a request.
  public init(
    method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [],
    body: [UInt8] = []
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.headers = headers
    self.body = body
  }

  /// The first value of the header `name` (case-insensitive).
  public func header(_ name: String) -> String? {
    headers.first { HTTPFieldName.equal($0.name, name) }?.value
  }
}

/// An HTTP response from a credential endpoint: the same plain value the HTTP client returns.
public typealias EndpointResponse = HTTPResponseData

extension HTTPResponseData {
  /// A JSON response.
  public static func json(_ text: String, status: Int = 200) -> EndpointResponse {
    EndpointResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
  }

  /// A plain-text response; a trailing newline is added.
  public static func text(_ text: String, status: Int) -> EndpointResponse {
    EndpointResponse(
      status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array((text + "\n").utf8))
  }
}

/// Answers endpoint requests; routes are plain values, testable without sockets.
public protocol EndpointHandler: Sendable {
  /// The response to `request`.
  func respond(to request: EndpointRequest) async -> EndpointResponse
}

/// Compares two strings in time independent of where they differ (for tokens).
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
  let x = Array(a.utf8)
  let y = Array(b.utf8)
  guard x.count == y.count else { return false }
  var difference: UInt8 = 0
  for i in 0..<x.count { difference |= x[i] ^ y[i] }
  return difference == 0
}

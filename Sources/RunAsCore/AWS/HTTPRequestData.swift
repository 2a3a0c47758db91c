/// An HTTP request as plain values, independent of any HTTP library.
public struct HTTPRequestData: Sendable {
  /// The method, e.g. `GET` or `POST`.
  public var method: String
  /// The absolute URL, e.g. `https://sts.us-east-1.amazonaws.com/`.
  public var url: String
  /// The header fields in order. Names compare case-insensitively.
  public var headers: [(name: String, value: String)]
  /// The body bytes; empty for none.
  public var body: [UInt8]

  /// Creates a request.
  ///
  /// - Parameters:
  ///   - method: The HTTP method.
  ///   - url: The absolute URL.
  ///   - headers: The header fields.
  ///   - body: The body bytes.
  public init(
    method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
  }

  /// The value of the first header field with this name (case-insensitive).
  ///
  /// - Parameter name: The field name.
  /// - Returns: The value, or `nil` when the field is absent.
  public func header(_ name: String) -> String? {
    headers.first { HTTPFieldName.equal($0.name, name) }?.value
  }

  /// Sets a header field, replacing every existing field of that name.
  ///
  /// - Parameters:
  ///   - name: The field name.
  ///   - value: The new value.
  public mutating func setHeader(_ name: String, _ value: String) {
    headers.removeAll { HTTPFieldName.equal($0.name, name) }
    headers.append((name, value))
  }
}

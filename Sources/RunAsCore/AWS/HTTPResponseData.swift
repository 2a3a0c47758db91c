#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An HTTP response as plain values.
public struct HTTPResponseData: Sendable {
  /// The status code, e.g. 200.
  public var status: Int
  /// The header fields in order.
  public var headers: [(name: String, value: String)]
  /// The body bytes.
  public var body: [UInt8]

  /// Creates a response.
  ///
  /// - Parameters:
  ///   - status: The status code.
  ///   - headers: The header fields.
  ///   - body: The body bytes.
  public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
    self.status = status
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

  /// The server's clock from the `Date` header, when present and well-formed.
  public var date: Date? {
    header("Date").flatMap { Timestamp.parseHTTPDate($0) }
  }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The decoded answer of a successful AWS JSON 1.1 or REST-JSON call.
public struct AWSJSONResponse: Sendable {
  /// The body; an empty body reads as an empty object.
  public var body: JSONValue
  /// The header fields, for operations that answer in headers too.
  public var headers: [(name: String, value: String)]
  /// The request ID from the `x-amzn-RequestId` header.
  public var requestID: String?
  /// The server's clock from the `Date` header, for clock-drift checks.
  public var serverDate: Date?
  /// The HTTP status code.
  public var statusCode: Int
  /// How many attempts the call took.
  public var attempts: Int

  /// Creates a response value.
  ///
  /// - Parameters:
  ///   - body: The decoded body.
  ///   - headers: The header fields.
  ///   - requestID: The request ID.
  ///   - serverDate: The server's `Date`.
  ///   - statusCode: The HTTP status.
  ///   - attempts: The number of attempts made.
  public init(
    body: JSONValue, headers: [(name: String, value: String)] = [], requestID: String? = nil,
    serverDate: Date? = nil, statusCode: Int = 200, attempts: Int = 1
  ) {
    self.body = body
    self.headers = headers
    self.requestID = requestID
    self.serverDate = serverDate
    self.statusCode = statusCode
    self.attempts = attempts
  }

  /// Decodes a successful raw answer.
  ///
  /// - Parameters:
  ///   - raw: The answer from ``AWSRequestExecutor``.
  ///   - service: The service, for the error.
  ///   - operation: The operation, for the error.
  /// - Throws: ``AWSResponseDecodingError`` when the body is neither empty nor JSON.
  public init(decoding raw: AWSRawResponse, service: String, operation: String) throws(AWSResponseDecodingError) {
    let bytes = raw.http.body
    let body: JSONValue
    if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
      body = .object([:])
    } else {
      do {
        body = try JSONValue.parse(bytes)
      } catch {
        throw AWSResponseDecodingError(service: service, operation: operation, reason: "\(error)")
      }
    }
    self.init(
      body: body, headers: raw.http.headers,
      requestID: raw.http.header("x-amzn-RequestId") ?? raw.http.header("x-amz-request-id"),
      serverDate: raw.http.date, statusCode: raw.http.status, attempts: raw.attempts)
  }

  /// The value of the first header field with this name (case-insensitive).
  ///
  /// - Parameter name: The field name.
  /// - Returns: The value, or `nil` when the field is absent.
  public func header(_ name: String) -> String? {
    headers.first { HTTPFieldName.equal($0.name, name) }?.value
  }
}

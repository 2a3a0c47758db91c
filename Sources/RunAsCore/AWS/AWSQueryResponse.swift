#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The decoded answer of a successful query-protocol call.
public struct AWSQueryResponse: Sendable {
  /// The root element, e.g. `<AssumeRoleResponse>`.
  package var root: XMLElement
  /// The `<ActionResult>` element (e.g. `<AssumeRoleResult>`), or the root when there is none.
  package var result: XMLElement
  /// The request ID from the body or the `x-amzn-RequestId` header.
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
  ///   - root: The root element.
  ///   - result: The result element.
  ///   - requestID: The request ID.
  ///   - serverDate: The server's `Date`.
  ///   - statusCode: The HTTP status.
  ///   - attempts: The number of attempts made.
  package init(
    root: XMLElement, result: XMLElement, requestID: String?, serverDate: Date?, statusCode: Int,
    attempts: Int
  ) {
    self.root = root
    self.result = result
    self.requestID = requestID
    self.serverDate = serverDate
    self.statusCode = statusCode
    self.attempts = attempts
  }
}

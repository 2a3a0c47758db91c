/// A successful HTTP answer whose body is not the expected XML or JSON.
public struct AWSResponseDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The service, e.g. `sts`.
  public var service: String
  /// The operation, e.g. `AssumeRole`.
  public var operation: String
  /// What was wrong, e.g. the missing element.
  public var reason: String

  /// Creates the error.
  ///
  /// - Parameters:
  ///   - service: The service.
  ///   - operation: The operation.
  ///   - reason: What was wrong.
  public init(service: String, operation: String, reason: String) {
    self.service = service
    self.operation = operation
    self.reason = reason
  }

  /// `sts AssumeRole returned an unexpected response: <reason>`.
  public var description: String {
    "\(service) \(operation) returned an unexpected response: \(reason)"
  }
}

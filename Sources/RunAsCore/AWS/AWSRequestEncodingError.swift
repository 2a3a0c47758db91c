/// A request a client cannot build, such as a REST path whose label has no value.
public struct AWSRequestEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The service, e.g. `sso`.
  public var service: String
  /// The operation, e.g. `GetRoleCredentials`.
  public var operation: String
  /// What was wrong.
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

  /// `sso GetRoleCredentials cannot be sent: <reason>`.
  public var description: String {
    "\(service) \(operation) cannot be sent: \(reason)"
  }
}

/// The HTTP answer to an AWS call before a codec decodes it, and how many attempts it took.
public struct AWSRawResponse: Sendable {
  /// The answer.
  public var http: HTTPResponseData
  /// How many attempts the call took.
  public var attempts: Int

  /// Creates a value.
  ///
  /// - Parameters:
  ///   - http: The answer.
  ///   - attempts: The number of attempts made.
  public init(http: HTTPResponseData, attempts: Int) {
    self.http = http
    self.attempts = attempts
  }
}

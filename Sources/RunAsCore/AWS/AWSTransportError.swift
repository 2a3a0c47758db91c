/// A call to an AWS service that got no HTTP answer, after every attempt.
///
/// Renders as `cannot reach sts at http://127.0.0.1:1/: connection refused (after 3 attempts)`.
public struct AWSTransportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The service, e.g. `sts`.
  public var service: String
  /// The operation, e.g. `GetCallerIdentity`.
  public var operation: String
  /// The endpoint URL that could not be reached.
  public var url: String
  /// What went wrong on the last attempt.
  public var kind: HTTPTransportError.Kind
  /// The reason in words, e.g. `connection refused`.
  public var detail: String
  /// How many attempts were made.
  public var attempts: Int

  /// Creates a transport error.
  ///
  /// - Parameters:
  ///   - service: The service.
  ///   - operation: The operation.
  ///   - url: The endpoint URL.
  ///   - kind: What went wrong.
  ///   - detail: The reason in words.
  ///   - attempts: How many attempts were made.
  public init(
    service: String, operation: String = "", url: String, kind: HTTPTransportError.Kind,
    detail: String, attempts: Int
  ) {
    self.service = service
    self.operation = operation
    self.url = url
    self.kind = kind
    self.detail = detail
    self.attempts = attempts
  }

  /// `cannot reach <service> at <url>: <detail> (after N attempts)`.
  public var description: String {
    let tries = attempts == 1 ? "after 1 attempt" : "after \(attempts) attempts"
    return "cannot reach \(service) at \(url): \(detail) (\(tries))"
  }

  /// A hint for the user, depending on what went wrong.
  public var hint: String? {
    switch kind {
    case .connectionRefused, .hostNotFound:
      return "check the network, proxy settings and any AWS_ENDPOINT_URL / endpoint_url setting"
    case .timedOut:
      return
        "the endpoint is slow or unreachable; AWS_RUNAS_HTTP_TIMEOUT sets the time per attempt and "
        + "AWS_RUNAS_CALL_TIMEOUT the time for the whole call, in seconds"
    case .tlsFailure:
      return "the TLS connection failed; a proxy that intercepts TLS needs its CA trusted"
    case .invalidURL:
      return "check the endpoint URL"
    case .connectionClosed, .other:
      return nil
    }
  }
}

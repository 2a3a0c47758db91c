/// How often and how patiently a failed AWS call is retried.
///
/// Retries use exponential backoff with full jitter: before retry *n* (1-based) the client sleeps
/// a random time between zero and `min(maximumDelay, baseDelay × 2ⁿ⁻¹)`.
public struct AWSRetryPolicy: Sendable, Equatable {
  /// Total attempts including the first; at least 1.
  public var maxAttempts: Int
  /// The backoff unit.
  public var baseDelay: Duration
  /// The cap on a single backoff.
  public var maximumDelay: Duration
  /// The time one call may take in all: every attempt (body included) and every backoff. When it
  /// runs out the call fails, however many attempts were left.
  public var timeout: Duration

  /// The default of ``timeout``.
  public static let defaultTimeout: Duration = .seconds(30)
  /// The environment variable that overrides ``defaultTimeout``, in (decimal) seconds.
  public static let timeoutEnvironmentVariable = "AWS_RUNAS_CALL_TIMEOUT"

  /// The SDKs' standard mode: 3 attempts, 100 ms base, 5 s cap… with the cap lowered from the
  /// SDKs' 20 s because a person is waiting at the terminal.
  public static let standard = AWSRetryPolicy(maxAttempts: 3)

  /// Creates a policy.
  ///
  /// - Parameters:
  ///   - maxAttempts: Total attempts including the first (values below 1 mean 1).
  ///   - baseDelay: The backoff unit.
  ///   - maximumDelay: The cap on one backoff.
  ///   - timeout: The time the whole call may take.
  public init(
    maxAttempts: Int, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5),
    timeout: Duration = defaultTimeout
  ) {
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = baseDelay
    self.maximumDelay = maximumDelay
    self.timeout = timeout
  }

  /// The standard policy with `AWS_MAX_ATTEMPTS` applied when it is a positive integer, and
  /// `AWS_RUNAS_CALL_TIMEOUT` when it is a positive number of seconds.
  ///
  /// - Parameter environment: The process environment.
  public init(environment: [String: String]) {
    let attempts = environment["AWS_MAX_ATTEMPTS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    self.init(
      maxAttempts: attempts ?? Self.standard.maxAttempts,
      timeout: AsyncHTTPClientTransport.timeout(fromSeconds: environment[Self.timeoutEnvironmentVariable])
        ?? Self.defaultTimeout)
  }

  /// The upper bound of the backoff before retry `retry` (1 for the first retry).
  ///
  /// - Parameter retry: The retry number, from 1.
  /// - Returns: `min(maximumDelay, baseDelay × 2^(retry−1))`.
  public func delayCeiling(beforeRetry retry: Int) -> Duration {
    let exponent = min(max(retry - 1, 0), 30)
    let ceiling = baseDelay * (1 << exponent)
    return min(ceiling, maximumDelay)
  }

  /// A full-jitter backoff: `fraction` (in 0..<1) of ``delayCeiling(beforeRetry:)``.
  ///
  /// - Parameters:
  ///   - retry: The retry number, from 1.
  ///   - fraction: A random number in `0..<1`.
  /// - Returns: The time to sleep.
  public func delay(beforeRetry retry: Int, fraction: Double) -> Duration {
    delayCeiling(beforeRetry: retry) * min(max(fraction, 0), 1)
  }
}

import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

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

/// The decoded answer of a successful query-protocol call.
public struct AWSQueryResponse: Sendable {
  /// The root element, e.g. `<AssumeRoleResponse>`.
  public var root: XMLElement
  /// The `<ActionResult>` element (e.g. `<AssumeRoleResult>`), or the root when there is none.
  public var result: XMLElement
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
  public init(
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

/// A successful HTTP answer whose body is not the expected XML.
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

/// A client for AWS query-protocol services (STS, IAM, …): form-encoded POST, SigV4, XML answers.
///
/// Each call builds `Action=…&Version=…&<parameters>` (RFC 3986 encoded), signs it (unless the call
/// is anonymous), sends it through the ``HTTPTransport``, and retries throttling, 5xx, transient
/// errors and connection failures per ``AWSRetryPolicy``, and re-signs once with the server's time
/// after a clock-skew rejection (`RequestExpired`, `SignatureExpired`, …), all within the policy's
/// one ``AWSRetryPolicy/timeout`` for the whole call. Every attempt is logged at debug level
/// with the action, parameter names (never values), status and timing; secrets never reach the log.
public struct AWSQueryClient: Sendable {
  /// The endpoint, signing region and signing name.
  public var endpoint: ServiceEndpoint
  /// The API version, e.g. `2011-06-15` for STS or `2010-05-08` for IAM.
  public var apiVersion: String
  /// The signing credentials; `nil` makes every call anonymous.
  public var credentials: AWSCredentials?
  /// Sends the requests.
  public var transport: any HTTPTransport
  /// The retry policy.
  public var retryPolicy: AWSRetryPolicy
  /// Receives one debug line per attempt.
  public var logger: Logger
  /// The `User-Agent` header.
  public var userAgent: String
  /// The clock used for signing; replaceable in tests.
  public var now: @Sendable () -> Date
  /// How the client waits between attempts; replaceable in tests.
  public var sleep: @Sendable (Duration) async throws -> Void
  /// A random number in `0..<1` for jitter; replaceable in tests.
  public var random: @Sendable () -> Double

  /// Creates a client.
  ///
  /// - Parameters:
  ///   - endpoint: Where to send requests.
  ///   - apiVersion: The API version of the service.
  ///   - credentials: The signing credentials, or `nil` for anonymous calls.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  ///   - userAgent: The `User-Agent` header.
  public init(
    endpoint: ServiceEndpoint,
    apiVersion: String,
    credentials: AWSCredentials?,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.aws", factory: { _ in SwiftLogNoOpLogHandler() }),
    userAgent: String = "aws-runas/\(RunAsCore.version)"
  ) {
    self.endpoint = endpoint
    self.apiVersion = apiVersion
    self.credentials = credentials
    self.transport = transport
    self.retryPolicy = retryPolicy
    self.logger = logger
    self.userAgent = userAgent
    self.now = { Date() }
    self.sleep = { try await Task.sleep(for: $0) }
    self.random = { Double.random(in: 0..<1) }
  }

  /// Calls an action and returns its decoded answer.
  ///
  /// - Parameters:
  ///   - action: The action, e.g. `AssumeRole`.
  ///   - parameters: The request parameters in order; `nil` values are left out.
  ///   - signed: `false` for anonymous calls (AssumeRoleWithSAML, AssumeRoleWithWebIdentity).
  /// - Returns: The response with its result element.
  /// - Throws: ``AWSServiceError`` for an error answer, ``AWSTransportError`` when no answer came,
  ///   ``AWSResponseDecodingError`` for an unreadable success body, or `CancellationError`.
  public func call(
    _ action: String, parameters: [(String, String?)] = [], signed: Bool = true
  ) async throws -> AWSQueryResponse {
    let response = try await send(action, parameters: parameters, signed: signed)
    let root: XMLElement
    do {
      root = try XMLTree.parse(response.http.body)
    } catch {
      throw AWSResponseDecodingError(service: endpoint.service, operation: action, reason: "\(error)")
    }
    return AWSQueryResponse(
      root: root, result: root.child("\(action)Result") ?? root,
      requestID: root.descendant("RequestId").map { XMLTree.trimmingXMLWhitespace($0.text) }
        ?? response.http.header("x-amzn-RequestId"),
      serverDate: response.http.date, statusCode: response.http.status, attempts: response.attempts)
  }

  /// Sends an action, with retries, and returns the raw HTTP answer of any status.
  ///
  /// Unlike ``call(_:parameters:signed:)`` this does not turn error statuses into errors or decode
  /// the body: it is for probes, such as reading the server's `Date` header.
  ///
  /// - Parameters:
  ///   - action: The action.
  ///   - parameters: The request parameters; `nil` values are left out.
  ///   - signed: Whether to sign.
  /// - Returns: The last HTTP response.
  /// - Throws: ``AWSTransportError`` when no answer came, or `CancellationError`.
  public func sendRaw(
    _ action: String, parameters: [(String, String?)] = [], signed: Bool = true
  ) async throws -> HTTPResponseData {
    try await exchange(action, parameters: parameters, signed: signed, acceptAnyStatus: true).http
  }

  /// Error codes that mean the signing time was too far from the server's clock.
  static let clockSkewCodes: Set<String> = [
    "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "SignatureExpired",
    "InvalidSignatureException",
  ]

  /// Skews below this are not corrected (they cannot be the cause of a rejection).
  static let minimumClockCorrection: TimeInterval = 60

  /// The URL-encoded form body of a call, `Action=…&Version=…&…` in the given order.
  ///
  /// - Parameters:
  ///   - action: The action.
  ///   - parameters: The parameters; `nil` values are left out.
  /// - Returns: The body text.
  public func formBody(_ action: String, parameters: [(String, String?)]) -> String {
    var pairs = [("Action", action), ("Version", apiVersion)]
    for (name, value) in parameters {
      if let value { pairs.append((name, value)) }
    }
    return pairs.map { SigV4Signer.uriEncode($0.0) + "=" + SigV4Signer.uriEncode($0.1) }
      .joined(separator: "&")
  }

  // MARK: - Attempts

  private func send(
    _ action: String, parameters: [(String, String?)], signed: Bool
  ) async throws -> (http: HTTPResponseData, attempts: Int) {
    try await exchange(action, parameters: parameters, signed: signed, acceptAnyStatus: false)
  }

  private func exchange(
    _ action: String, parameters: [(String, String?)], signed: Bool, acceptAnyStatus: Bool
  ) async throws -> (http: HTTPResponseData, attempts: Int) {
    let body = Array(formBody(action, parameters: parameters).utf8)
    let parameterNames = parameters.compactMap { $0.1 == nil ? nil : $0.0 }.joined(separator: ",")
    var attempt = 0
    // Seconds added to the local clock when signing, learnt from a clock-skew error's Date header.
    var clockCorrection: TimeInterval = 0
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: retryPolicy.timeout)
    let outOfTime = { (attempts: Int) in
      AWSTransportError(
        service: endpoint.service, operation: action, url: endpoint.url, kind: .timedOut,
        detail: "no complete answer within \(AsyncHTTPClientTransport.seconds(retryPolicy.timeout))",
        attempts: attempts)
    }
    while true {
      attempt += 1
      try Task.checkCancellation()
      var request = HTTPRequestData(
        method: "POST", url: endpoint.url,
        headers: [
          ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
          ("User-Agent", userAgent),
        ],
        body: body)
      if signed, let credentials {
        SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: endpoint.service)
          .sign(&request, at: now().addingTimeInterval(clockCorrection))
      } else if let parts = HTTPURLParts(endpoint.url) {
        request.headers.insert(("Host", parts.hostHeader), at: 0)
      }
      var metadata: Logger.Metadata = [
        "service": "\(endpoint.service)", "action": "\(action)",
        "attempt": "\(attempt)/\(retryPolicy.maxAttempts)", "url": "\(endpoint.url)",
        "signed": "\(signed && credentials != nil)",
      ]
      if !parameterNames.isEmpty { metadata["parameters"] = "\(parameterNames)" }
      if let keyID = credentials?.accessKeyID, signed { metadata["accessKeyID"] = "\(keyID)" }
      logger.debug("AWS request", metadata: metadata)

      let started = ContinuousClock.now
      var retryable: Bool
      var skipBackoff = false
      let failure: any Error
      do {
        let left = clock.now.duration(to: deadline)
        guard left > .zero else { throw outOfTime(attempt - 1) }
        let transport = self.transport
        let outgoing = request
        let response: HTTPResponseData
        do {
          response = try await withTimeout(left) { try await transport.send(outgoing) }
        } catch is TimeoutExceeded {
          throw outOfTime(attempt)
        }
        let elapsed = ContinuousClock.now - started
        if acceptAnyStatus || (200...299).contains(response.status) {
          logger.debug(
            "AWS response",
            metadata: [
              "service": "\(endpoint.service)", "action": "\(action)", "status": "\(response.status)",
              "elapsed": "\(elapsed)",
            ])
          return (response, attempt)
        }
        var error = AWSServiceError(
          service: endpoint.service, operation: action, statusCode: response.status,
          body: response.body, headers: response.headers)
        error.serverDate = response.date
        logger.debug(
          "AWS error response",
          metadata: [
            "service": "\(endpoint.service)", "action": "\(action)", "status": "\(response.status)",
            "code": "\(error.code)", "requestID": "\(error.requestID ?? "")", "elapsed": "\(elapsed)",
          ])
        retryable = error.isRetryable
        // Like the SDKs: a clock-skew rejection is retried once at once, signed with the server's time.
        if signed, credentials != nil, clockCorrection == 0, Self.clockSkewCodes.contains(error.code),
          let serverDate = error.serverDate
        {
          let skew = serverDate.timeIntervalSince(now())
          if abs(skew) >= Self.minimumClockCorrection {
            clockCorrection = skew
            retryable = true
            skipBackoff = true
            logger.debug(
              "AWS clock skew detected; re-signing with the server's time",
              metadata: ["action": "\(action)", "skewSeconds": "\(Int(skew))"])
          }
        }
        failure = error
      } catch let error as CancellationError {
        throw error
      } catch let error as AWSTransportError {
        // Only the call's own deadline throws this here: the call is over.
        throw error
      } catch {
        let transportError = AsyncHTTPClientTransport.classify(error, timeout: .zero)
        logger.debug(
          "AWS request failed",
          metadata: [
            "service": "\(endpoint.service)", "action": "\(action)",
            "error": "\(transportError.detail)",
          ])
        retryable = transportError.isRetryable
        failure = AWSTransportError(
          service: endpoint.service, operation: action, url: endpoint.url, kind: transportError.kind,
          detail: transportError.detail, attempts: attempt)
      }
      guard retryable, attempt < retryPolicy.maxAttempts else { throw failure }
      if skipBackoff { continue }
      let delay = retryPolicy.delay(beforeRetry: attempt, fraction: random())
      // A retry that could not even start before the deadline is not worth the wait.
      guard clock.now.advanced(by: delay) < deadline else { throw failure }
      logger.debug(
        "AWS retry scheduled",
        metadata: ["action": "\(action)", "delay": "\(delay)", "nextAttempt": "\(attempt + 1)"])
      try await sleep(delay)
    }
  }
}

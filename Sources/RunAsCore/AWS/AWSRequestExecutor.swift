import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Sends AWS requests of any protocol: the part every AWS client shares.
///
/// For each ``AWSRequest`` a codec (``AWSQueryClient``, ``AWSJSONClient``, ``AWSRESTJSONClient``)
/// builds, the executor adds `User-Agent` and `Host`, signs with SigV4 (unless the request is
/// anonymous or there are no credentials), sends it through the ``HTTPTransport``, and retries
/// throttling, 5xx, transient errors and connection failures per ``AWSRetryPolicy``; it re-signs
/// once with the server's time after a clock-skew rejection (`RequestExpired`,
/// `SignatureExpired`, …), all within the policy's one ``AWSRetryPolicy/timeout`` for the whole
/// call. Error answers become ``AWSServiceError`` (XML or JSON bodies). Every attempt is logged at
/// debug level with the operation, parameter names (never values), status and timing; secrets
/// never reach the log.
public struct AWSRequestExecutor: Sendable {
  /// The endpoint, signing region and signing name.
  public var endpoint: ServiceEndpoint
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
  /// How the executor waits between attempts; replaceable in tests.
  public var sleep: @Sendable (Duration) async throws -> Void
  /// A random number in `0..<1` for jitter; replaceable in tests.
  public var random: @Sendable () -> Double

  /// Creates an executor.
  ///
  /// - Parameters:
  ///   - endpoint: Where to send requests.
  ///   - credentials: The signing credentials, or `nil` for anonymous calls.
  ///   - transport: The HTTP transport.
  ///   - retryPolicy: The retry policy.
  ///   - logger: The logger for per-attempt debug lines.
  ///   - userAgent: The `User-Agent` header.
  public init(
    endpoint: ServiceEndpoint,
    credentials: AWSCredentials?,
    transport: any HTTPTransport = AsyncHTTPClientTransport(),
    retryPolicy: AWSRetryPolicy = .standard,
    logger: Logger = Logger(label: "aws-runas.aws", factory: { _ in SwiftLogNoOpLogHandler() }),
    userAgent: String = "aws-runas/\(RunAsCore.version)"
  ) {
    self.endpoint = endpoint
    self.credentials = credentials
    self.transport = transport
    self.retryPolicy = retryPolicy
    self.logger = logger
    self.userAgent = userAgent
    self.now = { Date() }
    self.sleep = { try await Task.sleep(for: $0) }
    self.random = { Double.random(in: 0..<1) }
  }

  /// Error codes that mean the signing time was too far from the server's clock.
  static let clockSkewCodes: Set<String> = [
    "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "SignatureExpired",
    "InvalidSignatureException",
  ]

  /// Skews below this are not corrected (they cannot be the cause of a rejection).
  static let minimumClockCorrection: TimeInterval = 60

  /// Sends a request, with retries, and returns the first answer with a 2xx status.
  ///
  /// - Parameter request: The request.
  /// - Returns: The answer and the number of attempts it took.
  /// - Throws: ``AWSServiceError`` for an error answer (the last one, when retries ran out),
  ///   ``AWSTransportError`` when no answer came, or `CancellationError`.
  public func send(_ request: AWSRequest) async throws -> AWSRawResponse {
    try await exchange(request, acceptAnyStatus: false)
  }

  /// Sends a request and returns its answer whatever the status: for probes, such as reading the
  /// server's `Date` header. Only failures to get an answer are retried.
  ///
  /// - Parameter request: The request.
  /// - Returns: The first answer and the number of attempts it took.
  /// - Throws: ``AWSTransportError`` when no answer came, or `CancellationError`.
  public func sendAcceptingAnyStatus(_ request: AWSRequest) async throws -> AWSRawResponse {
    try await exchange(request, acceptAnyStatus: true)
  }

  // MARK: - Attempts

  private func exchange(_ call: AWSRequest, acceptAnyStatus: Bool) async throws -> AWSRawResponse {
    let operation = call.operation
    let url = call.url(at: endpoint.url)
    let signing = call.signed ? credentials : nil
    var attempt = 0
    // Seconds added to the local clock when signing, learnt from a clock-skew error's Date header.
    var clockCorrection: TimeInterval = 0
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: retryPolicy.timeout)
    let outOfTime = { (attempts: Int) in
      AWSTransportError(
        service: endpoint.service, operation: operation, url: endpoint.url, kind: .timedOut,
        detail: "no complete answer within \(AsyncHTTPClientTransport.seconds(retryPolicy.timeout))",
        attempts: attempts)
    }
    while true {
      attempt += 1
      try Task.checkCancellation()
      var request = HTTPRequestData(
        method: call.method, url: url, headers: call.headers + [("User-Agent", userAgent)], body: call.body)
      if let signing {
        SigV4Signer(credentials: signing, region: endpoint.signingRegion, service: endpoint.service)
          .sign(&request, at: now().addingTimeInterval(clockCorrection))
      } else if let parts = HTTPURLParts(url) {
        request.headers.insert(("Host", parts.hostHeader), at: 0)
      }
      logAttempt(call, attempt: attempt, signedBy: signing)

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
              "service": "\(endpoint.service)", "action": "\(operation)", "status": "\(response.status)",
              "elapsed": "\(elapsed)",
            ])
          return AWSRawResponse(http: response, attempts: attempt)
        }
        var error = AWSServiceError(
          service: endpoint.service, operation: operation, statusCode: response.status,
          body: response.body, headers: response.headers)
        error.serverDate = response.date
        logger.debug(
          "AWS error response",
          metadata: [
            "service": "\(endpoint.service)", "action": "\(operation)", "status": "\(response.status)",
            "code": "\(error.code)", "requestID": "\(error.requestID ?? "")", "elapsed": "\(elapsed)",
          ])
        retryable = error.isRetryable
        // Like the SDKs: a clock-skew rejection is retried once at once, signed with the server's time.
        if signing != nil, clockCorrection == 0, Self.clockSkewCodes.contains(error.code),
          let serverDate = error.serverDate
        {
          let skew = serverDate.timeIntervalSince(now())
          if abs(skew) >= Self.minimumClockCorrection {
            clockCorrection = skew
            retryable = true
            skipBackoff = true
            logger.debug(
              "AWS clock skew detected; re-signing with the server's time",
              metadata: ["action": "\(operation)", "skewSeconds": "\(Int(skew))"])
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
            "service": "\(endpoint.service)", "action": "\(operation)",
            "error": "\(transportError.detail)",
          ])
        retryable = transportError.isRetryable
        failure = AWSTransportError(
          service: endpoint.service, operation: operation, url: endpoint.url, kind: transportError.kind,
          detail: transportError.detail, attempts: attempt)
      }
      guard retryable, attempt < retryPolicy.maxAttempts else { throw failure }
      if skipBackoff { continue }
      let delay = retryPolicy.delay(beforeRetry: attempt, fraction: random())
      // A retry that could not even start before the deadline is not worth the wait.
      guard clock.now.advanced(by: delay) < deadline else { throw failure }
      logger.debug(
        "AWS retry scheduled",
        metadata: ["action": "\(operation)", "delay": "\(delay)", "nextAttempt": "\(attempt + 1)"])
      try await sleep(delay)
    }
  }

  /// One debug line per attempt: where, which operation, which parameter names and which key ID;
  /// never a value, a secret or a token.
  private func logAttempt(_ call: AWSRequest, attempt: Int, signedBy signing: AWSCredentials?) {
    var metadata: Logger.Metadata = [
      "service": "\(endpoint.service)", "action": "\(call.operation)",
      "attempt": "\(attempt)/\(retryPolicy.maxAttempts)", "url": "\(call.pathURL(at: endpoint.url))",
      "signed": "\(signing != nil)",
    ]
    if call.method != "POST" { metadata["method"] = "\(call.method)" }
    if !call.parameterNames.isEmpty { metadata["parameters"] = "\(call.parameterNames.joined(separator: ","))" }
    if let keyID = signing?.accessKeyID { metadata["accessKeyID"] = "\(keyID)" }
    logger.debug("AWS request", metadata: metadata)
  }
}

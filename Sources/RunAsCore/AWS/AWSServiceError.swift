#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An error answer from an AWS service, decoded from its XML body.
///
/// Renders as one line that says who failed, why, and how to trace it:
/// `sts AssumeRole failed: AccessDenied: User: arn:aws:iam::1:user/a is not authorized to perform:
/// sts:AssumeRole (HTTP 403, request id 4b1c…)`.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The service, e.g. `sts`.
  public var service: String
  /// The operation, e.g. `AssumeRole`.
  public var operation: String
  /// The HTTP status code.
  public var statusCode: Int
  /// The AWS error code, e.g. `AccessDenied`, `ExpiredToken`, `Throttling`.
  public var code: String
  /// The service's message; may be empty.
  public var message: String
  /// The request ID, for AWS support; `nil` when the response had none.
  public var requestID: String?
  /// `Sender` or `Receiver`, when the service said.
  public var type: String?
  /// The server's clock from the response's `Date` header, for clock-drift hints.
  public var serverDate: Date?

  /// Creates an error from its parts.
  ///
  /// - Parameters:
  ///   - service: The service.
  ///   - operation: The operation.
  ///   - statusCode: The HTTP status code.
  ///   - code: The AWS error code.
  ///   - message: The service's message.
  ///   - requestID: The request ID.
  ///   - type: `Sender` or `Receiver`.
  public init(
    service: String, operation: String, statusCode: Int, code: String, message: String,
    requestID: String? = nil, type: String? = nil
  ) {
    self.service = service
    self.operation = operation
    self.statusCode = statusCode
    self.code = code
    self.message = message
    self.requestID = requestID
    self.type = type
  }

  /// Decodes an error response.
  ///
  /// Understands the query-protocol shape `<ErrorResponse><Error><Type/><Code/><Message/></Error>
  /// <RequestId/></ErrorResponse>` and the EC2 / moto shape `<Response><Errors><Error>…</Error>
  /// </Errors><RequestID/></Response>`. A body that is not XML (a proxy's HTML page, an empty body)
  /// still gives an error, with the code from the `X-Amzn-ErrorType` header or `HTTP<status>` and
  /// the start of the body as the message.
  ///
  /// - Parameters:
  ///   - service: The service called.
  ///   - operation: The operation called.
  ///   - statusCode: The HTTP status code.
  ///   - body: The response body.
  ///   - headers: The response headers (for `X-Amzn-RequestId` and `X-Amzn-ErrorType`).
  public init(
    service: String, operation: String, statusCode: Int, body: [UInt8],
    headers: [(name: String, value: String)] = []
  ) {
    func header(_ name: String) -> String? {
      headers.first { HTTPFieldName.equal($0.name, name) }?.value
    }
    let headerRequestID = header("x-amzn-requestid") ?? header("x-amz-request-id")
    let headerCode = header("x-amzn-errortype").flatMap { value -> String? in
      let code = value.split(separator: ":", maxSplits: 1).first.map(String.init) ?? value
      return code.isEmpty ? nil : code
    }

    var code: String?
    var message = ""
    var requestID: String?
    var type: String?
    if let root = try? XMLTree.parse(body) {
      let error = root.name == "Error" ? root : root.descendant("Error")
      code = error?.childText("Code").flatMap { $0.isEmpty ? nil : $0 }
      message = error?.childText("Message") ?? error?.childText("message") ?? ""
      type = error?.childText("Type")
      requestID =
        root.childText("RequestId") ?? root.childText("RequestID")
        ?? root.descendant("RequestId").map { XMLTree.trimmingXMLWhitespace($0.text) }
    } else {
      message = Self.snippet(of: body)
    }
    self.init(
      service: service, operation: operation, statusCode: statusCode,
      code: code ?? headerCode ?? "HTTP\(statusCode)", message: message,
      requestID: requestID ?? headerRequestID, type: type)
  }

  /// `<service> <operation> failed: <code>: <message> (HTTP <status>, request id <id>)`.
  ///
  /// The parts that come from the server are cut to a sane length and have their control
  /// characters escaped.
  public var description: String {
    var text = "\(service) \(operation) failed: \(TerminalText.excerpt(code, limit: 100))"
    if !message.isEmpty { text += ": " + TerminalText.excerpt(Self.oneLine(message), limit: 500) }
    text += " (HTTP \(statusCode)"
    if let requestID, !requestID.isEmpty { text += ", request id \(TerminalText.excerpt(requestID, limit: 100))" }
    return text + ")"
  }

  /// Whether AWS asked the client to slow down: a throttling code or HTTP 429.
  public var isThrottling: Bool {
    statusCode == 429 || Self.throttlingCodes.contains(code)
  }

  /// Whether the same request may succeed if sent again: throttling, a 5xx status, or a transient
  /// code such as `IDPCommunicationError` or `RequestTimeout`.
  public var isRetryable: Bool {
    isThrottling || (500...599).contains(statusCode) || Self.transientCodes.contains(code)
  }

  /// A hint for the user when the code points to a local cause, else `nil`.
  public var hint: String? {
    switch code {
    case "SignatureDoesNotMatch":
      return "the secret access key does not match the access key ID; check the credentials file"
    case "InvalidClientTokenId", "UnrecognizedClientException":
      return "the access key ID is unknown to AWS, or the session token does not belong to it"
    case "RequestExpired", "RequestTimeTooSkewed", "SignatureExpired":
      return "this machine's clock differs from AWS's; synchronise it (aws-runas -D shows the drift)"
    case "ExpiredToken", "ExpiredTokenException":
      return "the session token has expired; run again with -r to refresh the cached credentials"
    default:
      if code == "AccessDenied", message.contains("MultiFactorAuthentication") {
        return "the call needs MFA: set mfa_serial for the profile"
      }
      return nil
    }
  }

  /// Codes the AWS SDKs treat as throttling.
  static let throttlingCodes: Set<String> = [
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
  ]

  /// Codes for transient failures that are worth retrying.
  static let transientCodes: Set<String> = [
    "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError", "InternalError",
    "InternalFailure", "ServiceUnavailable",
  ]

  private static func snippet(of body: [UInt8]) -> String {
    let text = String(decoding: body.prefix(512), as: UTF8.self)
    let line = oneLine(text)
    if line.isEmpty { return "" }
    let limit = 200
    return line.count > limit ? String(line.prefix(limit)) + "…" : line
  }

  /// Collapses whitespace runs (newlines included) into single spaces and trims the ends.
  private static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }
}

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

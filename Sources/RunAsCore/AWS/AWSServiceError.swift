#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An error answer from an AWS service, decoded from its XML or JSON body.
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
  /// The OAuth 2.0 `error` of a JSON body (`authorization_pending`, `slow_down`, `expired_token`,
  /// `access_denied`, `invalid_grant`…), as SSO-OIDC sends it beside its exception name, so a
  /// device-authorization loop can tell "keep polling" from a failure whatever ``code`` says.
  public var oauthError: String?

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
  /// <RequestId/></ErrorResponse>`, the EC2 / moto shape `<Response><Errors><Error>…</Error>
  /// </Errors><RequestID/></Response>`, and JSON bodies (JSON 1.1 and REST-JSON): the code from the
  /// `X-Amzn-ErrorType` header, else `__type`, `code` or `Code` (`prefix#Code:suffix` read as
  /// `Code`), else an OAuth `error`; the message from `message`, `Message` or `error_description`.
  /// A body that is neither (a proxy's HTML page, an empty body) still gives an error, with the
  /// code from the `X-Amzn-ErrorType` header or `HTTP<status>` and the start of the body as the
  /// message.
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
    let headerCode = header("x-amzn-errortype").flatMap(Self.errorCode(from:))

    var code: String?
    var message = ""
    var requestID: String?
    var type: String?
    var oauthError: String?
    if body.first(where: { !XMLTree.isXMLWhitespace($0) }) == UInt8(ascii: "{"),
      case .object(let members)? = try? JSONValue.parse(body)
    {
      // JSON protocols name the error in the header first (Smithy's rule), then in the body.
      let error = members["Error"]?.objectValue ?? members
      func text(_ names: String...) -> String? {
        names.lazy.compactMap { error[$0]?.stringValue ?? members[$0]?.stringValue }.first
      }
      oauthError = members["error"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
      code = headerCode ?? text("__type", "code", "Code").flatMap(Self.errorCode(from:)) ?? oauthError
      message = text("message", "Message", "error_description") ?? ""
    } else if let root = try? XMLTree.parse(body) {
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
    self.oauthError = oauthError
  }

  /// The bare code in a header's or body's error name: `aws.protocoltests#FooError:http://…`
  /// gives `FooError`; `nil` when nothing is left.
  static func errorCode(from name: String) -> String? {
    let withoutSuffix = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    var code = withoutSuffix.split(separator: "#", omittingEmptySubsequences: false).last ?? ""
    while code.first?.isWhitespace == true { code = code.dropFirst() }
    while code.last?.isWhitespace == true { code = code.dropLast() }
    return code.isEmpty ? nil : String(code)
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

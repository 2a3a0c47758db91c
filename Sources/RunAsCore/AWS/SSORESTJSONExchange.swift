import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Unsigned REST-JSON calls for the IAM Identity Center clients (``SSOOIDCClient``,
/// ``SSOPortalClient``): a method and path, query parameters, extra headers and a JSON body;
/// retries of throttling, 5xx and connection failures within one deadline, as
/// ``AWSQueryClient`` does; JSON error answers decoded into ``AWSServiceError``.
///
/// Interim (issue 11): the engine-seams work brings a shared REST-JSON codec to `AWS/`; when it
/// lands, the two clients move onto it and this file goes.
struct SSORESTJSONExchange: Sendable {
  /// The endpoint; its `service` names the service in messages and logs.
  var endpoint: ServiceEndpoint
  /// Sends the requests.
  var transport: any HTTPTransport
  /// Attempts, backoff and the deadline of one call.
  var retryPolicy: AWSRetryPolicy
  /// Receives one debug line per attempt (never a token or a secret).
  var logger: Logger
  /// The `User-Agent` header.
  var userAgent = "aws-runas/\(RunAsCore.version)"
  /// How the exchange waits between attempts; replaceable in tests.
  var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

  /// Sends one operation and returns the successful (2xx) answer.
  ///
  /// - Throws: ``AWSServiceError`` for an error answer, ``AWSTransportError`` when no answer
  ///   came, or `CancellationError`.
  func send(
    _ operation: String, method: String, path: String, query: [(String, String?)] = [],
    headers: [(String, String)] = [], jsonBody: String? = nil
  ) async throws -> HTTPResponseData {
    let url = Self.url(base: endpoint.url, path: path, query: query)
    var fields: [(name: String, value: String)] = [("User-Agent", userAgent)]
    if let parts = HTTPURLParts(url) { fields.insert(("Host", parts.hostHeader), at: 0) }
    if jsonBody != nil { fields.append(("Content-Type", "application/json")) }
    for header in headers { fields.append((header.0, header.1)) }
    let request = HTTPRequestData(method: method, url: url, headers: fields, body: Array((jsonBody ?? "").utf8))

    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: retryPolicy.timeout)
    var attempt = 0
    while true {
      attempt += 1
      try Task.checkCancellation()
      logger.debug(
        "AWS request",
        metadata: [
          "service": "\(endpoint.service)", "action": "\(operation)",
          "attempt": "\(attempt)/\(retryPolicy.maxAttempts)", "url": "\(endpoint.url)",
        ])
      let failure: any Error
      let retryable: Bool
      do {
        let left = clock.now.duration(to: deadline)
        guard left > .zero else { throw timedOut(operation, attempts: attempt - 1) }
        let transport = self.transport
        let response: HTTPResponseData
        do {
          response = try await withTimeout(left) { try await transport.send(request) }
        } catch is TimeoutExceeded {
          throw timedOut(operation, attempts: attempt)
        }
        if (200...299).contains(response.status) {
          logger.debug(
            "AWS response",
            metadata: ["service": "\(endpoint.service)", "action": "\(operation)", "status": "\(response.status)"])
          return response
        }
        let error = Self.serviceError(service: endpoint.service, operation: operation, response: response)
        logger.debug(
          "AWS error response",
          metadata: [
            "service": "\(endpoint.service)", "action": "\(operation)", "status": "\(response.status)",
            "code": "\(error.code)",
          ])
        failure = error
        retryable = error.isRetryable
      } catch let error as CancellationError {
        throw error
      } catch let error as AWSTransportError {
        throw error
      } catch {
        let transportError = AsyncHTTPClientTransport.classify(error, timeout: .zero)
        failure = AWSTransportError(
          service: endpoint.service, operation: operation, url: endpoint.url, kind: transportError.kind,
          detail: transportError.detail, attempts: attempt)
        retryable = transportError.isRetryable
      }
      guard retryable, attempt < retryPolicy.maxAttempts else { throw failure }
      let delay = retryPolicy.delay(beforeRetry: attempt, fraction: Double.random(in: 0..<1))
      guard clock.now.advanced(by: delay) < deadline else { throw failure }
      try await sleep(delay)
    }
  }

  /// Sends one operation and decodes its JSON answer as `Answer`.
  func call<Answer: Decodable>(
    _ operation: String, method: String, path: String, query: [(String, String?)] = [],
    headers: [(String, String)] = [], jsonBody: String? = nil, as answer: Answer.Type
  ) async throws -> Answer {
    let response = try await send(
      operation, method: method, path: path, query: query, headers: headers, jsonBody: jsonBody)
    do {
      return try JSONDecoder().decode(Answer.self, from: Data(response.body))
    } catch {
      throw AWSResponseDecodingError(
        service: endpoint.service, operation: operation, reason: "the body is not the expected JSON")
    }
  }

  private func timedOut(_ operation: String, attempts: Int) -> AWSTransportError {
    AWSTransportError(
      service: endpoint.service, operation: operation, url: endpoint.url, kind: .timedOut,
      detail: "no complete answer within \(AsyncHTTPClientTransport.seconds(retryPolicy.timeout))",
      attempts: attempts)
  }

  /// `base` (without a trailing `/`) + `path` + the RFC 3986-encoded query, `nil` values left out.
  static func url(base: String, path: String, query: [(String, String?)]) -> String {
    var base = base
    while base.hasSuffix("/") { base.removeLast() }
    let pairs = query.compactMap { name, value in
      value.map { SigV4Signer.uriEncode(name) + "=" + SigV4Signer.uriEncode($0) }
    }
    return base + path + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
  }

  /// Decodes a REST-JSON error answer: the code from `x-amzn-ErrorType` (without a `:…` suffix
  /// or a `…#` namespace), else the body's `__type` or `code`; the message from `message`,
  /// `Message` or OAuth's `error_description` (with its `error`).
  static func serviceError(service: String, operation: String, response: HTTPResponseData) -> AWSServiceError {
    func cleaned(_ code: String) -> String? {
      var code = Substring(code)
      if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
      if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
      let trimmed = code.trimmingCharacters(in: .whitespaces)
      return trimmed.isEmpty ? nil : trimmed
    }
    let document = try? JSONDecoder().decode(ErrorDocument.self, from: Data(response.body))
    let code =
      response.header("x-amzn-ErrorType").flatMap(cleaned) ?? document?.type.flatMap(cleaned)
      ?? document?.code.flatMap(cleaned) ?? "HTTP\(response.status)"
    var message = document?.message ?? document?.capitalMessage ?? ""
    if message.isEmpty, let description = document?.errorDescription { message = description }
    if message.isEmpty, let oauth = document?.error { message = oauth }
    if document == nil {
      message = String(decoding: response.body.prefix(200), as: UTF8.self)
        .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
    return AWSServiceError(
      service: service, operation: operation, statusCode: response.status, code: code, message: message,
      requestID: response.header("x-amzn-RequestId"))
  }

  private struct ErrorDocument: Decodable {
    var type: String?
    var code: String?
    var message: String?
    var capitalMessage: String?
    var error: String?
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
      case type = "__type"
      case code
      case message
      case capitalMessage = "Message"
      case error
      case errorDescription = "error_description"
    }
  }
}

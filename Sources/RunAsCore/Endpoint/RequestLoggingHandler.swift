import Logging

/// Logs each request a handler answers: management calls and failures at INFO, credential
/// requests at DEBUG (at thousands of requests per second an INFO line each would cost more than
/// serving them).
public struct RequestLoggingHandler: EndpointHandler {
  /// The handler whose requests are logged.
  public let inner: any EndpointHandler
  /// Where the lines go.
  public let logger: Logger

  /// Creates the handler.
  public init(inner: any EndpointHandler, logger: Logger) {
    self.inner = inner
    self.logger = logger
  }

  public func respond(to request: EndpointRequest) async -> EndpointResponse {
    let response = await inner.respond(to: request)
    let routine = request.method == "GET" || request.method == "HEAD" || request.method == "PUT"
    let line: Logger.Message = "\(request.method) \(request.path) \(response.status) \(response.body.count)"
    if routine && response.status < 400 { logger.debug(line) } else { logger.info(line) }
    return response
  }
}

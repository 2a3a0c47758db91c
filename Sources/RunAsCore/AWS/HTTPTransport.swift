/// Sends HTTP requests. The AWS clients depend on this protocol only, so tests can answer in memory.
public protocol HTTPTransport: Sendable {
  /// Sends one request and returns the whole response.
  ///
  /// - Parameter request: The request to send.
  /// - Returns: The response, whatever its status code.
  /// - Throws: ``HTTPTransportError`` when no response arrives, or `CancellationError`.
  func send(_ request: HTTPRequestData) async throws -> HTTPResponseData
}

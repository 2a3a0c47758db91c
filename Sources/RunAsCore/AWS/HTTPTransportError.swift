/// A request that got no HTTP response: the connection failed, timed out or broke.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, coarsely, so callers can decide on retries and hints.
  public enum Kind: String, Sendable, Equatable {
    /// The server actively refused the connection (nothing listening).
    case connectionRefused
    /// Connecting or waiting for the response took too long.
    case timedOut
    /// The host name did not resolve.
    case hostNotFound
    /// The TLS handshake or certificate check failed.
    case tlsFailure
    /// The connection closed before a complete response arrived.
    case connectionClosed
    /// The URL cannot be used for a request.
    case invalidURL
    /// Any other failure; ``HTTPTransportError/detail`` says more.
    case other
  }

  /// What went wrong.
  public var kind: Kind
  /// The underlying reason in words, e.g. `connection refused` or the TLS library's message.
  public var detail: String

  /// Creates a transport error.
  ///
  /// - Parameters:
  ///   - kind: What went wrong.
  ///   - detail: The reason in words.
  public init(kind: Kind, detail: String) {
    self.kind = kind
    self.detail = detail
  }

  /// The reason in words.
  public var description: String { detail }

  /// Whether trying again may help. Everything except a bad URL and a failed TLS check.
  public var isRetryable: Bool {
    switch kind {
    case .invalidURL, .tlsFailure: return false
    default: return true
    }
  }
}

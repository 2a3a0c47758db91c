import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The ``HTTPTransport`` used in production, on AsyncHTTPClient.
///
/// All instances share one process-wide `HTTPClient`, created lazily on the first request (so a run
/// that never goes to the network never starts NIO). It is not `HTTPClient.shared` on purpose: that
/// client retries refused connections until the request deadline and follows redirects, so an
/// unreachable endpoint would take the whole timeout per attempt. The shared client here fails a
/// refused connection at once, gives up connecting after 5 seconds and never follows redirects.
public struct AsyncHTTPClientTransport: HTTPTransport {
  /// The time allowed for establishing a connection (TCP and TLS).
  public static let defaultConnectTimeout: Duration = .seconds(5)
  /// The default time allowed for a whole request, connection included.
  public static let defaultTotalTimeout: Duration = .seconds(20)
  /// The environment variable that overrides ``defaultTotalTimeout``, in (decimal) seconds.
  public static let timeoutEnvironmentVariable = "AWS_RUNAS_HTTP_TIMEOUT"
  /// The largest response body accepted.
  public static let maximumResponseBytes = 16 * 1024 * 1024

  /// The time allowed for each request, connection included.
  public var totalTimeout: Duration
  private let client: HTTPClient?

  /// Creates a transport on the process-wide client, or on `client` when given.
  ///
  /// - Parameters:
  ///   - totalTimeout: The time allowed for each request.
  ///   - client: A client to use instead of the process-wide one (its owner shuts it down).
  public init(totalTimeout: Duration = defaultTotalTimeout, client: HTTPClient? = nil) {
    self.totalTimeout = totalTimeout
    self.client = client
  }

  /// Creates a transport whose timeout comes from `AWS_RUNAS_HTTP_TIMEOUT` when that is a positive
  /// number of seconds, else ``defaultTotalTimeout``.
  ///
  /// - Parameter environment: The process environment.
  public init(environment: [String: String]) {
    self.init(
      totalTimeout: Self.timeout(fromSeconds: environment[Self.timeoutEnvironmentVariable])
        ?? Self.defaultTotalTimeout)
  }

  /// A timeout written as a positive (decimal) number of seconds below a day; `nil` otherwise.
  static func timeout(fromSeconds text: String?) -> Duration? {
    guard let text, let seconds = Double(text.filter { !$0.isWhitespace }), seconds > 0, seconds.isFinite,
      seconds < 86_400
    else { return nil }
    return .milliseconds(Int64((seconds * 1000).rounded()))
  }

  /// Sends the request and collects the response body, all within ``totalTimeout``.
  ///
  /// - Parameter request: The request.
  /// - Returns: The response, whatever its status.
  /// - Throws: ``HTTPTransportError`` when no complete response arrives in time, or `CancellationError`.
  public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
    let client = self.client ?? processHTTPClient
    let totalTimeout = self.totalTimeout
    do {
      // The client's own timeout ends with the response head; this one also covers the body,
      // which a server can dribble out a byte at a time.
      return try await withTimeout(totalTimeout) {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for field in request.headers {
          outgoing.headers.add(name: field.name, value: field.value)
        }
        if !request.body.isEmpty {
          outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await client.execute(outgoing, deadline: .now() + .of(totalTimeout))
        let body = try await response.body.collect(upTo: Self.maximumResponseBytes)
        return HTTPResponseData(
          status: Int(response.status.code),
          headers: response.headers.map { ($0.name, $0.value) },
          body: Array(body.readableBytesView))
      }
    } catch let error as CancellationError {
      throw error
    } catch {
      if Task.isCancelled { throw CancellationError() }
      throw Self.classify(error, timeout: totalTimeout)
    }
  }

  /// Maps an AsyncHTTPClient / NIO error onto an ``HTTPTransportError``.
  static func classify(_ error: any Error, timeout: Duration) -> HTTPTransportError {
    if let error = error as? HTTPTransportError { return error }
    let timedOut = HTTPTransportError(
      kind: .timedOut,
      detail: timeout > .zero ? "no complete response within \(Self.seconds(timeout))" : "request timed out")
    if let error = error as? TimeoutExceeded {
      return HTTPTransportError(kind: .timedOut, detail: "no complete response within \(Self.seconds(error.timeout))")
    }
    if let error = error as? HTTPClientError {
      if error == .connectTimeout || error == .tlsHandshakeTimeout {
        return HTTPTransportError(
          kind: .timedOut,
          detail: "connection not established within \(Self.seconds(defaultConnectTimeout))")
      }
      if error == .getConnectionFromPoolTimeout {
        // Every connection to the host was busy: not the server's silence, so not "no response".
        return HTTPTransportError(
          kind: .timedOut, detail: "no free connection to the server (too many calls to it at once)")
      }
      if error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout {
        return timedOut
      }
      if error == .remoteConnectionClosed || error == .uncleanShutdown {
        return HTTPTransportError(kind: .connectionClosed, detail: "connection closed by the server")
      }
      if error == .invalidURL || error == .emptyHost || error == .emptyScheme {
        return HTTPTransportError(kind: .invalidURL, detail: "invalid URL")
      }
    }
    if let error = error as? NIOConnectionError {
      for failure in error.connectionErrors {
        if let classified = classifySocketError(failure.error) { return classified }
      }
      if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
        return HTTPTransportError(kind: .hostNotFound, detail: "host \(error.host) not found")
      }
    }
    if let classified = classifySocketError(error) { return classified }
    let typeName = String(reflecting: type(of: error))
    let text = String(describing: error)
    if typeName.contains("SSL") || typeName.contains("TLS") {
      return HTTPTransportError(kind: .tlsFailure, detail: "TLS failure: \(text)")
    }
    let lowered = text.lowercased()
    if lowered.contains("connection refused") {
      return HTTPTransportError(kind: .connectionRefused, detail: "connection refused")
    }
    if lowered.contains("timed out") || lowered.contains("timeout") { return timedOut }
    return HTTPTransportError(kind: .other, detail: text)
  }

  private static func classifySocketError(_ error: any Error) -> HTTPTransportError? {
    guard let error = error as? IOError else { return nil }
    switch error.errnoCode {
    case ECONNREFUSED:
      return HTTPTransportError(kind: .connectionRefused, detail: "connection refused")
    case ETIMEDOUT:
      return HTTPTransportError(kind: .timedOut, detail: "connection timed out")
    case ENETUNREACH, EHOSTUNREACH:
      return HTTPTransportError(kind: .other, detail: "network unreachable")
    case ECONNRESET, EPIPE:
      return HTTPTransportError(kind: .connectionClosed, detail: "connection reset by the server")
    default:
      return nil
    }
  }

  static func seconds(_ duration: Duration) -> String {
    let value = Timestamp.timeInterval(of: duration)
    if value == value.rounded() { return "\(Int(value)) s" }
    return "\(value) s"
  }
}

/// The process-wide client: a global, so it is created on first use only, and never shut down
/// (it lives as long as the process, like `HTTPClient.shared`).
private let processHTTPClient: HTTPClient = {
  var configuration = HTTPClient.Configuration()
  configuration.redirectConfiguration = .disallow
  configuration.timeout = HTTPClient.Configuration.Timeout(
    connect: .nanoseconds(
      Int64(AsyncHTTPClientTransport.defaultConnectTimeout.components.seconds) * 1_000_000_000),
    read: .seconds(60))
  configuration.connectionPool.retryConnectionEstablishment = false
  configuration.decompression = .disabled
  return HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup,
    configuration: configuration,
    backgroundActivityLogger: Logger(label: "aws-runas.http", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

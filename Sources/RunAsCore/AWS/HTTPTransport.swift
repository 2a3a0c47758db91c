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

/// An HTTP request as plain values, independent of any HTTP library.
public struct HTTPRequestData: Sendable {
  /// The method, e.g. `GET` or `POST`.
  public var method: String
  /// The absolute URL, e.g. `https://sts.us-east-1.amazonaws.com/`.
  public var url: String
  /// The header fields in order. Names compare case-insensitively.
  public var headers: [(name: String, value: String)]
  /// The body bytes; empty for none.
  public var body: [UInt8]

  /// Creates a request.
  ///
  /// - Parameters:
  ///   - method: The HTTP method.
  ///   - url: The absolute URL.
  ///   - headers: The header fields.
  ///   - body: The body bytes.
  public init(
    method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
  }

  /// The value of the first header field with this name (case-insensitive).
  ///
  /// - Parameter name: The field name.
  /// - Returns: The value, or `nil` when the field is absent.
  public func header(_ name: String) -> String? {
    headers.first { HTTPFieldName.equal($0.name, name) }?.value
  }

  /// Sets a header field, replacing every existing field of that name.
  ///
  /// - Parameters:
  ///   - name: The field name.
  ///   - value: The new value.
  public mutating func setHeader(_ name: String, _ value: String) {
    headers.removeAll { HTTPFieldName.equal($0.name, name) }
    headers.append((name, value))
  }
}

/// An HTTP response as plain values.
public struct HTTPResponseData: Sendable {
  /// The status code, e.g. 200.
  public var status: Int
  /// The header fields in order.
  public var headers: [(name: String, value: String)]
  /// The body bytes.
  public var body: [UInt8]

  /// Creates a response.
  ///
  /// - Parameters:
  ///   - status: The status code.
  ///   - headers: The header fields.
  ///   - body: The body bytes.
  public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// The value of the first header field with this name (case-insensitive).
  ///
  /// - Parameter name: The field name.
  /// - Returns: The value, or `nil` when the field is absent.
  public func header(_ name: String) -> String? {
    headers.first { HTTPFieldName.equal($0.name, name) }?.value
  }

  /// The server's clock from the `Date` header, when present and well-formed.
  public var date: Date? {
    header("Date").flatMap { Timestamp.parseHTTPDate($0) }
  }
}

/// Sends HTTP requests. The AWS clients depend on this protocol only, so tests can answer in memory.
public protocol HTTPTransport: Sendable {
  /// Sends one request and returns the whole response.
  ///
  /// - Parameter request: The request to send.
  /// - Returns: The response, whatever its status code.
  /// - Throws: ``HTTPTransportError`` when no response arrives, or `CancellationError`.
  func send(_ request: HTTPRequestData) async throws -> HTTPResponseData
}

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

extension TimeAmount {
  /// `duration` for NIO, capped at a day so the nanosecond count cannot overflow.
  static func of(_ duration: Duration) -> TimeAmount {
    let seconds = min(max(duration.components.seconds, 0), 86_400)
    return .nanoseconds(seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
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

/// Case-insensitive comparison of ASCII header field names.
enum HTTPFieldName {
  static func equal(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8
    let right = rhs.utf8
    guard left.count == right.count else { return false }
    return zip(left, right).allSatisfy { lowercase($0) == lowercase($1) }
  }

  static func lowercased(_ name: String) -> String {
    String(decoding: name.utf8.map(lowercase), as: UTF8.self)
  }

  private static func lowercase(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
  }
}

/// The parts of an absolute `http` / `https` URL that signing and endpoint checks need.
struct HTTPURLParts: Equatable {
  /// `http` or `https`, lower-cased.
  var scheme: String
  /// The host as written, IPv6 literals keeping their brackets, lower-cased.
  var host: String
  /// The explicit port, if any.
  var port: Int?
  /// The path as written (already percent-encoded), `/` when empty.
  var path: String
  /// The raw query without `?`, if any.
  var query: String?

  /// The `Host` header value: the host, plus the port unless it is the scheme's default.
  var hostHeader: String {
    guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
    return "\(host):\(port)"
  }

  /// Splits an absolute URL; `nil` when it is not `http(s)://host[:port][/path][?query]`.
  init?(_ url: String) {
    guard let schemeEnd = url.range(of: "://") else { return nil }
    let scheme = url[..<schemeEnd.lowerBound].lowercased()
    guard scheme == "http" || scheme == "https" else { return nil }
    let rest = url[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    guard !authority.isEmpty, !authority.contains("@") else { return nil }

    var host = Substring(authority)
    var port: Int?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      host = authority[...close]
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { return nil }
        port = Int(after.dropFirst())
        guard port != nil else { return nil }
      }
    } else if let colon = authority.lastIndex(of: ":") {
      host = authority[..<colon]
      port = Int(authority[authority.index(after: colon)...])
      guard port != nil else { return nil }
    }
    if let port, !(1...65_535).contains(port) { return nil }
    if host.hasPrefix("[") {
      guard host.count > 2, host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
      else { return nil }
    } else {
      guard !host.isEmpty,
        host.allSatisfy({
          $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_")
        })
      else { return nil }
    }

    var remainder = rest[authorityEnd...]
    if let hash = remainder.firstIndex(of: "#") { remainder = remainder[..<hash] }
    var path = remainder
    var query: Substring?
    if let question = remainder.firstIndex(of: "?") {
      path = remainder[..<question]
      query = remainder[remainder.index(after: question)...]
    }
    self.scheme = scheme
    self.host = host.lowercased()
    self.port = port
    self.path = path.isEmpty ? "/" : String(path)
    self.query = query.map(String.init)
  }
}

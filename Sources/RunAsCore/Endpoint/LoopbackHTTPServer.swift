import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server for the credential endpoints, on SwiftNIO.
///
/// It reads each request in full (bodies over ``maximumBodySize`` get 413), hands it to an
/// ``EndpointHandler`` and writes the answer, keeping connections alive as clients ask.
///
/// Clients cannot hold it: a connection without a request in progress closes after
/// ``Limits/idleTimeout``, a request head must arrive within ``Limits/headerTimeout`` of its first
/// byte and its body within ``Limits/bodyTimeout``, and at ``Limits/maximumConnections`` a new
/// connection replaces the one that has waited longest for a request. Requests whose `Host` is not
/// a loopback name or address (or the server's own, or the instance metadata address) get 403, so
/// a web page cannot reach the endpoint through a name it controls (DNS rebinding).
public final class LoopbackHTTPServer: Sendable {
  /// How long clients may take, and how many may be connected.
  public struct Limits: Sendable {
    /// How long a connection may stay open with no request in progress.
    public var idleTimeout: Duration
    /// How long a request's head may take to arrive, from its first byte.
    public var headerTimeout: Duration
    /// How long a request's body may take to arrive, after its head.
    public var bodyTimeout: Duration
    /// The most connections open at once.
    public var maximumConnections: Int

    /// Creates limits.
    public init(
      idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10),
      bodyTimeout: Duration = .seconds(10), maximumConnections: Int = 128
    ) {
      self.idleTimeout = idleTimeout
      self.headerTimeout = headerTimeout
      self.bodyTimeout = bodyTimeout
      self.maximumConnections = max(1, maximumConnections)
    }
  }

  /// The port the server listens on (the real one when started on port 0).
  public let port: Int
  /// The address it listens on.
  public let host: String
  /// The largest request body accepted.
  public static let maximumBodySize = 64 * 1024

  private let serverChannel: any Channel
  private let acceptLoop: Task<Void, Never>

  private init(host: String, port: Int, serverChannel: any Channel, acceptLoop: Task<Void, Never>) {
    self.host = host
    self.port = port
    self.serverChannel = serverChannel
    self.acceptLoop = acceptLoop
  }

  /// Starts listening on `host:port` (port 0 picks a free one) and serving `handler`.
  ///
  /// A connection that cannot be set up is logged to `logger` and closed; the server keeps listening.
  public static func start(
    host: String = "127.0.0.1", port: Int = 0, handler: any EndpointHandler, limits: Limits = Limits(),
    logger: Logger = Logger(label: "aws-runas.endpoint", factory: { _ in SwiftLogNoOpLogHandler() })
  ) async throws -> LoopbackHTTPServer {
    try await start(
      host: host, port: port, handler: handler, limits: limits, logger: logger,
      prepareConnection: { try prepare($0) })
  }

  /// ``start(host:port:handler:limits:logger:)`` with the per-connection set-up given (tests make
  /// it fail).
  static func start(
    host: String, port: Int, handler: any EndpointHandler, limits: Limits = Limits(), logger: Logger,
    prepareConnection: @escaping @Sendable (any Channel) throws -> Void
  ) async throws -> LoopbackHTTPServer {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let connections = ConnectionRegistry(capacity: limits.maximumConnections)
    // Per-connection set-up lives in the child initializer, not in `childChannelOption`: a failing
    // child option is fired through the server channel and ends the accept loop, while a failing
    // initializer only loses its own connection.
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: host, port: port) { child in
        child.eventLoop.makeCompletedFuture {
          guard connections.admit(child) else {
            logger.debug("credential endpoint: refused a connection, all \(limits.maximumConnections) are busy")
            child.close(promise: nil)
            throw ConnectionLimitReached()
          }
          do {
            try prepareConnection(child)
            try child.pipeline.syncOperations.addHandler(RequestBytesObserver(), position: .first)
            try child.pipeline.syncOperations.addHandler(ConnectionDeadlines(limits: limits, connections: connections))
            return try Connection(wrappingChannelSynchronously: child)
          } catch {
            logger.warning("credential endpoint: dropped a connection that could not be set up: \(error)")
            child.close(promise: nil)
            throw error
          }
        }
      }
    let boundPort = channel.channel.localAddress?.port ?? port
    let underlying = channel.channel
    let hosts = AllowedHosts(boundHost: host)
    let loop = Task {
      do {
        try await channel.executeThenClose { inbound in
          try await withThrowingDiscardingTaskGroup { group in
            for try await connection in inbound {
              group.addTask { await serve(connection, handler: handler, hosts: hosts) }
            }
          }
        }
      } catch {
        // Accept errors (EMFILE and the like) are retried by NIO's back-off handler and failed
        // connections end in the initializer, so only closing the listening socket gets here.
        logger.debug("credential endpoint stopped listening: \(error)")
      }
    }
    return LoopbackHTTPServer(host: host, port: boundPort, serverChannel: underlying, acceptLoop: loop)
  }

  /// Sets up one accepted connection: small answers go out at once (`TCP_NODELAY` at the TCP level;
  /// at the socket level the same number is `SO_DEBUG`, which only root may set), then HTTP/1.1.
  static func prepare(_ child: any Channel) throws {
    try child.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1)
    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
  }

  /// Stops accepting connections, closes the open ones (kept-alive clients would otherwise hold
  /// the server for as long as they like) and waits for the accept loop to end.
  public func stop() async {
    try? await serverChannel.close()
    acceptLoop.cancel()
    await acceptLoop.value
  }

  private static func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: any EndpointHandler,
    hosts: AllowedHosts
  ) async {
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead?
      var body: [UInt8] = []
      var tooLarge = false
      for try await part in inbound {
        switch part {
        case .head(let requestHead):
          head = requestHead
          body = []
          tooLarge = false
        case .body(var buffer):
          if body.count + buffer.readableBytes > maximumBodySize {
            tooLarge = true
          } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
            body += bytes
          }
        case .end:
          guard let requestHead = head else { continue }
          let response: EndpointResponse
          let host = requestHead.headers.first(name: "Host")
          if !hosts.allows(host) {
            response = .text(
              "the Host header \"\(TerminalText.excerpt(host ?? "", limit: 64))\" is not a loopback address or name",
              status: 403)
          } else if tooLarge {
            response = .text("request body too large", status: 413)
          } else {
            response = await handler.respond(to: request(from: requestHead, body: body))
          }
          let keepAlive = requestHead.isKeepAlive && !tooLarge
          try await write(response, for: requestHead, keepAlive: keepAlive, to: outbound)
          if !keepAlive { return }
          head = nil
        }
      }
    }
  }

  private static func request(from head: HTTPRequestHead, body: [UInt8]) -> EndpointRequest {
    let uri = head.uri
    let path: String
    let query: String
    if let mark = uri.firstIndex(of: "?") {
      path = String(uri[..<mark])
      query = String(uri[uri.index(after: mark)...])
    } else {
      path = uri
      query = ""
    }
    return EndpointRequest(
      method: head.method.rawValue, path: path, query: query,
      headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)
  }

  private static func write(
    _ response: EndpointResponse, for head: HTTPRequestHead, keepAlive: Bool,
    to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
  ) async throws {
    var headers = HTTPHeaders()
    for field in response.headers { headers.add(name: field.name, value: field.value) }
    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
    headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    let responseHead = HTTPResponseHead(
      version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
    try await outbound.write(.head(responseHead))
    if head.method != .HEAD && !response.body.isEmpty {
      try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
    }
    try await outbound.write(.end(nil))
  }
}

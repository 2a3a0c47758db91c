import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A Chrome DevTools Protocol connection: numbered commands whose answers may come in any order,
/// and the browser's events in the order they came.
///
/// The WebSocket is made by ``withConnection(port:path:_:)``; the JSON-RPC bookkeeping here works
/// on text messages, so it is tested without a socket.
actor DevToolsConnection {
  /// The browser's events, in order; finishes when the connection ends.
  nonisolated let events: AsyncStream<DevToolsEvent>
  private let eventSink: AsyncStream<DevToolsEvent>.Continuation
  private let transmit: @Sendable (String) async throws -> Void
  private var nextID = 1
  private var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
  /// Answers that came before their command's sender was waiting (the actor is reentrant).
  private var early: [Int: DevToolsResult] = [:]
  private var ended: DevToolsProtocolError?

  /// Creates a connection that sends each command's text with `transmit`; what the browser sends
  /// goes to ``receive(_:)``, and ``close(_:)`` when it ends.
  init(transmit: @escaping @Sendable (String) async throws -> Void) {
    (events, eventSink) = AsyncStream.makeStream(of: DevToolsEvent.self)
    self.transmit = transmit
  }

  /// Sends the command `method` and returns its result.
  ///
  /// - Parameter sessionID: The target session (from `Target.attachToTarget` with `flatten`);
  ///   `nil` for the browser.
  /// - Throws: ``DevToolsCommandError`` when the browser refuses it, ``DevToolsProtocolError``
  ///   when the connection has ended, `CancellationError`.
  @discardableResult
  func send(_ method: String, _ params: JSONValue = .object([:]), sessionID: String? = nil) async throws -> JSONValue {
    if let ended { throw ended }
    let id = nextID
    nextID += 1
    do {
      try await transmit(DevToolsMessage.command(id: id, method: method, params: params, sessionID: sessionID))
    } catch {
      throw ended ?? DevToolsProtocolError(message: "the DevTools connection ended")
    }
    if let answer = early.removeValue(forKey: id) { return try answer.get() }
    if let ended { throw ended }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        if Task.isCancelled {
          continuation.resume(throwing: CancellationError())
        } else {
          waiting[id] = continuation
        }
      }
    } onCancel: {
      Task { await self.abandon(id) }
    }
  }

  /// Takes one message from the browser: answers its command or passes the event on. Messages
  /// that are not DevTools messages are dropped.
  func receive(_ text: String) {
    switch try? DevToolsMessage(text: text) {
    case .response(let id, let result):
      if let continuation = waiting.removeValue(forKey: id) {
        continuation.resume(with: result.mapError { $0 as any Error })
      } else if id < nextID {
        early[id] = result
      }
    case .event(let event):
      eventSink.yield(event)
    case nil:
      break
    }
  }

  /// Ends the connection: every waiting command throws `reason`, the events finish.
  func close(_ reason: DevToolsProtocolError) {
    guard ended == nil else { return }
    ended = reason
    for continuation in waiting.values { continuation.resume(throwing: reason) }
    waiting = [:]
    eventSink.finish()
  }

  private func abandon(_ id: Int) {
    waiting.removeValue(forKey: id)?.resume(throwing: CancellationError())
  }
}

extension DevToolsConnection {
  /// The largest message taken from the browser (a SAML response's post data is a few tens of
  /// kilobytes; screenshots, which are never asked for, would be more).
  static let maximumMessageSize = 1 << 24

  private enum Upgrade: Sendable {
    case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
    case refused
  }

  /// Opens the WebSocket `ws://127.0.0.1:<port><path>` (the browser endpoint of
  /// `DevToolsActivePort`), runs `body` with the connection and closes it.
  ///
  /// - Throws: ``DevToolsProtocolError`` when the WebSocket cannot be opened; what `body` throws.
  static func withConnection<Value: Sendable>(
    port: Int, path: String, _ body: (DevToolsConnection) async throws -> Value
  ) async throws -> Value {
    let upgrade: EventLoopFuture<Upgrade>
    do {
      upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.seconds(10))
        .connect(host: "127.0.0.1", port: port) { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
              configuration: .init(upgradeConfiguration: upgradeConfiguration(port: port, path: path)))
          }
        }
    } catch {
      throw DevToolsProtocolError(message: "cannot connect to the browser's DevTools port \(port): \(error)")
    }
    guard case .webSocket(let channel) = try await upgrade.get() else {
      throw DevToolsProtocolError(message: "the browser refused the DevTools WebSocket on port \(port)")
    }
    return try await channel.executeThenClose { inbound, outbound in
      let connection = DevToolsConnection { text in
        try await outbound.write(
          WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)))
      }
      return try await withThrowingTaskGroup(of: Void.self, returning: Value.self) { group in
        group.addTask {
          do {
            frames: for try await frame in inbound {
              switch frame.opcode {
              case .text: await connection.receive(String(buffer: frame.unmaskedData))
              case .ping:
                try await outbound.write(
                  WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
              case .connectionClose: break frames
              default: continue
              }
            }
          } catch {
            // A broken connection ends like a closed one.
          }
          await connection.close(DevToolsProtocolError(message: "the browser closed the DevTools connection"))
        }
        defer { group.cancelAll() }
        return try await body(connection)
      }
    }
  }

  private static func upgradeConfiguration(port: Int, path: String) -> NIOTypedHTTPClientUpgradeConfiguration<Upgrade> {
    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
      maxFrameSize: maximumMessageSize,
      upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            NIOWebSocketFrameAggregator(
              minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
              maxAccumulatedFrameSize: maximumMessageSize))
          return .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
        }
      })
    var headers = HTTPHeaders()
    // No Origin: the browser accepts DevTools clients without one, and only those.
    headers.add(name: "Host", value: "127.0.0.1:\(port)")
    headers.add(name: "Content-Length", value: "0")
    return NIOTypedHTTPClientUpgradeConfiguration(
      upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers),
      upgraders: [upgrader],
      notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused } })
  }
}

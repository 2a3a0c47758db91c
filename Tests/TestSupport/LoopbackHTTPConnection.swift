import Foundation
import NIOCore
import NIOPosix
import RunAsCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A raw TCP connection to a loopback port, for speaking (or half-speaking) HTTP/1.1 to a server
/// under test: bytes go out exactly as written, and whole responses (head plus `Content-Length`
/// body) come back.
///
/// It runs on NIO's event loops, so nothing blocks: the test suspends while it waits, and the
/// server under test, which shares the concurrency pool with the test, keeps running. Reads give
/// up after the read timeout (long enough that only a hang trips it), so a test fails instead of
/// hanging when a server does not answer.
/// Released, the connection is closed.
package final class LoopbackHTTPConnection: Sendable {
  /// How a read ended.
  package enum Ending: Equatable, Sendable {
    /// The server closed the connection (or reset it).
    case closed
    /// A complete response (head and `Content-Length` body) arrived.
    case response
    /// Nothing more came within the read timeout.
    case timedOut
  }

  private let channel: any Channel
  private let reader: NIOLoopBound<ResponseReader>
  private let readTimeout: Duration

  private init(channel: any Channel, reader: NIOLoopBound<ResponseReader>, readTimeout: Duration) {
    self.channel = channel
    self.reader = reader
    self.readTimeout = readTimeout
  }

  deinit { channel.close(promise: nil) }

  /// Connects to `127.0.0.1:port` and sends `initial` at once.
  ///
  /// The connection is made and `initial` sent back to back on a thread of their own, with the
  /// socket still blocking, before NIO takes it over: a server's header or idle timeout cannot
  /// fire in between, however loaded the machine and however long the event loop takes to wake.
  package static func connect(
    port: Int, sending initial: String = "", readTimeout: Duration = .seconds(60)
  ) async throws -> LoopbackHTTPConnection {
    let descriptor = try await DedicatedThread.run { try connectedSocket(port: port, sending: initial) }
    // The reader is added before the channel is registered: a server that closes at once (a
    // connection refused at its cap) cannot take the pipeline down before the reader is in it.
    let (channel, reader) = try await ClientBootstrap(group: clientLoops).withConnectedSocket(descriptor) {
      channel in
      channel.eventLoop.makeCompletedFuture { () throws -> (any Channel, NIOLoopBound<ResponseReader>) in
        let reader = ResponseReader()
        try channel.pipeline.syncOperations.addHandler(reader)
        return (channel, NIOLoopBound(reader, eventLoop: channel.eventLoop))
      }
    }
    return LoopbackHTTPConnection(channel: channel, reader: reader, readTimeout: readTimeout)
  }

  /// Sends `text`; `false` when the server has closed the connection.
  @discardableResult
  package func send(_ text: String) async -> Bool {
    do {
      try await channel.writeAndFlush(ByteBuffer(string: text))
      return true
    } catch {
      return false
    }
  }

  /// Reads one response, or what came until the server closed the connection or the read
  /// timeout passed.
  package func readResponse() async -> (text: String, ending: Ending) {
    let (reader, timeout) = (self.reader, TimeAmount(readTimeout))
    let reading = channel.eventLoop.flatSubmit { reader.value.nextResponse(timeout: timeout) }
    // The promise is always completed: by a response, the close or the timer.
    return (try? await reading.get()) ?? ("", .closed)
  }

  /// Sends `request` and reads its response. The answer is read without waiting for the request
  /// to be written: a server may answer and close before it reads all of a request it refuses.
  package func exchange(_ request: String) async -> String {
    channel.writeAndFlush(ByteBuffer(string: request), promise: nil)
    return await readResponse().text
  }
}

/// The event loop of every test connection: one of its own, so clients never hold up the loops of
/// the servers under test (`MultiThreadedEventLoopGroup.singleton`), whose timeouts are short.
private let clientLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

/// A socket connected to `127.0.0.1:port` that has sent all of `initial`. It blocks: call it
/// on a thread of its own.
private func connectedSocket(port: Int, sending initial: String) throws -> Int32 {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard descriptor >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
  var address = loopbackAddress(port: port)
  let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  let bytes = Array(initial.utf8)
  var sent = 0
  while connected == 0, sent < bytes.count {
    let count = bytes[sent...].withUnsafeBytes {
      send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
    guard count > 0 else { break }
    sent += count
  }
  guard connected == 0, sent == bytes.count else {
    let reason = String(cString: strerror(errno))
    close(descriptor)
    throw HarnessError("cannot connect to 127.0.0.1:\(port) and send \(bytes.count) bytes: \(reason)")
  }
  return descriptor
}

/// Collects what the server sends and hands it out a response at a time. Lives on the channel's
/// event loop, as does everything it touches.
private final class ResponseReader: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias Reading = (text: String, ending: LoopbackHTTPConnection.Ending)

  private var eventLoop: (any EventLoop)?
  private var received: [UInt8] = []
  private var isClosed = false
  private var pending: (promise: EventLoopPromise<Reading>, timer: Scheduled<Void>)?

  func handlerAdded(context: ChannelHandlerContext) {
    eventLoop = context.eventLoop
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    received += unwrapInboundIn(data).readableBytesView
    deliver()
  }

  func channelInactive(context: ChannelHandlerContext) {
    isClosed = true
    deliver()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // A reset from the server ends the connection as a close does.
    context.close(promise: nil)
  }

  /// The next response, the rest before the close, or what came before `timeout` passed.
  func nextResponse(timeout: TimeAmount) -> EventLoopFuture<Reading> {
    guard let eventLoop else { preconditionFailure("not in a pipeline") }
    let promise = eventLoop.makePromise(of: Reading.self)
    if let earlier = pending {
      // One read at a time: a second would take the first one's response.
      earlier.timer.cancel()
      earlier.promise.fail(ChannelError.inappropriateOperationForState)
    }
    let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
      finish(with: (String(decoding: received, as: UTF8.self), .timedOut))
    }
    pending = (promise, timer)
    deliver()
    return promise.futureResult
  }

  /// Completes the pending read when a response or the close is there.
  private func deliver() {
    guard pending != nil else { return }
    if let response = takeResponse() {
      finish(with: (response, .response))
    } else if isClosed {
      defer { received = [] }
      finish(with: (String(decoding: received, as: UTF8.self), .closed))
    }
  }

  private func finish(with reading: Reading) {
    guard let (promise, timer) = pending else { return }
    pending = nil
    timer.cancel()
    promise.succeed(reading)
  }

  /// Removes one complete response from the received bytes.
  private func takeResponse() -> String? {
    let separator = Array("\r\n\r\n".utf8)
    guard let end = received.indices.first(where: { received[$0...].starts(with: separator) }) else { return nil }
    let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
    let length =
      head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
      .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    let total = end + separator.count + length
    guard received.count >= total else { return nil }
    defer { received.removeFirst(total) }
    return String(decoding: received[..<total], as: UTF8.self)
  }
}

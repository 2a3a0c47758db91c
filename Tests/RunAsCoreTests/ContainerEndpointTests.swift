import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import RunAsCore

/// The wrapped command's credential endpoint, in memory and over a real socket.
@Suite("Container credential endpoint")
struct ContainerEndpointTests {
  static let credentials = AWSCredentials(
    accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token",
    expiration: Date().addingTimeInterval(3600))

  func handler(token: String? = "sekrit") -> ContainerCredentialHandler {
    let provider = StaticCredentialProvider(Self.credentials)
    let source = RefreshingCredentials(
      quietProvider: provider, interactiveProvider: provider, initial: Self.credentials)
    return ContainerCredentialHandler(token: token, source: source)
  }

  @Test func servesCredentialsWithTheToken() async throws {
    let response = await handler().respond(
      to: EndpointRequest(method: "GET", path: "/credentials", headers: [("Authorization", "sekrit")]))
    #expect(response.status == 200)
    let body = String(decoding: response.body, as: UTF8.self)
    #expect(body.hasPrefix(#"{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"secret","Token":"token","Expiration":""#))
  }

  @Test(arguments: [nil, "wrong", "sekri", "sekrit "])
  func refusesRequestsWithoutTheRightToken(_ token: String?) async {
    let headers: [(name: String, value: String)] = token.map { [("Authorization", $0)] } ?? []
    let response = await handler().respond(to: EndpointRequest(method: "GET", path: "/credentials", headers: headers))
    #expect(response.status == 401)
  }

  @Test func otherPathsAndMethodsAreRefused() async {
    let auth: [(name: String, value: String)] = [("Authorization", "sekrit")]
    #expect(await handler().respond(to: EndpointRequest(method: "GET", path: "/other", headers: auth)).status == 404)
    #expect(
      await handler().respond(to: EndpointRequest(method: "POST", path: "/credentials", headers: auth)).status == 405)
  }

  @Test(.timeLimit(.minutes(2)))
  func realSocketServesKeepAliveRequestsAndRejectsHugeBodies() async throws {
    let server = try await LoopbackHTTPServer.start(handler: handler())
    let big = String(repeating: "x", count: LoopbackHTTPServer.maximumBodySize + 1)
    // Three requests, one after the other, on one kept-alive connection.
    let (first, second, third) = try await RawHTTP.withConnection(port: server.port) { connection in
      (
        try await connection.exchange("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: sekrit\r\n\r\n"),
        try await connection.exchange("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        try await connection.exchange(
          "POST /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(big.utf8.count)\r\n\r\n\(big)")
      )
    }
    await server.stop()
    #expect(first.hasPrefix("HTTP/1.1 200 OK"))
    #expect(first.contains("ASIAEXAMPLE"))
    #expect(second.hasPrefix("HTTP/1.1 401 Unauthorized"))
    #expect(third.hasPrefix("HTTP/1.1 413 Payload Too Large"))
  }
}

/// One HTTP/1.1 connection over loopback that sends raw bytes and reads whole responses, on NIO's
/// event loops (the server under test shares the cooperative pool with the test).
final class RawHTTP {
  private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
  private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
  private var received: [UInt8] = []

  private init(
    outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
    inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
  ) {
    self.outbound = outbound
    self.inbound = inbound
  }

  /// Connects to `127.0.0.1:port`, runs `body` with the connection and closes it.
  static func withConnection<T: Sendable>(
    port: Int, _ body: (RawHTTP) async throws -> T
  ) async throws -> T {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connect(host: "127.0.0.1", port: port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
      }
    return try await channel.executeThenClose { inbound, outbound in
      try await body(RawHTTP(outbound: outbound, inbound: inbound.makeAsyncIterator()))
    }
  }

  /// Sends `request` and reads one response (headers plus a Content-Length body), or what came
  /// before the server closed the connection.
  func exchange(_ request: String) async throws -> String {
    // The server may answer and close before reading all of a refused body.
    try? await outbound.write(ByteBuffer(string: request))
    while true {
      if let response = takeResponse() { return response }
      guard let chunk = try await inbound.next() else {
        defer { received = [] }
        return String(decoding: received, as: UTF8.self)
      }
      received += chunk.readableBytesView
    }
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

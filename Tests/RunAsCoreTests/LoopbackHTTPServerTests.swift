import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import RunAsCore

/// The credential endpoints' HTTP server over real loopback sockets.
@Suite("Loopback HTTP server")
struct LoopbackHTTPServerTests {
  struct Hello: EndpointHandler {
    func respond(to request: EndpointRequest) async -> EndpointResponse { .text("hello \(request.path)", status: 200) }
  }

  /// Records warnings so a test can see that a dropped connection was logged.
  final class Recorder: LogHandler, @unchecked Sendable {
    // @unchecked: `lines` is a Mutex; the rest is set once by swift-log before use.
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
  }

  struct SetupRefused: Error, CustomStringConvertible {
    var description: String { "set-up refused (test)" }
  }

  func get(_ port: Int, _ path: String) async throws -> HTTPResponseData {
    try await AsyncHTTPClientTransport(totalTimeout: .seconds(60))
      .send(HTTPRequestData(method: "GET", url: "http://127.0.0.1:\(port)\(path)"))
  }

  @Test func keepsListeningAfterAConnectionFailsToSetUp() async throws {
    let recorder = Recorder()
    let logger = Logger(label: "test", factory: { _ in recorder })
    let failFirst = Mutex(true)
    let server = try await LoopbackHTTPServer.start(
      host: "127.0.0.1", port: 0, handler: Hello(), logger: logger,
      prepareConnection: { child in
        if failFirst.withLock({ value in
          defer { value = false }; return value
        }) {
          throw SetupRefused()
        }
        try LoopbackHTTPServer.prepare(child)
      })
    // The first connection is dropped during set-up; the client sees an error, not a hang.
    await #expect(throws: (any Error).self) { try await get(server.port, "/first") }
    // The server still accepts and serves the next ones.
    for attempt in 1...3 {
      let response = try await get(server.port, "/again\(attempt)")
      #expect(response.status == 200)
      #expect(String(decoding: response.body, as: UTF8.self) == "hello /again\(attempt)\n")
    }
    #expect(recorder.lines.withLock { $0.contains { $0.contains("set-up refused (test)") } })
    await server.stop()
  }

  @Test func setsNoDelayAtTheTCPLevelNotTheSocketLevel() async throws {
    // A socket-level option with TCP_NODELAY's number is SO_DEBUG, which only root may set: as
    // root it silently "works", so check which option the prepared channel really holds.
    let server = try await LoopbackHTTPServer.start(
      host: "127.0.0.1", port: 0, handler: Hello(), logger: Logger(label: "test"),
      prepareConnection: { child in
        try LoopbackHTTPServer.prepare(child)
        let noDelay = try child.syncOptions?.getOption(.tcpOption(.tcp_nodelay))
        let debug = try child.syncOptions?.getOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_DEBUG)))
        guard noDelay != 0, debug == 0 else {
          throw SetupRefused()
        }
      })
    let response = try await get(server.port, "/x")
    #expect(response.status == 200)
    await server.stop()
  }
}

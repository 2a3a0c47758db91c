import Foundation
import Logging
import TestSupport
import Testing

@testable import RunAsCore

/// The credential endpoints against clients that misbehave: idle or slow connections, too many of
/// them, foreign `Host` names (DNS rebinding), and web pages posting forms.
@Suite("Endpoint hardening")
struct EndpointHardeningTests {
  struct Hello: EndpointHandler {
    func respond(to request: EndpointRequest) async -> EndpointResponse { .text("hello", status: 200) }
  }

  /// Answers after `delay`, longer than any of the limits in these tests.
  struct Slow: EndpointHandler {
    let delay: Duration
    func respond(to request: EndpointRequest) async -> EndpointResponse {
      try? await Task.sleep(for: delay)
      return .text("slow but sure", status: 200)
    }
  }

  /// Answers once the test opens the gate.
  struct Gated: EndpointHandler {
    let gate: Gate
    func respond(to request: EndpointRequest) async -> EndpointResponse {
      await gate.pass()
      return .text("let through", status: 200)
    }
  }

  /// Holds callers of ``pass()`` until ``open()``; counts who is waiting.
  actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    var waitingCount: Int { waiting.count }

    func pass() async {
      if isOpen { return }
      await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
      isOpen = true
      waiting.forEach { $0.resume() }
      waiting = []
    }
  }

  static let hour = Duration.seconds(3600)
  static let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

  func start(
    _ handler: any EndpointHandler = Hello(), idle: Duration = hour, header: Duration = hour, body: Duration = hour,
    connections: Int = 128
  ) async throws -> LoopbackHTTPServer {
    try await LoopbackHTTPServer.start(
      handler: handler,
      limits: .init(idleTimeout: idle, headerTimeout: header, bodyTimeout: body, maximumConnections: connections))
  }

  // MARK: Timeouts

  @Test func anIdleConnectionIsClosed() async throws {
    let server = try await start(idle: .milliseconds(100))
    defer { Task { await server.stop() } }
    let connection = try await LoopbackHTTPConnection.connect(port: server.port)
    #expect(await connection.readResponse().ending == .closed)
  }

  @Test func aKeptAliveConnectionIsClosedOnceIdle() async throws {
    let server = try await start(idle: .milliseconds(200))
    defer { Task { await server.stop() } }
    let connection = try await LoopbackHTTPConnection.connect(port: server.port, sending: Self.request)
    #expect(await connection.readResponse().text.hasPrefix("HTTP/1.1 200 OK"))
    #expect(await connection.readResponse().ending == .closed)
  }

  @Test func aHeadThatNeverEndsIsCutOffByTheHeaderTimeout() async throws {
    let server = try await start(header: .milliseconds(100))
    defer { Task { await server.stop() } }
    let connection = try await LoopbackHTTPConnection.connect(port: server.port)
    await connection.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    #expect(await connection.readResponse().ending == .closed)
  }

  @Test func aBodyThatNeverEndsIsCutOffByTheBodyTimeout() async throws {
    let server = try await start(body: .milliseconds(100))
    defer { Task { await server.stop() } }
    let connection = try await LoopbackHTTPConnection.connect(port: server.port)
    await connection.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nx")
    #expect(await connection.readResponse().ending == .closed)
  }

  @Test func answeringHasNoTimeLimit() async throws {
    // The handler may be waiting for someone to type an MFA code.
    let limit = Duration.milliseconds(50)
    let server = try await start(Slow(delay: .milliseconds(300)), idle: limit, header: limit, body: limit)
    defer { Task { await server.stop() } }
    let connection = try await LoopbackHTTPConnection.connect(port: server.port, sending: Self.request)
    let answer = await connection.readResponse().text
    #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
    #expect(answer.hasSuffix("slow but sure\n"))
  }

  // MARK: Connection cap

  @Test func atTheCapANewConnectionReplacesTheLongestWaitingOne() async throws {
    let server = try await start(connections: 2)
    defer { Task { await server.stop() } }
    let oldest = try await LoopbackHTTPConnection.connect(port: server.port)
    // The server has registered a connection once it answers on it.
    #expect(await oldest.exchange(Self.request).hasPrefix("HTTP/1.1 200 OK"))
    let second = try await LoopbackHTTPConnection.connect(port: server.port)
    #expect(await second.exchange(Self.request).hasPrefix("HTTP/1.1 200 OK"))
    let newest = try await LoopbackHTTPConnection.connect(port: server.port)
    #expect(await newest.exchange(Self.request).hasPrefix("HTTP/1.1 200 OK"))
    #expect(await oldest.readResponse().ending == .closed)
    #expect(await second.exchange(Self.request).hasPrefix("HTTP/1.1 200 OK"))
  }

  @Test func hundredsOfIdleConnectionsDoNotLockOutAClient() async throws {
    let server = try await start(connections: 16)
    defer { Task { await server.stop() } }
    var idle: [LoopbackHTTPConnection] = []
    for _ in 0..<200 { idle.append(try await LoopbackHTTPConnection.connect(port: server.port)) }
    let client = try await LoopbackHTTPConnection.connect(port: server.port)
    #expect(await client.exchange(Self.request).hasPrefix("HTTP/1.1 200 OK"))
    #expect(idle.count == 200)
  }

  @Test func theRegistryRefusesOnlyWhenEveryConnectionIsBusy() async throws {
    let gate = Gate()
    let server = try await start(Gated(gate: gate), connections: 1)
    defer { Task { await server.stop() } }
    let busy = try await LoopbackHTTPConnection.connect(port: server.port, sending: Self.request)
    // Once the handler holds the only connection, there is no room for another.
    for _ in 0..<3000 where await gate.waitingCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
    #expect(await gate.waitingCount == 1)
    let other = try await LoopbackHTTPConnection.connect(port: server.port)
    let refused = await other.exchange(Self.request)
    #expect(refused.isEmpty, "\(refused)")
    await gate.open()
    #expect(await busy.readResponse().text.hasPrefix("HTTP/1.1 200 OK"))
  }

  // MARK: Host header

  @Test(arguments: [
    "127.0.0.1", "127.0.0.1:8080", "127.1.2.3", "localhost", "LocalHost.", "localhost:12319", "app.localhost",
    "[::1]", "[::1]:80", "169.254.169.254", "[fd00:ec2::254]",
  ])
  func loopbackAndMetadataHostsAreAnswered(_ host: String) {
    #expect(AllowedHosts(boundHost: "127.0.0.1").allows(host))
  }

  @Test(arguments: [
    "evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "169.254.169.254.nip.io", "", "0.0.0.0",
    "[::ffff:7f00:1]", "127.0.0.1 evil", "1.2.3.4",
  ])
  func otherHostsAreRefused(_ host: String) {
    #expect(!AllowedHosts(boundHost: "127.0.0.1").allows(host))
  }

  @Test func theServersOwnAddressIsAnswered() {
    #expect(AllowedHosts(boundHost: "169.254.170.2").allows("169.254.170.2:80"))
    #expect(AllowedHosts(boundHost: "::1").allows("[::1]:9"))
  }

  @Test func aRebindingNameGets403OverTheWire() async throws {
    let server = try await start()
    defer { Task { await server.stop() } }
    let connection = try await LoopbackHTTPConnection.connect(port: server.port)
    let refused = await connection.exchange("GET / HTTP/1.1\r\nHost: attacker.example:\(server.port)\r\n\r\n")
    #expect(refused.hasPrefix("HTTP/1.1 403 Forbidden"))
    #expect(refused.contains(#"the Host header "attacker.example:"#))
    #expect(await connection.exchange(Self.request).hasPrefix("HTTP/1.1 200 OK"))
  }

  // MARK: Management calls from web pages

  func managementAPI(token: String? = nil) throws -> (ManagementAPIHandler, CredentialServerHandlerTests.World) {
    let world = try CredentialServerHandlerTests.World()
    return (ManagementAPIHandler(switchboard: world.switchboard, token: token), world)
  }

  @Test(arguments: [
    nil, "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain;charset=UTF-8",
    "TEXT/PLAIN", "",
  ])
  func postsAWebPageCouldSendAreRefused(_ contentType: String?) async throws {
    let (api, world) = try managementAPI()
    let headers = contentType.map { [(name: "Content-Type", value: $0)] } ?? []
    for path in ["/profile", "/refresh"] {
      let response = await api.respond(
        to: EndpointRequest(method: "POST", path: path, headers: headers, body: Array("beta".utf8)))
      #expect(response.status == 415)
    }
    #expect(await world.switchboard.activeProfile == nil)
  }

  @Test func aJSONStringSelectsTheProfile() async throws {
    let (api, world) = try managementAPI()
    let response = await api.respond(
      to: EndpointRequest(
        method: "POST", path: "/profile", headers: [("Content-Type", "application/json")],
        body: Array(#""beta""#.utf8)))
    #expect(response.status == 200)
    #expect(await world.switchboard.activeProfile?.name == "beta")
    let broken = await api.respond(
      to: EndpointRequest(
        method: "POST", path: "/profile", headers: [("Content-Type", "application/json")],
        body: Array(#""beta"#.utf8)))
    #expect(broken.status == 400)
  }

  @Test func withTheTokenAnyContentTypeIsFine() async throws {
    let (api, world) = try managementAPI(token: "t0ken")
    let response = await api.respond(
      to: EndpointRequest(
        method: "POST", path: "/profile",
        headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "t0ken")],
        body: Array("beta".utf8)))
    #expect(response.status == 200)
    #expect(await world.switchboard.activeProfile?.name == "beta")
  }
}

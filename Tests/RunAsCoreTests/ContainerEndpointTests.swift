import Foundation
import TestSupport
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
    let connection = try await LoopbackHTTPConnection.connect(port: server.port)
    let first = await connection.exchange(
      "GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: sekrit\r\n\r\n")
    let second = await connection.exchange("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    let third = await connection.exchange(
      "POST /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(big.utf8.count)\r\n\r\n\(big)")
    await server.stop()
    #expect(first.hasPrefix("HTTP/1.1 200 OK"))
    #expect(first.contains("ASIAEXAMPLE"))
    #expect(second.hasPrefix("HTTP/1.1 401 Unauthorized"))
    #expect(third.hasPrefix("HTTP/1.1 413 Payload Too Large"))
  }
}

import Foundation
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

  @Test func realSocketServesKeepAliveRequestsAndRejectsHugeBodies() async throws {
    let server = try await LoopbackHTTPServer.start(handler: handler())
    defer { Task { await server.stop() } }
    let connection = try RawHTTP(port: server.port)
    let big = String(repeating: "x", count: LoopbackHTTPServer.maximumBodySize + 1)
    // Three requests, one after the other, on one kept-alive connection.
    let first = try connection.exchange("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: sekrit\r\n\r\n")
    let second = try connection.exchange("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    let third = try connection.exchange(
      "POST /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(big.utf8.count)\r\n\r\n\(big)")
    #expect(first.hasPrefix("HTTP/1.1 200 OK"))
    #expect(first.contains("ASIAEXAMPLE"))
    #expect(second.hasPrefix("HTTP/1.1 401 Unauthorized"))
    #expect(third.hasPrefix("HTTP/1.1 413 Payload Too Large"))
  }
}

/// A minimal blocking HTTP/1.1 connection over a loopback socket.
final class RawHTTP {
  private let fd: Int32

  init(port: Int) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(fd) }

  /// Sends `request` and reads one response (headers plus a Content-Length body).
  func exchange(_ request: String) throws -> String {
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { break }
      sent += n
    }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let text = String(decoding: received, as: UTF8.self)
      if let end = text.range(of: "\r\n\r\n") {
        let head = text[..<end.lowerBound].lowercased()
        let length =
          head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
          .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        if text.utf8.count - text[..<end.upperBound].utf8.count >= length { return text }
      }
      let n = recv(fd, &buffer, buffer.count, 0)
      if n <= 0 { return text }
      received += buffer[0..<n]
    }
  }
}

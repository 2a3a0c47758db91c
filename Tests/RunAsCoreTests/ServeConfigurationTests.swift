import Foundation
import Logging
import TestSupport
import Testing

@testable import RunAsCore

/// `serve`'s address, URL and token from its flag and the environment.
@Suite("Serve configuration")
struct ServeConfigurationTests {
  @Test func ecsDefaultsToTheGoToolsPortOnLoopback() throws {
    let configuration = try ServeConfiguration(mode: .ecs, port: nil, environment: [:])
    #expect(configuration.address == ServeAddress(host: "127.0.0.1", port: 12319, path: "/credentials"))
    #expect(configuration.address.url == "http://127.0.0.1:12319/credentials")
    #expect(configuration.token == nil)
    #expect(try ServeConfiguration(mode: .ecs, port: 0, environment: [:]).address.port == 0)
  }

  @Test func ecsTakesTheFullURIWithCredentialsAsTheDefaultPath() throws {
    let given = try ServeConfiguration(
      mode: .ecs, port: 1, environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.2:8080/creds"])
    #expect(given.address == ServeAddress(host: "127.0.0.2", port: 8080, path: "/creds"))
    for uri in ["http://localhost:9000", "http://localhost:9000/"] {
      let bare = try ServeConfiguration(
        mode: .ecs, port: nil, environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])
      #expect(bare.address == ServeAddress(host: "localhost", port: 9000, path: "/credentials"))
    }
  }

  @Test(arguments: [
    (ServeMode.ecs, "AWS_CONTAINER_CREDENTIALS_FULL_URI"), (ServeMode.ec2, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
  ])
  func aURLThatIsNotPlainHTTPIsRefused(_ mode: ServeMode, _ variable: String) {
    #expect(throws: CredentialServerError.self) {
      try ServeConfiguration(mode: mode, port: nil, environment: [variable: "https://127.0.0.1/"])
    }
  }

  @Test func ecsRefusesAPortOutOfRange() {
    #expect(throws: CredentialServerError(message: "port 65536 is out of range 0-65535")) {
      try ServeConfiguration(mode: .ecs, port: 65536, environment: [:])
    }
    #expect(throws: CredentialServerError.self) { try ServeConfiguration(mode: .ecs, port: -1, environment: [:]) }
  }

  @Test func ec2DefaultsToTheRealMetadataAddressAndTakesALoopbackPort() throws {
    #expect(try ServeConfiguration(mode: .ec2, port: nil, environment: [:]).address == .instanceMetadata)
    #expect(try ServeConfiguration(mode: .ec2, port: -1, environment: [:]).address == .instanceMetadata)
    #expect(
      try ServeConfiguration(mode: .ec2, port: 0, environment: [:]).address
        == ServeAddress(host: "127.0.0.1", port: 0, path: "/"))
    #expect(throws: CredentialServerError.self) { try ServeConfiguration(mode: .ec2, port: 70000, environment: [:]) }
  }

  @Test func ec2TakesTheMetadataEndpointWithTheRootPath() throws {
    let configuration = try ServeConfiguration(
      mode: .ec2, port: 5, environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[::1]:8081/latest"])
    #expect(configuration.address == ServeAddress(host: "::1", port: 8081, path: "/"))
    #expect(configuration.address.url == "http://[::1]:8081/")
    #expect(configuration.address.baseURL == "http://[::1]:8081")
  }

  @Test(arguments: [
    ("http://host", ServeAddress(host: "host", port: 80, path: "")),
    ("http://host:81/a/b", ServeAddress(host: "host", port: 81, path: "/a/b")),
    ("http://[fe80::1]/x", ServeAddress(host: "fe80::1", port: 80, path: "/x")),
    ("http://[::1]:0", ServeAddress(host: "::1", port: 0, path: "")),
  ])
  func urlsAreSplitIntoHostPortAndPath(_ text: String, _ address: ServeAddress) {
    #expect(ServeAddress.parse(text) == address)
  }

  @Test(arguments: [
    "https://host/", "host:80", "http://", "http://:80/", "http://host:port/", "http://host:65536/", "http://[::1/",
  ])
  func malformedURLsAreRefused(_ text: String) {
    #expect(ServeAddress.parse(text) == nil)
  }

  @Test func theTokenComesFromTheVariableThenTheFile() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("token").path
    try "  from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
    let both = ["AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-variable", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file]
    #expect(try ServeConfiguration(mode: .ecs, port: nil, environment: both).token == "from-variable")
    let fileOnly = ["AWS_CONTAINER_AUTHORIZATION_TOKEN": "", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file]
    #expect(try ServeConfiguration(mode: .ec2, port: nil, environment: fileOnly).token == "from-file")
    try " \n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try ServeConfiguration(mode: .ecs, port: nil, environment: fileOnly).token == nil)
    let missing = ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": directory.appendingPathComponent("none").path]
    #expect(throws: CredentialServerError.self) { try ServeConfiguration(mode: .ecs, port: nil, environment: missing) }
  }
}

/// `serve`'s server over real loopback sockets.
@Suite("Credential server")
struct CredentialServerStartTests {
  typealias World = CredentialServerHandlerTests.World

  @Test(.timeLimit(.minutes(2)))
  func ecsServesTheActiveProfileWithTheTokenAndTheManagementAPI() async throws {
    let world = try World()
    try await world.switchboard.activate("alpha")
    let configuration = try ServeConfiguration(
      mode: .ecs, port: 0, environment: ["AWS_CONTAINER_AUTHORIZATION_TOKEN": "sekrit"])
    let server = try await CredentialServer.start(
      configuration, switchboard: world.switchboard, environment: world.environment, logger: world.logger)
    #expect(server.address.host == "127.0.0.1" && server.address.port > 0 && server.address.path == "/credentials")
    let connection = try await LoopbackHTTPConnection.connect(port: server.address.port)
    let credentials = await connection.exchange(
      "GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: sekrit\r\n\r\n")
    let refused = await connection.exchange("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    let profile = await connection.exchange(
      "GET /profile HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: sekrit\r\n\r\n")
    await server.stop()
    #expect(credentials.hasPrefix("HTTP/1.1 200 OK") && credentials.contains("ASIAALPHA"))
    #expect(refused.hasPrefix("HTTP/1.1 401"))
    #expect(profile.hasPrefix("HTTP/1.1 200 OK") && profile.contains(#""name":"alpha""#))
  }

  @Test(.timeLimit(.minutes(2)))
  func theMetadataAddressFallsBackToALoopbackPortWhenItCannotBeAdded() async throws {
    let world = try World()
    try await world.switchboard.activate("beta")
    let configuration = try ServeConfiguration(mode: .ec2, port: nil, environment: [:])
    #expect(configuration.address == .instanceMetadata)
    let server = try await CredentialServer.start(
      configuration, switchboard: world.switchboard, environment: world.environment, logger: world.logger,
      mayAddMetadataAddress: false)
    #expect(server.address.host == "127.0.0.1" && server.address.port > 0 && server.address.path == "/")
    let path = InstanceMetadataHandler.credentialsPath
    let connection = try await LoopbackHTTPConnection.connect(port: server.address.port)
    let listing = await connection.exchange("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    let credentials = await connection.exchange("GET \(path)beta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await server.stop()
    #expect(listing.hasSuffix("\r\n\r\nbeta"))
    #expect(credentials.contains(#""AccessKeyId":"ASIABETA""#))
  }

  @Test(.timeLimit(.minutes(2)))
  func anAddressInUseIsAOneLineError() async throws {
    let world = try World()
    let first = try await CredentialServer.start(
      ServeConfiguration(mode: .ecs, port: 0, environment: [:]), switchboard: world.switchboard,
      environment: world.environment, logger: world.logger)
    let taken = try ServeConfiguration(mode: .ecs, port: first.address.port, environment: [:])
    await #expect {
      _ = try await CredentialServer.start(
        taken, switchboard: world.switchboard, environment: world.environment, logger: world.logger)
    } throws: { error in
      (error as? CredentialServerError)?.message.hasPrefix("cannot listen on 127.0.0.1:\(first.address.port): ")
        == true
    }
    await first.stop()
  }
}

import Foundation
import Testing

/// Every credential endpoint serves a user without root, connection after connection (issue 15:
/// an option only root may set on accepted sockets killed each endpoint at its first connection,
/// and tests run as root never saw it). The binaries run as `UnprivilegedUser.current`.
@Suite("Credential endpoints without root")
struct UnprivilegedEndpointTests {
  static let user = UnprivilegedUser.current

  /// The TUI tests' profiles (`dev` among them), handed over to the unprivileged user.
  static func scenario() async throws -> Scenario {
    let scenario = try await Scenario { TUITests.config($0) }
    try await user.prepare(scenario.sandbox)
    return scenario
  }

  /// A shell command that fetches the container endpoint's credentials with curl (on a new
  /// connection, giving up after a minute).
  static let fetchCredentials =
    #"/usr/bin/curl -s -S -m 60 -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI""#

  /// The access key of a container-endpoint credential document.
  static func accessKey(_ document: String) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any]
    return try #require(object?["AccessKeyId"] as? String, "no AccessKeyId in \(document)")
  }

  /// The real user id of process `pid`, from /proc.
  static func uid(of pid: Int32) throws -> String? {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    return status.firstMatch(of: /\nUid:\s+([0-9]+)/).map { String($0.1) }
  }

  @Test func wrappedCommandFetchesCredentialsFromThePrivateEndpointAgainAndAgain() async throws {
    let scenario = try await Self.scenario()
    let script = (1...3).map { _ in Self.fetchCredentials + " && echo" }.joined(separator: " && ") + " && id -u"
    let result = try await scenario.runAs(["dev", "/bin/sh", "-c", script], as: Self.user)
    #expect(result.exitCode == 0, "\(result.output())")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    try #require(lines.count == 4, "\(result.output())")
    #expect(lines.last == "\(Self.user.uid)")
    let keys = try lines.dropLast().map(Self.accessKey)
    #expect(keys.allSatisfy { $0.hasPrefix("ASIA") } && Set(keys).count == 1, "\(keys)")
  }

  @Test func ecsServerServesRequestAfterRequest() async throws {
    let scenario = try await Self.scenario()
    let token = "test-token-\(UUID().uuidString)"
    let server = try await ServeProcess(
      ["serve", "ecs", "-p", "0", "dev"],
      environment: scenario.environment(["AWS_CONTAINER_AUTHORIZATION_TOKEN": token]), as: Self.user)
    #expect(try Self.uid(of: server.pid) == "\(Self.user.uid)")
    // Each request is a curl of its own: a new connection.
    for _ in 1...3 {
      let response = try await server.request("GET", "/credentials", headers: ["Authorization": token])
      #expect(response.status == 200, "\(response.body)\n\(server.log)")
      #expect(try Self.accessKey(response.body).hasPrefix("ASIA"))
    }
    #expect(try await server.request("GET", "/profile", headers: ["Authorization": token]).status == 200)
    #expect(await server.stop() == 0, "\(server.log)")
  }

  @Test func ec2ServerServesRequestAfterRequest() async throws {
    let scenario = try await Self.scenario()
    let server = try await ServeProcess(
      ["serve", "ec2", "-p", "0", "dev"], environment: scenario.environment(), as: Self.user)
    #expect(try Self.uid(of: server.pid) == "\(Self.user.uid)")
    let path = "/latest/meta-data/iam/security-credentials/"
    for _ in 1...3 {
      let token = try await server.request(
        "PUT", "/latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": "60"])
      #expect(token.status == 200, "\(token.body)\n\(server.log)")
      let listed = try await server.request("GET", path, headers: ["X-aws-ec2-metadata-token": token.body])
      #expect(listed.status == 200 && listed.body == "dev", "\(listed.body)")
      let credentials = try await server.request("GET", path + "dev", headers: ["X-aws-ec2-metadata-token": token.body])
      #expect(credentials.status == 200, "\(credentials.body)")
      #expect(try Self.accessKey(credentials.body).hasPrefix("ASIA"))
    }
    #expect(await server.stop() == 0, "\(server.log)")
  }

  @Test func tuiShellFetchesCredentialsFromItsEndpointAgainAndAgain() async throws {
    let scenario = try await Self.scenario()
    let session = try await TUITests.start(scenario, as: Self.user)
    try await session.waitFor("staging")
    try await session.send("j")
    try await session.waitFor("details: dev")
    try await session.send("Enter")
    try await session.waitFor("tui-shell$")
    let fetch = Self.fetchCredentials.replacing("curl -s -S", with: "curl -s -S -o /dev/null -w 'fetch=%{http_code} '")
    try await session.send("for i in 1 2 3; do \(fetch) || break; done; echo \"uid=$(id -u)\"", literal: true)
    try await session.send("Enter")
    let screen = try await session.waitFor("uid=\(Self.user.uid)")
    #expect(screen.contains("fetch=200 fetch=200 fetch=200 uid=\(Self.user.uid)"), "\(screen)")
    try await session.send("exit", literal: true)
    try await session.send("Enter")
    try await session.waitFor("shell for dev exited with status 0")
    try await session.send("q")
    #expect(try await session.waitFor("TUI-EXIT").contains("TUI-EXIT 0"))
  }
}

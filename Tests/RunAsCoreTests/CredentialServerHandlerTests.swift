import Foundation
import Logging
import TestSupport
import Testing

@testable import RunAsCore

/// The serve-mode handlers without sockets: a switchboard over profiles whose keys are temporary
/// (so no STS call is ever made), requests as values.
@Suite("Credential server handlers")
struct CredentialServerHandlerTests {
  /// A sandbox with `alpha`, `beta` (temporary keys, no network) and a role profile `gamma`.
  final class World: Sendable {
    private let temporary: TemporaryDirectory
    let environment: [String: String]
    let switchboard: CredentialSwitchboard
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    var directory: String { temporary.path }

    /// The sandbox, with `extraEnvironment` added to the process environment it describes.
    init(extraEnvironment: [String: String] = [:]) throws {
      temporary = try TemporaryDirectory(prefix: "serve")
      let directory = temporary.path
      try """
      [default]
      region = us-east-1
      [profile gamma]
      source_profile = alpha
      role_arn = arn:aws:iam::123456789012:role/gamma
      """.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
      try """
      [alpha]
      aws_access_key_id = ASIAALPHA
      aws_secret_access_key = alpha-secret
      aws_session_token = alpha-token
      [beta]
      aws_access_key_id = ASIABETA
      aws_secret_access_key = beta-secret
      aws_session_token = beta-token
      """.write(toFile: directory + "/credentials", atomically: true, encoding: .utf8)
      let environment = [
        "HOME": directory, "AWS_CONFIG_FILE": directory + "/config",
        "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
      ].merging(extraEnvironment) { $1 }
      self.environment = environment
      let logger = self.logger
      switchboard = CredentialSwitchboard(prompter: NoPrompter()) {
        try RunAsEngine(environment: environment, logger: logger)
      }
    }

    /// A sandbox whose STS refuses connections (one attempt per call), so `gamma` cannot get
    /// credentials while `alpha` and `beta` still can.
    static func withUnreachableSTS() throws -> World {
      try World(extraEnvironment: ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1"])
    }

    /// An engine over the sandbox's files, as the TUI holds one.
    func engine() throws -> RunAsEngine {
      try RunAsEngine(environment: environment, logger: logger)
    }
  }

  static func request(
    _ method: String, _ path: String, body: String = "", headers: [(name: String, value: String)] = []
  ) -> EndpointRequest {
    EndpointRequest(method: method, path: path, headers: headers, body: Array(body.utf8))
  }

  /// A management call as a script sends it: with a media type no web form can send.
  static func call(_ method: String, _ path: String, body: String = "") -> EndpointRequest {
    request(method, path, body: body, headers: [("Content-Type", "application/octet-stream")])
  }

  static func text(_ response: EndpointResponse) -> String {
    String(decoding: response.body, as: UTF8.self)
  }

  // MARK: ECS routes

  @Test func ecsRoutesServeTheActiveProfileAndOthersByName() async throws {
    let world = try World()
    let handler = ECSCredentialHandler(token: nil, switchboard: world.switchboard)
    #expect(await handler.respond(to: Self.request("GET", "/credentials")).status == 404)
    try await world.switchboard.activate("alpha")
    let active = await handler.respond(to: Self.request("GET", "/credentials"))
    #expect(active.status == 200)
    #expect(Self.text(active).contains(#""AccessKeyId":"ASIAALPHA""#))
    let named = await handler.respond(to: Self.request("GET", "/credentials/beta"))
    #expect(Self.text(named).contains(#""AccessKeyId":"ASIABETA""#))
    #expect(await world.switchboard.activeProfile?.name == "alpha")
  }

  @Test func ecsRoutesRejectBadInput() async throws {
    let world = try World()
    try await world.switchboard.activate("alpha")
    let handler = ECSCredentialHandler(token: "secret", switchboard: world.switchboard)
    let auth = [(name: "Authorization", value: "secret")]
    #expect(await handler.respond(to: Self.request("GET", "/credentials")).status == 401)
    #expect(
      await handler.respond(to: Self.request("GET", "/credentials", headers: [("Authorization", "nope")])).status
        == 401)
    #expect(await handler.respond(to: Self.request("GET", "/credentials", headers: auth)).status == 200)
    let post = await handler.respond(to: Self.request("POST", "/credentials", headers: auth))
    #expect(post.status == 405)
    #expect(post.headers.contains { $0.name == "Allow" })
    #expect(await handler.respond(to: Self.request("GET", "/credentials/nope", headers: auth)).status == 404)
    #expect(await handler.respond(to: Self.request("GET", "/credentials/%G1", headers: auth)).status == 400)
    #expect(await handler.respond(to: Self.request("GET", "/credentials/a/b", headers: auth)).status == 400)
    #expect(await handler.respond(to: Self.request("GET", "/other", headers: auth)).status == 404)
  }

  @Test func ecsPathComesFromTheConfiguredURL() throws {
    let world = try World()
    #expect(ECSCredentialHandler(path: "/creds/", token: nil, switchboard: world.switchboard).path == "/creds")
    #expect(ECSCredentialHandler(path: "", token: nil, switchboard: world.switchboard).path == "/credentials")
  }

  // MARK: Switching

  @Test func afterASwitchReturnsNoRequestGetsTheOldProfile() async throws {
    let world = try World()
    try await world.switchboard.activate("alpha")
    let switchboard = world.switchboard
    let readers = Task {
      await withTaskGroup(of: Void.self) { group in
        for _ in 0..<8 {
          group.addTask {
            for _ in 0..<200 { _ = try? await switchboard.credentials() }
          }
        }
      }
    }
    for round in 0..<20 {
      let name = round.isMultiple(of: 2) ? "beta" : "alpha"
      try await switchboard.activate(name)
      let (served, credentials) = try await switchboard.credentials()
      #expect(served == name)
      #expect(credentials.accessKeyID == (name == "beta" ? "ASIABETA" : "ASIAALPHA"))
    }
    await readers.value
  }

  @Test func aFailedSwitchKeepsTheActiveProfile() async throws {
    let world = try World()
    try await world.switchboard.activate("alpha")
    await #expect(throws: ProfileError.self) { try await world.switchboard.activate("nope") }
    #expect(try await world.switchboard.credentials().profile == "alpha")
  }

  // MARK: Management API

  @Test func managementAPISelectsListsAndRefreshes() async throws {
    let world = try World()
    let api = ManagementAPIHandler(switchboard: world.switchboard, token: nil)
    #expect(await api.respond(to: Self.request("GET", "/profile")).status == 404)
    #expect(await api.respond(to: Self.call("POST", "/refresh")).status == 404)
    let selected = await api.respond(to: Self.call("POST", "/profile", body: "  beta\n"))
    #expect(selected.status == 200)
    #expect(Self.text(selected).hasPrefix(#"{"name":"beta","role_arn":"""#))
    #expect(Self.text(await api.respond(to: Self.request("GET", "/list-roles"))) == #"["gamma"]"#)
    #expect(Self.text(await api.respond(to: Self.request("GET", "/list-profiles"))) == #"["alpha","beta","default"]"#)
    #expect(Self.text(await api.respond(to: Self.call("POST", "/refresh"))) == "success\n")
    #expect(try await world.switchboard.credentials().credentials.accessKeyID == "ASIABETA")
  }

  @Test func managementAPIRejectsBadInput() async throws {
    let world = try World()
    let api = ManagementAPIHandler(switchboard: world.switchboard, token: nil)
    #expect(await api.respond(to: Self.call("POST", "/profile")).status == 400)
    #expect(
      await api.respond(to: Self.call("POST", "/profile", body: String(repeating: "a", count: 257))).status == 413)
    #expect(await api.respond(to: Self.call("POST", "/profile", body: "a]b")).status == 400)
    #expect(await api.respond(to: Self.call("POST", "/profile", body: "nope")).status == 404)
    let invalid = EndpointRequest(
      method: "POST", path: "/profile", headers: [("Content-Type", "application/octet-stream")], body: [0xff, 0xfe])
    #expect(await api.respond(to: invalid).status == 400)
    #expect(await api.respond(to: Self.request("PUT", "/profile")).status == 405)
    #expect(await api.respond(to: Self.request("GET", "/refresh")).status == 405)
    #expect(await api.respond(to: Self.request("DELETE", "/list-roles")).status == 405)
    #expect(await api.respond(to: Self.request("GET", "/nowhere")).status == 404)
    let locked = ManagementAPIHandler(switchboard: world.switchboard, token: "t")
    #expect(await locked.respond(to: Self.request("GET", "/list-roles")).status == 401)
  }

  // MARK: Instance metadata

  final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
  }

  @Test func imdsTokensAreIssuedWithTheirTTLAndChecked() async throws {
    let world = try World()
    try await world.switchboard.activate("alpha")
    let clock = Clock()
    let imds = InstanceMetadataHandler(switchboard: world.switchboard, now: { clock.now })
    let issued = await imds.respond(
      to: Self.request("PUT", "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "60")]))
    #expect(issued.status == 200)
    #expect(issued.headers.contains { $0 == ("X-aws-ec2-metadata-token-ttl-seconds", "60") })
    let token = Self.text(issued)
    let path = InstanceMetadataHandler.credentialsPath + "alpha"
    let withToken = await imds.respond(to: Self.request("GET", path, headers: [("X-aws-ec2-metadata-token", token)]))
    #expect(withToken.status == 200)
    #expect(Self.text(withToken).contains(#""Code":"Success","Type":"AWS-HMAC""#))
    clock.advance(61)
    #expect(
      await imds.respond(to: Self.request("GET", path, headers: [("X-aws-ec2-metadata-token", token)])).status == 401)
    #expect(
      await imds.respond(to: Self.request("GET", path, headers: [("X-aws-ec2-metadata-token", "forged")])).status
        == 401)
    #expect(await imds.respond(to: Self.request("GET", path)).status == 200, "IMDSv1 still works")
  }

  @Test func imdsRejectsBadTokenRequests() async throws {
    let world = try World()
    let imds = InstanceMetadataHandler(switchboard: world.switchboard)
    let ttl = "X-aws-ec2-metadata-token-ttl-seconds"
    #expect(await imds.respond(to: Self.request("PUT", "/latest/api/token")).status == 400)
    #expect(await imds.respond(to: Self.request("PUT", "/latest/api/token", headers: [(ttl, "0")])).status == 400)
    #expect(await imds.respond(to: Self.request("PUT", "/latest/api/token", headers: [(ttl, "21601")])).status == 400)
    #expect(await imds.respond(to: Self.request("PUT", "/latest/api/token", headers: [(ttl, "x")])).status == 400)
    #expect(await imds.respond(to: Self.request("GET", "/latest/api/token")).status == 405)
    #expect(
      await imds.respond(
        to: Self.request("PUT", "/latest/api/token", headers: [(ttl, "60"), ("X-Forwarded-For", "1.2.3.4")])
      ).status == 403)
  }

  @Test func imdsServesOnlyTheActiveProfileByName() async throws {
    let world = try World()
    let imds = InstanceMetadataHandler(switchboard: world.switchboard)
    let base = InstanceMetadataHandler.credentialsPath
    #expect(await imds.respond(to: Self.request("GET", base)).status == 404)
    try await world.switchboard.activate("alpha")
    #expect(Self.text(await imds.respond(to: Self.request("GET", base))) == "alpha")
    try await world.switchboard.activate("beta")
    #expect(Self.text(await imds.respond(to: Self.request("GET", base))) == "beta")
    #expect(await imds.respond(to: Self.request("GET", base + "alpha")).status == 404)
    #expect(Self.text(await imds.respond(to: Self.request("GET", base + "beta"))).contains("ASIABETA"))
    #expect(await imds.respond(to: Self.request("POST", base + "beta")).status == 405)
    #expect(await imds.respond(to: Self.request("GET", "/latest/meta-data/ami-id")).status == 404)
  }

  @Test func routerSendsEachModeItsRoutesOnly() async throws {
    let world = try World()
    let management = ManagementAPIHandler(switchboard: world.switchboard, token: nil)
    let ecs = CredentialServerRouter(
      credentials: .ecs(ECSCredentialHandler(token: nil, switchboard: world.switchboard)), management: management)
    let ec2 = CredentialServerRouter(
      credentials: .ec2(InstanceMetadataHandler(switchboard: world.switchboard)), management: management)
    let tokenRequest = Self.request(
      "PUT", "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "5")])
    #expect(await ecs.respond(to: tokenRequest).status == 404)
    #expect(await ec2.respond(to: tokenRequest).status == 200)
    #expect(await ec2.respond(to: Self.request("GET", "/credentials")).status == 404)
    #expect(await ec2.respond(to: Self.request("GET", "/list-roles")).status == 200)
  }
}

@Suite("Assumable roles in policy documents")
struct AssumableRolesTests {
  @Test func readsAllowStatementsWithExactlyAssumeRole() {
    let document = """
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/admin"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "sts:AssumeRole"],
         "Resource": ["arn:aws:iam::222222222222:role/path/dev", "arn:aws:s3:::bucket", "*"]},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::333333333333:role/denied"},
        {"Effect": "Allow", "Action": "sts:*", "Resource": "arn:aws:iam::444444444444:role/wildcard-action"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::555555555555:user/bob"}
      ]}
      """
    #expect(
      AssumableRoles.roles(inPolicyDocument: document) == [
        "arn:aws:iam::111111111111:role/admin", "arn:aws:iam::222222222222:role/path/dev", "*",
      ])
  }

  @Test func acceptsASingleStatementObject() {
    let document =
      #"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::1:role/x"}}"#
    #expect(AssumableRoles.roles(inPolicyDocument: document) == ["arn:aws:iam::1:role/x"])
  }

  @Test func ignoresDocumentsThatAreNotJSON() {
    #expect(AssumableRoles.roles(inPolicyDocument: "not json").isEmpty)
    #expect(AssumableRoles.roles(inPolicyDocument: "[1, 2]").isEmpty)
  }

  @Test func printableListIsSortedDeduplicatedAndWithoutWildcards() {
    #expect(
      AssumableRoles.printable(["arn:aws:iam::1:role/b", "*", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"])
        == ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"])
  }

  @Test func userNameComesFromAnIAMUserARN() {
    #expect(IdentityListing.userName(fromARN: "arn:aws:iam::123456789012:user/path/alice") == "alice")
    #expect(IdentityListing.userName(fromARN: "arn:aws:sts::123456789012:assumed-role/r/s") == nil)
  }
}

@Suite("Credentials file writer")
struct CredentialsFileWriterTests {
  let entries = [(key: "aws_access_key_id", value: "ASIANEW"), (key: "aws_secret_access_key", value: "new")]

  @Test func appendsTheSectionAndKeepsEverythingElse() {
    let original = "# keys\n[default]\naws_access_key_id   = AKIA\n  ; aligned = yes\n"
    let updated = CredentialsFileWriter.replacingSection("p-awsrunas", with: entries, in: original)
    #expect(updated.hasPrefix(original))
    #expect(updated.hasSuffix("\n\n[p-awsrunas]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n"))
  }

  @Test func replacesOnlyTheKeysOfAnExistingSection() {
    let before = "[a]\nx = 1\n"
    let after = "\n# next\n[b]\ny = 2\n"
    let original = before + "[p-awsrunas]\naws_access_key_id = OLD\n# mine\naws_session_token = OLD\n" + after
    let updated = CredentialsFileWriter.replacingSection("p-awsrunas", with: entries, in: original)
    #expect(
      updated
        == before + "[p-awsrunas]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n# mine\n" + after)
  }

  @Test func handlesAFileWithoutTrailingNewlineAndAnEmptyFile() {
    #expect(
      CredentialsFileWriter.replacingSection("s", with: entries, in: "[a]\nx = 1")
        == "[a]\nx = 1\n\n[s]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n")
    #expect(
      CredentialsFileWriter.replacingSection("s", with: entries, in: "")
        == "[s]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\n")
  }
}

@Suite("Update check")
struct UpdateCheckTests {
  struct FixedTransport: HTTPTransport {
    let response: HTTPResponseData
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData { response }
  }

  static func check(status: Int, location: String?) -> UpdateCheck {
    let headers = location.map { [(name: "Location", value: $0)] } ?? []
    return UpdateCheck(
      environment: ["RUNAS_UPDATE_URL": "http://127.0.0.1:9/releases/latest"], currentVersion: "1.2.3",
      transport: FixedTransport(response: HTTPResponseData(status: status, headers: headers)))
  }

  @Test func sameVersionIsUpToDate() async throws {
    #expect(try await Self.check(status: 302, location: "/releases/tag/v1.2.3").run() == .upToDate(version: "1.2.3"))
  }

  @Test func otherVersionIsOfferedWithAnAbsoluteURL() async throws {
    #expect(
      try await Self.check(status: 302, location: "/releases/tag/2.0.0").run()
        == .newVersion(version: "2.0.0", url: "http://127.0.0.1:9/releases/tag/2.0.0"))
  }

  @Test func anythingButARedirectIsAnError() async throws {
    await #expect(throws: UpdateCheckError.self) { try await Self.check(status: 404, location: nil).run() }
    await #expect(throws: UpdateCheckError.self) { try await Self.check(status: 302, location: nil).run() }
  }
}

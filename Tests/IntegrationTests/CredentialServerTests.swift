import Foundation
import TestSupport
import Testing

/// `serve ecs` and `serve ec2` with real clients (boto3, awscli v1) against the STS emulator:
/// credentials, profile switching while a client keeps asking, IMDSv2 tokens, the management
/// API, bad input, and a burst of requests while the credentials expire.
@Suite("Credential servers", .serialized)
struct CredentialServerTests {
  static func config(_ user: IAMUser) -> String {
    """
    [default]
    region = us-east-1

    [profile alpha]
    source_profile = default
    role_arn = \(Scenario.roleARN("alpha"))

    [profile beta]
    source_profile = default
    role_arn = \(Scenario.roleARN("beta"))
    """
  }

  /// The environment of a client program: only the endpoint variables, no files, no keys.
  static func clientEnvironment(_ scenario: Scenario, _ extra: [String: String]) -> [String: String] {
    var environment = scenario.environment(extra)
    environment["AWS_CONFIG_FILE"] = "/dev/null"
    environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    environment["AWS_DEFAULT_REGION"] = "us-east-1"
    return environment
  }

  @Test func ecsServerServesBoto3AndAwsCLIWithTheAuthorizationToken() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let token = "test-token-\(UUID().uuidString)"
    let server = try await ServeProcess(
      ["serve", "ecs", "-p", "0", "alpha"],
      environment: scenario.environment(["AWS_CONTAINER_AUTHORIZATION_TOKEN": token]))
    let client = Self.clientEnvironment(
      scenario,
      [
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/credentials",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": token,
      ])
    let python = try await run(
      "/usr/bin/env",
      [
        "python3", "-c",
        "import boto3; s = boto3.Session(); print(s.get_credentials().method, s.client('sts').get_caller_identity()['Arn'])",
      ],
      environment: client)
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout.hasPrefix("container-role arn:aws:sts::123456789012:assumed-role/alpha/"))
    let cli = try await run(
      "/usr/bin/env", ["aws", "sts", "get-caller-identity", "--output", "text"], environment: client)
    #expect(cli.exitCode == 0, "\(cli.output())")
    #expect(cli.stdout.contains("assumed-role/alpha/"))

    #expect(try await server.request("GET", "/credentials").status == 401)
    #expect(try await server.request("GET", "/credentials", headers: ["Authorization": "wrong"]).status == 401)
    #expect(try await server.request("GET", "/profile").status == 401)
    #expect(try await server.request("GET", "/profile", headers: ["Authorization": token]).status == 200)
  }

  @Test func switchingProfilesWhileAClientKeepsAskingNeverServesTheOldProfile() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let server = try await ServeProcess(["serve", "ecs", "-p", "0", "alpha"], environment: scenario.environment())
    // A poller thread fetches credentials through botocore's container provider (a new fetch each
    // time) while the main thread switches to beta; every fetch that starts after the switch has
    // returned must carry beta's keys, and those keys must be beta's role.
    let script = """
      import threading, time, urllib.request, json, boto3
      from botocore.credentials import ContainerProvider
      base = '\(server.baseURL)'
      polls, stop = [], threading.Event()
      def poll():
          while not stop.is_set():
              started = time.monotonic()
              creds = ContainerProvider().load().get_frozen_credentials()
              polls.append((started, creds))
      threads = [threading.Thread(target=poll) for _ in range(4)]
      for t in threads: t.start()
      time.sleep(0.5)
      urllib.request.urlopen(urllib.request.Request(
          base + '/profile', data=b'"beta"', method='POST', headers={'Content-Type': 'application/json'})).read()
      switched = time.monotonic()
      time.sleep(0.5)
      stop.set()
      for t in threads: t.join()
      before = {c.access_key for s, c in polls if s < switched}
      after = [c for s, c in polls if s > switched]
      assert after, 'no polls after the switch'
      keys = {c.access_key for c in after}
      assert len(keys) == 1, keys
      c = after[-1]
      sts = boto3.client('sts', aws_access_key_id=c.access_key, aws_secret_access_key=c.secret_key, aws_session_token=c.token)
      old = [c for s, c in polls if s < switched][0]
      old_sts = boto3.client('sts', aws_access_key_id=old.access_key, aws_secret_access_key=old.secret_key, aws_session_token=old.token)
      print(len(after), sts.get_caller_identity()['Arn'], old_sts.get_caller_identity()['Arn'])
      """
    let result = try await run(
      "/usr/bin/env", ["python3", "-c", script],
      environment: Self.clientEnvironment(
        scenario, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/credentials"]))
    #expect(result.exitCode == 0, "\(result.output())\n\(server.log)")
    let fields = result.stdout.split(separator: " ").map(String.init)
    #expect(fields.count == 3)
    #expect(fields.dropFirst().first?.contains("assumed-role/beta/") == true, "\(result.stdout)")
    #expect(fields.last?.contains("assumed-role/alpha/") == true, "\(result.stdout)")
    // awscli, a new process per call, sees beta too.
    let cli = try await run(
      "/usr/bin/env", ["aws", "sts", "get-caller-identity", "--output", "text"],
      environment: Self.clientEnvironment(
        scenario, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/credentials"]))
    #expect(cli.stdout.contains("assumed-role/beta/"), "\(cli.output())")
  }

  @Test func ec2ServerServesIMDSv2AndV1ClientsAndSwitches() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let server = try await ServeProcess(["serve", "ec2", "-p", "0", "alpha"], environment: scenario.environment())
    var client = Self.clientEnvironment(
      scenario, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL + "/"])
    client["AWS_EC2_METADATA_DISABLED"] = nil
    let script = """
      import boto3
      s = boto3.Session()
      print(s.get_credentials().method, s.client('sts').get_caller_identity()['Arn'])
      """
    let first = try await run("/usr/bin/env", ["python3", "-c", script], environment: client)
    #expect(first.exitCode == 0, "\(first.output())")
    #expect(first.stdout.hasPrefix("iam-role arn:aws:sts::123456789012:assumed-role/alpha/"), "\(first.output())")

    let switched = try await server.request("POST", "/profile", body: "beta", headers: Self.script)
    #expect(switched.status == 200, "\(switched.body)")
    let second = try await run("/usr/bin/env", ["python3", "-c", script], environment: client)
    #expect(second.stdout.hasPrefix("iam-role arn:aws:sts::123456789012:assumed-role/beta/"), "\(second.output())")
    let cli = try await run(
      "/usr/bin/env", ["aws", "sts", "get-caller-identity", "--output", "text"], environment: client)
    #expect(cli.stdout.contains("assumed-role/beta/"), "\(cli.output())")

    // IMDSv2 tokens are real: issued with a TTL and checked.
    let token = try await server.request(
      "PUT", "/latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": "60"])
    #expect(token.status == 200)
    #expect(token.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "60")
    let path = "/latest/meta-data/iam/security-credentials/"
    let listed = try await server.request("GET", path, headers: ["X-aws-ec2-metadata-token": token.body])
    #expect(listed.status == 200 && listed.body == "beta")
    #expect(
      try await server.request("GET", path + "beta", headers: ["X-aws-ec2-metadata-token": "forged"]).status == 401)
    #expect(try await server.request("GET", path + "beta").status == 200)
    #expect(try await server.request("GET", path + "alpha").status == 404)
    #expect(try await server.request("GET", "/latest/api/token").status == 405)
    #expect(try await server.request("PUT", "/latest/api/token").status == 400)
  }

  /// The header a script sends with management calls: a media type no web form can send.
  static let script = ["Content-Type": "application/octet-stream"]

  @Test func managementAPIAnswersBadInputWithStatusCodesAndKeepsServing() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let server = try await ServeProcess(["serve", "ecs", "-p", "0"], environment: scenario.environment())
    #expect(try await server.request("GET", "/credentials").status == 404)
    #expect(try await server.request("GET", "/profile").status == 404)
    #expect(try await server.request("POST", "/profile", body: "", headers: Self.script).status == 400)
    #expect(
      try await server.request("POST", "/profile", body: String(repeating: "x", count: 300), headers: Self.script)
        .status == 413)
    #expect(
      try await server.request("POST", "/profile", body: String(repeating: "x", count: 200_000), headers: Self.script)
        .status == 413)
    let unknown = try await server.request("POST", "/profile", body: "nope", headers: Self.script)
    #expect(unknown.status == 404)
    #expect(unknown.body.contains("profile \"nope\" not found"))
    #expect(try await server.request("DELETE", "/profile").status == 405)
    #expect(try await server.request("GET", "/refresh").status == 405)
    #expect(try await server.request("POST", "/refresh", headers: Self.script).status == 404)
    #expect(try await server.request("POST", "/credentials", headers: Self.script).status == 405)
    #expect(try await server.request("GET", "/credentials/nope").status == 404)
    #expect(try await server.request("GET", "/credentials/%zz").status == 400)
    #expect(try await server.request("GET", "/elsewhere").status == 404)
    #expect(try await server.request("POST", "/list-roles", headers: Self.script).status == 405)

    #expect(try await server.request("GET", "/list-roles").body == #"["alpha","beta"]"#)
    #expect(try await server.request("GET", "/list-profiles").body == #"["default"]"#)
    let selected = try await server.request("POST", "/profile", body: "alpha\n", headers: Self.script)
    #expect(selected.status == 200)
    #expect(selected.body.contains(#""role_arn":"arn:aws:iam::123456789012:role/alpha""#))
    #expect(try await server.request("GET", "/credentials").status == 200)
    let other = try await server.request("GET", "/credentials/beta")
    #expect(other.status == 200)
    #expect(try await server.request("GET", "/profile").body.contains(#""name":"alpha""#))
    #expect(try await server.request("POST", "/refresh", headers: Self.script).body == "success\n")
    #expect(await server.stop() == 0)
  }

  @Test func burstOfRequestsWhileCredentialsExpireMakesExactlyOneSTSCall() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { Self.config($0) }
    #expect(try await scenario.runAs(["-O", "json", "alpha"]).exitCode == 0)
    // The cached role credentials now expire in 5 minutes: inside the 10-minute refresh margin.
    let cache = scenario.sandbox.path(".aws/.aws_assume_role_alpha")
    var document = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cache))) as? [String: Any])
    let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(300))
    document["Expiration"] = soon
    try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: cache))
    let oldKey = try #require(document["AccessKeyId"] as? String)
    try await emulator.reset()
    // Widen the window in which requests overlap the refresh (not a timing assertion).
    try await emulator.injectFault(action: "AssumeRole", delaySeconds: 0.5)

    let server = try await ServeProcess(["serve", "ecs", "-p", "0", "alpha"], environment: scenario.environment())
    #expect(try await emulator.calls() == [:], "serving cached credentials at start needs no call")
    let script = """
      import json, sys, threading, urllib.request
      url, keys, errors = sys.argv[1], [], []
      barrier = threading.Barrier(100, timeout=60)
      def fetch():
          barrier.wait()
          try:
              keys.append(json.load(urllib.request.urlopen(url, timeout=30))['AccessKeyId'])
          except Exception as error:
              errors.append(str(error))
      threads = [threading.Thread(target=fetch) for _ in range(100)]
      for t in threads: t.start()
      for t in threads: t.join()
      print(len(keys), len(errors), ' '.join(sorted(set(keys))))
      """
    let result = try await run(
      "/usr/bin/env", ["python3", "-c", script, server.baseURL + "/credentials"], environment: scenario.environment())
    #expect(result.exitCode == 0, "\(result.output())")
    let fields = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
    #expect(fields.count == 3, "\(result.stdout)")
    #expect(fields.first == "100" && fields.dropFirst().first == "0", "\(result.stdout)")
    #expect(fields.last.map(String.init) != oldKey, "the renewed credentials are served")
    #expect(try await emulator.calls() == ["AssumeRole": 1])
  }
}

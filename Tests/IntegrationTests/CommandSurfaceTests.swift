import Foundation
import RunAsCore
import TestSupport
import Testing

/// `list roles`, `list mfa`, `update`, `-c` and shell completion, with the real binary against
/// the emulator (and a loopback release page for `update`).
@Suite("List, update, write-credentials and completion")
struct CommandSurfaceTests {
  static func policy(_ roles: [String], action: String = "sts:AssumeRole") -> [String: Any] {
    ["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Action": action, "Resource": roles]]]
  }

  static func json(_ value: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
  }

  static func role(_ name: String) -> String { Scenario.roleARN(name) }

  @Test func listRolesCrawlsInlineAttachedAndGroupPolicies() async throws {
    let id = UUID().uuidString.prefix(8).lowercased()
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let user = scenario.user.userArn.split(separator: "/").last.map(String.init) ?? ""
    let account = "123456789012"
    try await scenario.emulator.iam([
      [
        "op": "put_user_policy",
        "args": [
          "UserName": user, "PolicyName": "inline",
          "PolicyDocument": try Self.json(Self.policy([Self.role("user-inline-\(id)"), "*"])),
        ],
      ],
      [
        "op": "create_policy",
        "args": [
          "PolicyName": "user-managed-\(id)",
          "PolicyDocument": try Self.json(Self.policy([Self.role("user-managed-v1-\(id)")])),
        ],
      ],
      [
        "op": "create_policy_version",
        "args": [
          "PolicyArn": "arn:aws:iam::\(account):policy/user-managed-\(id)",
          "PolicyDocument": try Self.json(Self.policy([Self.role("user-managed-v2-\(id)")])), "SetAsDefault": true,
        ],
      ],
      [
        "op": "attach_user_policy",
        "args": ["UserName": user, "PolicyArn": "arn:aws:iam::\(account):policy/user-managed-\(id)"],
      ],
      ["op": "create_group", "args": ["GroupName": "ops-\(id)"]],
      ["op": "add_user_to_group", "args": ["GroupName": "ops-\(id)", "UserName": user]],
      [
        "op": "put_group_policy",
        "args": [
          "GroupName": "ops-\(id)", "PolicyName": "group-inline",
          "PolicyDocument": try Self.json(Self.policy([Self.role("group-inline-\(id)")])),
        ],
      ],
      [
        "op": "create_policy",
        "args": [
          "PolicyName": "group-managed-\(id)",
          "PolicyDocument": try Self.json(
            Self.policy([Self.role("group-managed-\(id)"), Self.role("user-inline-\(id)")])),
        ],
      ],
      [
        "op": "attach_group_policy",
        "args": ["GroupName": "ops-\(id)", "PolicyArn": "arn:aws:iam::\(account):policy/group-managed-\(id)"],
      ],
      [
        "op": "create_policy",
        "args": [
          "PolicyName": "wildcard-\(id)",
          "PolicyDocument": try Self.json(Self.policy([Self.role("not-listed-\(id)")], action: "sts:*")),
        ],
      ],
      [
        "op": "attach_group_policy",
        "args": ["GroupName": "ops-\(id)", "PolicyArn": "arn:aws:iam::\(account):policy/wildcard-\(id)"],
      ],
    ])
    let expected = [
      "group-inline-\(id)", "group-managed-\(id)", "user-inline-\(id)", "user-managed-v2-\(id)",
    ].map { "  " + Self.role($0) }.sorted()
    for arguments in [["list", "roles"], ["-l"], ["ls", "roles", "default"]] {
      let result = try await scenario.runAs(arguments)
      #expect(result.exitCode == 0, "\(result.output())")
      #expect(result.stdout == "Available role ARNs for \(user)\n" + expected.joined(separator: "\n") + "\n")
    }
  }

  @Test func listMFAPrintsTheUsersDevice() async throws {
    let scenario = try await Scenario(mfa: true) { user in
      "[default]\nregion = us-east-1\n[profile admin]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("admin"))\n"
    }
    let serial = try #require(scenario.user.mfaSerial)
    for arguments in [["list", "mfa"], ["-m", "admin"]] {
      let result = try await scenario.runAs(arguments)
      #expect(result.exitCode == 0, "\(result.output())")
      #expect(result.stdout == serial + "\n")
    }
  }

  @Test func listMFAWithAnMFAProfileUsesItsSessionToken() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator, mfa: true) { user in
      "[default]\nregion = us-east-1\nmfa_serial = \(user.mfaSerial ?? "")\n"
    }
    let result = try await scenario.runAs(["-o", try await scenario.mfaCode(), "list", "mfa"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout == (scenario.user.mfaSerial ?? "") + "\n")
    #expect(try await emulator.calls()["GetSessionToken"] == 1)
  }

  @Test func listingIsRefusedForARoleARN() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try await scenario.runAs(["list", "roles", Scenario.roleARN("x")])
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("profile looks like an ARN"))
  }

  // MARK: update

  struct ReleasePage: EndpointHandler {
    let status: Int
    let location: String?
    func respond(to request: EndpointRequest) async -> EndpointResponse {
      guard request.method == "HEAD", request.path == "/releases/latest" else { return .text("no", status: 400) }
      return EndpointResponse(status: status, headers: location.map { [("Location", $0)] } ?? [])
    }
  }

  @Test func updateSaysUpToDateOrNamesTheNewVersion() async throws {
    let sandbox = try Sandbox()
    let cases: [(ReleasePage, [String], Int32, String)] = [
      (
        ReleasePage(status: 302, location: "/releases/tag/v\(RunAsCore.version)"), ["-u"], 0,
        "aws-runas is up to date (\(RunAsCore.version))\n"
      ),
      (
        ReleasePage(status: 302, location: "/releases/tag/99.0.0"), ["update"], 0,
        "New version of aws-runas available: 99.0.0\nDownload available at: http://127.0.0.1:PORT/releases/tag/99.0.0\n"
      ),
      (ReleasePage(status: 404, location: nil), ["-u"], 1, ""),
    ]
    for (page, arguments, code, output) in cases {
      let server = try await LoopbackHTTPServer.start(handler: page)
      var environment = sandbox.environment()
      environment["RUNAS_UPDATE_URL"] = "http://127.0.0.1:\(server.port)/releases/latest"
      let result = try await run(runAsBinary(), arguments, environment: environment)
      await server.stop()
      #expect(result.exitCode == code, "\(result.output())")
      #expect(result.stdout == output.replacing("PORT", with: "\(server.port)"))
      if code != 0 { #expect(result.stderr.contains("version check failed, bad HTTP Status: 404")) }
    }
  }

  // MARK: -c

  @Test func writeCredentialsAddsASectionAndKeepsTheRestByteForByte() async throws {
    let scenario = try await Scenario { _ in
      "[default]\nregion = us-east-1\n[profile dev]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("dev"))\n"
    }
    let original =
      try String(contentsOfFile: scenario.sandbox.credentialsFile, encoding: .utf8)
      .replacing("aws_access_key_id =", with: "aws_access_key_id      =")
      + "; a comment the tool must keep\n[other]   \naws_access_key_id=AKIAOTHER\naws_secret_access_key=x\n"
    try scenario.sandbox.writeCredentials(original)
    let first = try await scenario.runAs(["-c", "-O", "json", "dev"])
    #expect(first.exitCode == 0, "\(first.output())")
    #expect(first.stderr.contains("Credentials written to AWS credentials file under profile: dev-awsrunas"))
    let key = try #require(try Scenario.credentialDocument(first)["AccessKeyId"] as? String)
    let written = try String(contentsOfFile: scenario.sandbox.credentialsFile, encoding: .utf8)
    #expect(written.hasPrefix(original))
    #expect(written.contains("[dev-awsrunas]\naws_access_key_id = \(key)\n"))
    let attributes = try FileManager.default.attributesOfItem(atPath: scenario.sandbox.credentialsFile)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

    let second = try await scenario.runAs(["-r", "-c", "-O", "json", "dev"])
    let newKey = try #require(try Scenario.credentialDocument(second)["AccessKeyId"] as? String)
    let rewritten = try String(contentsOfFile: scenario.sandbox.credentialsFile, encoding: .utf8)
    #expect(rewritten.hasPrefix(original))
    #expect(rewritten.components(separatedBy: "[dev-awsrunas]").count == 2)
    #expect(rewritten.contains("aws_access_key_id = \(newKey)\n") && !rewritten.contains(key))
  }

  @Test func writeCredentialsFollowsASymbolicLink() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let real = scenario.sandbox.path("real-credentials")
    try FileManager.default.moveItem(atPath: scenario.sandbox.credentialsFile, toPath: real)
    try FileManager.default.createSymbolicLink(atPath: scenario.sandbox.credentialsFile, withDestinationPath: real)
    let result = try await scenario.runAs(["-c", "default"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scenario.sandbox.credentialsFile) == real)
    #expect(try String(contentsOfFile: real, encoding: .utf8).contains("[default-awsrunas]"))
  }

  // MARK: completion

  @Test func completionListsProfileNamesFromTheConfig() async throws {
    let sandbox = try Sandbox()
    try sandbox.writeConfig("[default]\n[profile zeta]\n[profile alpha]\n[sso-session x]\n")
    try sandbox.writeCredentials("[beta]\naws_access_key_id = a\n")
    let result = try await run(runAsBinary(), ["--generate-bash-completion"], environment: sandbox.environment())
    #expect(result.exitCode == 0)
    #expect(result.stdout == "alpha\nbeta\ndefault\nzeta\n")
  }

  @Test func bashCompletionOffersProfilesSubcommandsAndValues() async throws {
    let sandbox = try Sandbox()
    try sandbox.writeConfig("[default]\n[profile alpha]\n[profile admin]\n")
    let script = STSEmulator.repositoryRoot().appendingPathComponent("completions/aws-runas.bash").path
    var environment = sandbox.environment()
    environment["PATH"] =
      URL(fileURLWithPath: runAsBinary()).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
    func complete(_ words: [String]) async throws -> String {
      let quoted = words.map { "'\($0)'" }.joined(separator: " ")
      let command =
        "source '\(script)'; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _aws_runas; echo \"${COMPREPLY[*]}\""
      let result = try await run("/bin/bash", ["-c", command], environment: environment)
      #expect(result.exitCode == 0, "\(result.output())")
      return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(try await complete(["aws-runas", "a"]) == "admin alpha")
    #expect(try await complete(["aws-runas", "serve", ""]) == "ecs ec2")
    #expect(try await complete(["aws-runas", "serve", "ecs", "al"]) == "alpha")
    #expect(try await complete(["aws-runas", "list", "roles", "d"]) == "default")
    #expect(try await complete(["aws-runas", "-O", ""]) == "env json")
    #expect(try await complete(["aws-runas", "pa"]) == "password")
    #expect(try await complete(["aws-runas", "pw", "al"]) == "alpha")
    #expect(try await complete(["aws-runas", "password", "alpha", ""]) == "")
  }
}

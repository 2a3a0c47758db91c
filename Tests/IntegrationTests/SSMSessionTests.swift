import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `shell`, `forward` and `ssm shell|forward|ssh` with the real binary against the emulator's EC2
/// and SSM, the stand-in `session-manager-plugin` first on PATH: what the plugin receives, that the
/// session is terminated, and one clear line for each kind of bad input.
@Suite("SSM sessions")
struct SSMSessionTests {
  /// A role profile `dev` in us-east-1, the stand-ins on PATH, and instances tagged uniquely.
  struct World {
    let scenario: Scenario
    let log: StandInLog
    let name: String

    init(emulator: STSEmulator? = nil) async throws {
      scenario = try await Scenario(emulator: emulator) { _ in Scenario.roleProfileConfig() }
      log = StandInLog(sandbox: scenario.sandbox)
      name = "web-" + uniqueSuffix()
    }

    var emulator: STSEmulator { scenario.emulator }

    func runAs(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> ProcessResult {
      var environment = log.environment
      for (key, value) in extra { environment[key] = value }
      return try await scenario.runAs(arguments, environment: environment)
    }

    /// The SSM requests for `instanceID`, and the TerminateSessions of their sessions, in order.
    func ssmRequests(for instanceID: String) async throws -> [[String: Any]] {
      let all = try await emulator.ssmRequests()
      let sessions = Set(all.filter { $0.string("target") == instanceID }.compactMap { $0.string("session_id") })
      return all.filter {
        $0.string("target") == instanceID || $0.string("session_id").map(sessions.contains) == true
      }
    }

    /// The one plugin run; fails the test when there is not exactly one.
    func pluginRun() throws -> [String: Any] {
      let runs = try log.runs(of: "session-manager-plugin")
      try #require(runs.count == 1, "plugin runs: \(runs)")
      return runs[0]
    }
  }

  static let pluginPath = StandInLog.directory + "/session-manager-plugin"

  @Test func shellRunsThePluginWithTheAWSCLIContractAndTerminatesTheSession() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let result = try await world.runAs(["-v", "shell", "dev", "Name:\(world.name)"])
    #expect(result.exitCode == 0, "\(result.output())")

    let run = try world.pluginRun()
    let argv = run.strings("argv")
    #expect(
      argv == [
        Self.pluginPath, "AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "",
        "{\"Target\": \"\(instance.instanceId)\"}", world.emulator.endpoint,
      ])
    #expect(run.object("contract")["session_response_env"] as? String == "AWS_SSM_START_SESSION_RESPONSE")
    #expect((run["contract_errors"] as? [Any])?.isEmpty == true)
    let environment = run.object("env")
    let session = try #require(jsonObject(environment.string("AWS_SSM_START_SESSION_RESPONSE")))
    let token = try #require(session["TokenValue"] as? String)
    #expect(!argv.joined(separator: " ").contains(token))
    // Debug logging shows the session, never its token.
    #expect(result.stderr.contains("SSM session \(session["SessionId"] as? String ?? "?") started"))
    #expect(!result.stderr.contains(token))
    // The plugin signs its own SSM calls with the session's credentials, not a profile.
    #expect(environment["AWS_PROFILE"] == nil)
    #expect(environment.string("AWS_ACCESS_KEY_ID")?.isEmpty == false)
    #expect(environment.string("AWS_SESSION_TOKEN")?.isEmpty == false)
    #expect(environment.string("AWS_REGION") == "us-east-1")
    #expect(environment.string("AWSRUNAS_PROFILE") == "dev")

    let requests = try await world.ssmRequests(for: instance.instanceId)
    #expect(requests.map { $0.string("operation") } == ["StartSession", "TerminateSession"])
    #expect(requests.first?.object("request").keys.sorted() == ["Target"])
    #expect(requests.last?.string("session_id") == session["SessionId"] as? String)
    #expect(requests.last?["known"] as? Bool == true)
  }

  @Test func ssmShellTakesTheProfileFromAWSProfileAndAnAddress() async throws {
    let world = try await World()
    let address = randomPrivateAddress()
    let instance = try #require(try await world.emulator.createInstances([["private_ip": address]]).first)
    let result = try await world.runAs(["ssm", "sh", address], ["AWS_PROFILE": "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try world.pluginRun().strings("argv")[5] == "{\"Target\": \"\(instance.instanceId)\"}")
  }

  @Test func forwardStartsAPortForwardingSession() async throws {
    let world = try await World()
    let address = randomPublicAddress()
    let instance = try #require(try await world.emulator.createInstances([["public_ip": address]]).first)
    let result = try await world.runAs(["forward", "-p", "8080", "dev", "\(address):80"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(
      try world.pluginRun().strings("argv")[5]
        == "{\"Target\": \"\(instance.instanceId)\", \"DocumentName\": \"AWS-StartPortForwardingSession\", "
        + "\"Parameters\": {\"portNumber\": [\"80\"], \"localPortNumber\": [\"8080\"]}}")
    let start = try await world.ssmRequests(for: instance.instanceId).first
    #expect(start?.string("document_name") == "AWS-StartPortForwardingSession")
  }

  @Test func ssmForwardReachesARemoteHostThroughTheInstance() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let result = try await world.runAs(["ssm", "fwd", "--host", "db.internal", "dev", "Name:\(world.name):5432"])
    #expect(result.exitCode == 0, "\(result.output())")
    let start = try #require(try await world.ssmRequests(for: instance.instanceId).first)
    #expect(start.string("document_name") == "AWS-StartPortForwardingSessionToRemoteHost")
    let parameters = start.object("parameters")
    #expect(parameters["host"] as? [String] == ["db.internal"])
    #expect(parameters["portNumber"] as? [String] == ["5432"])
    #expect(parameters["localPortNumber"] as? [String] == ["0"])
  }

  @Test func ssmSSHIsAProxyCommandForUserHostAndPort() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let result = try await world.runAs(
      ["ssm", "ssh", "dev", "ubuntu@Name:\(world.name):2222"], ["RUNAS_STANDIN_EXIT_STATUS": "0"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(
      try world.pluginRun().strings("argv")[5]
        == "{\"Target\": \"\(instance.instanceId)\", \"DocumentName\": \"AWS-StartSSHSession\", "
        + "\"Parameters\": {\"portNumber\": [\"2222\"]}}")
    let keys = try await world.emulator.instanceConnectRequests()
    #expect(!keys.contains { $0.string("instance_id") == instance.instanceId })
  }

  @Test func ec2icPushesTheUsersPublicKeyBeforeTheSession() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let sshDirectory = world.scenario.sandbox.path(".ssh")
    try FileManager.default.createDirectory(atPath: sshDirectory, withIntermediateDirectories: true)
    let keygen = try await run(
      "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "me@laptop", "-f", sshDirectory + "/id_ed25519"],
      environment: world.scenario.environment())
    #expect(keygen.exitCode == 0, "\(keygen.output())")
    let publicKey = try String(contentsOfFile: sshDirectory + "/id_ed25519.pub", encoding: .utf8)

    let result = try await world.runAs(["ssm", "ssh", "--ec2ic", "dev", "ubuntu@\(instance.instanceId)"])
    #expect(result.exitCode == 0, "\(result.output())")
    let sent = try await world.emulator.instanceConnectRequests().filter {
      $0.string("instance_id") == instance.instanceId
    }
    #expect(sent.count == 1)
    #expect(sent.first?.string("instance_os_user") == "ubuntu")
    #expect(sent.first?.string("ssh_public_key").map { $0 + " me@laptop\n" } == publicKey)
    #expect(sent.first?["status"] as? Int == 200)
    #expect(try world.pluginRun().strings("argv")[5].contains("\"portNumber\": [\"22\"]"))
  }

  @Test func ourPluginArgumentsAreTheAWSCLIs() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let ours = try await world.runAs(["ssm", "ssh", "dev", instance.instanceId])
    #expect(ours.exitCode == 0, "\(ours.output())")
    // The AWS CLI, same session, same stand-in.
    var environment = world.log.environment
    environment["HOME"] = world.scenario.sandbox.home.path
    environment["AWS_ACCESS_KEY_ID"] = world.scenario.user.accessKeyId
    environment["AWS_SECRET_ACCESS_KEY"] = world.scenario.user.secretAccessKey
    environment["AWS_CONFIG_FILE"] = "/dev/null"
    environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    let cli = try await run(
      "/usr/bin/env",
      [
        "aws", "ssm", "start-session", "--target", instance.instanceId, "--document-name", "AWS-StartSSHSession",
        "--parameters", "portNumber=22", "--endpoint-url", world.emulator.endpoint, "--region", "us-east-1",
      ], environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())")
    let runs = try world.log.runs(of: "session-manager-plugin")
    try #require(runs.count == 2)
    let (ourArgv, cliArgv) = (runs[0].strings("argv"), runs[1].strings("argv"))
    #expect(Array(ourArgv.dropFirst()) == Array(cliArgv.dropFirst()))
    let ourSession = jsonObject(runs[0].object("env").string("AWS_SSM_START_SESSION_RESPONSE"))
    let cliSession = jsonObject(runs[1].object("env").string("AWS_SSM_START_SESSION_RESPONSE"))
    #expect(ourSession?.keys.sorted() == cliSession?.keys.sorted())
  }

  @Test func interruptingAwsRunasInterruptsThePluginAndTerminatesTheSession() async throws {
    for signalNumber in [SIGTERM, SIGINT] {
      let world = try await World()
      let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
      var environment = world.scenario.environment(world.log.environment)
      environment["RUNAS_STANDIN_WAIT"] = "signal"
      let child = try BackgroundProcess(runAsBinary(), ["shell", "dev", instance.instanceId], environment: environment)
      let started = try await poll(timeout: .seconds(60)) { try world.log.runs(of: "session-manager-plugin").first }
      try #require(started != nil, "the plugin did not start: \(child.output(.stderr))")
      kill(child.pid, signalNumber)
      let status = await child.exit(within: .seconds(60))
      #expect(status == 0, "\(child.output(.stderr))")
      let received = try world.log.records().filter { $0.string("event") == "signal" }.compactMap {
        $0.string("signal")
      }
      #expect(received == [signalNumber == SIGTERM ? "SIGTERM" : "SIGINT"])
      let requests = try await world.ssmRequests(for: instance.instanceId)
      #expect(requests.map { $0.string("operation") } == ["StartSession", "TerminateSession"])
    }
  }

  @Test func eachSessionCommandHasItsOwnHelp() async throws {
    let world = try await World()
    let cases: [([String], String)] = [
      (["shell", "--help"], "USAGE: aws-runas shell [profile] target"),
      (["ssm", "sh", "-h"], "USAGE: aws-runas shell [profile] target"),
      (["forward", "--help"], "USAGE: aws-runas forward [-p local-port] [--host remote-host] [profile] target:port"),
      (["ssm", "ssh", "--help"], "ProxyCommand aws-runas ssm ssh [--ec2ic] profile %r@%h:%p"),
      (["ssm", "--help"], "USAGE: aws-runas ssm shell|forward|ssh [options] [profile] target"),
      (["ecr", "--help"], "USAGE: aws-runas ecr login [profile] [registry|account-id ...]"),
    ]
    for (arguments, expected) in cases {
      let result = try await world.runAs(arguments)
      #expect(result.exitCode == 0, "\(arguments): \(result.output())")
      #expect(result.stdout.contains(expected), "\(arguments): \(result.output())")
    }
  }

  // MARK: - Bad input: one clear line, non-zero exit, no session left open

  /// The one `ERROR` line of a failed run.
  static func errorLine(_ result: ProcessResult) -> String? {
    let lines = result.stderr.split(separator: "\n").filter { $0.contains(" ERROR ") }
    guard lines.count == 1, let line = lines.first, let range = line.range(of: " ERROR ") else { return nil }
    return String(line[range.upperBound...])
  }

  @Test func anUnknownTargetIsOneLineAndStartsNoSession() async throws {
    let world = try await World()
    let result = try await world.runAs(["shell", "dev", "Name:\(world.name)"])
    #expect(result.exitCode == 1)
    #expect(
      Self.errorLine(result)
        == "no running EC2 instance in us-east-1 matches tag Name = \(world.name) "
        + "(check the target, the profile's region and that the instance is running)", "\(result.output())")
    #expect(try world.log.runs(of: "session-manager-plugin").isEmpty)
  }

  @Test func severalMatchesAreListed() async throws {
    let world = try await World()
    let instances = try await world.emulator.createInstances([
      ["tags": ["Name": world.name], "private_ip": "10.1.0.1"],
      ["tags": ["Name": world.name], "private_ip": "10.1.0.2"],
      ["tags": ["Name": world.name], "state": "stopped"],
    ])
    let result = try await world.runAs(["shell", "dev", "Name:\(world.name)"])
    #expect(result.exitCode == 1)
    let line = try #require(Self.errorLine(result), "\(result.output())")
    #expect(line.hasPrefix("tag Name = \(world.name) matches 2 running EC2 instances in us-east-1: "))
    #expect(line.contains("\(instances[0].instanceId) (\(world.name), 10.1.0.1)"))
    #expect(line.contains("\(instances[1].instanceId) (\(world.name), 10.1.0.2)"))
    #expect(!line.contains(instances[2].instanceId))
    #expect(line.hasSuffix("(name one of them by its instance ID)"))
  }

  @Test func aMissingPluginIsOneLineWithTheInstallHint() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let result = try await world.runAs(["shell", "dev", instance.instanceId], ["PATH": "/usr/bin:/bin"])
    #expect(result.exitCode == 1)
    #expect(
      Self.errorLine(result)
        == "session-manager-plugin was not found on PATH; SSM sessions need AWS's Session Manager plugin "
        + "(install it, see https://docs.aws.amazon.com/systems-manager/latest/userguide/"
        + "session-manager-working-with-install-plugin.html)", "\(result.output())")
    #expect(try await world.ssmRequests(for: instance.instanceId).isEmpty)
  }

  @Test func anOldPluginIsRefusedRatherThanGivenTheTokenInArgv() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let result = try await world.runAs(
      ["shell", "dev", instance.instanceId], ["RUNAS_STANDIN_PLUGIN_VERSION": "1.2.497.0"])
    #expect(result.exitCode == 1)
    let line = try #require(Self.errorLine(result), "\(result.output())")
    #expect(line.hasPrefix("\(Self.pluginPath) is version 1.2.497.0, which takes the session token only"))
    #expect(line.contains("upgrade it"))
    #expect(try world.log.runs(of: "session-manager-plugin").isEmpty)
    #expect(try await world.ssmRequests(for: instance.instanceId).isEmpty)
  }

  @Test func aFailingPluginGivesItsStatusAndTheSessionIsTerminated() async throws {
    let world = try await World()
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    let result = try await world.runAs(["shell", "dev", instance.instanceId], ["RUNAS_STANDIN_EXIT_STATUS": "3"])
    #expect(result.exitCode == 3, "\(result.output())")
    let line = try #require(Self.errorLine(result), "\(result.output())")
    #expect(line.hasPrefix("session-manager-plugin failed with exit status 3 (session "))
    let requests = try await world.ssmRequests(for: instance.instanceId)
    #expect(requests.map { $0.string("operation") } == ["StartSession", "TerminateSession"])
  }

  @Test func aTargetWithoutTheAgentIsSSMsOneLine() async throws {
    let world = try await World()
    let instance = try #require(
      try await world.emulator.createInstances([["tags": ["Name": world.name], "ssm_connected": false]]).first)
    let result = try await world.runAs(["shell", "dev", "Name:\(world.name)"])
    #expect(result.exitCode == 1)
    let line = try #require(Self.errorLine(result), "\(result.output())")
    #expect(line.hasPrefix("ssm StartSession failed: TargetNotConnected: \(instance.instanceId) is not connected."))
    #expect(try world.log.runs(of: "session-manager-plugin").isEmpty)
  }

  @Test func aDeniedStartSessionIsOneLine() async throws {
    let emulator = try await STSEmulator()
    let world = try await World(emulator: emulator)
    let instance = try #require(try await world.emulator.createInstances([["tags": ["Name": world.name]]]).first)
    try await emulator.injectFault(action: "StartSession", status: 400, code: "AccessDeniedException")
    let result = try await world.runAs(["shell", "dev", instance.instanceId])
    #expect(result.exitCode == 1)
    let line = try #require(Self.errorLine(result), "\(result.output())")
    #expect(line.hasPrefix("ssm StartSession failed: AccessDeniedException: User: "))
    #expect(line.contains("is not authorized to perform: ssm:StartSession"))
    #expect(try world.log.runs(of: "session-manager-plugin").isEmpty)
    await emulator.stop()
  }

  @Test func malformedTargetsAreOneLineBeforeAnyCall() async throws {
    let world = try await World()
    let cases: [([String], String)] = [
      (["forward", "dev", "i-0123456789abcdef0"], "\"i-0123456789abcdef0\" names no remote port"),
      (["shell", "dev", "fe80::1"], "target \"fe80::1\" is an IPv6 address"),
      (["shell", "dev"], "missing target (usage: aws-runas shell [profile] target)"),
      (["forward", "-p", "70000", "dev", "i-0123456789abcdef0:80"], "local port 70000 is out of range 0-65535"),
      (["ssm", "telnet", "dev", "x"], "unknown ssm subcommand \"telnet\"; use shell, forward or ssh"),
    ]
    for (arguments, expected) in cases {
      let result = try await world.runAs(arguments)
      #expect(result.exitCode == 1, "\(arguments)")
      #expect(Self.errorLine(result)?.hasPrefix(expected) == true, "\(arguments): \(result.output())")
    }
    #expect(try world.log.records().isEmpty)
  }
}

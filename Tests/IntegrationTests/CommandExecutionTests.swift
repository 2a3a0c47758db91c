import Foundation
import TestSupport
import Testing

/// Running programs under a role: real AWS clients (awscli, boto3) as children and as
/// `credential_process` users, the credential endpoint, exit codes and environment.
@Suite("Running commands")
struct CommandExecutionTests {
  static func config(_ user: IAMUser) -> String {
    Scenario.roleProfileConfig(region: "eu-central-1")
  }

  @Test func awsCLIAsChildSeesTheRoleThroughTheEndpoint() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let result = try await scenario.runAs(["dev", "aws", "sts", "get-caller-identity", "--output", "json"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("assumed-role/dev/"))
  }

  @Test func boto3AsChildSeesTheRoleAndRegion() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let script = """
      import boto3, os
      s = boto3.session.Session()
      print(s.region_name, s.get_credentials().method, boto3.client('sts').get_caller_identity()['Arn'])
      """
    let result = try await scenario.runAs(["dev", "python3", "-c", script])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.hasPrefix("eu-central-1 container-role arn:aws:sts::123456789012:assumed-role/dev/"))
  }

  @Test func envFlagPassesCredentialsAsVariables() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let script =
      "import boto3; print(boto3.session.Session().get_credentials().method, boto3.client('sts').get_caller_identity()['Arn'])"
    let result = try await scenario.runAs(["-E", "dev", "python3", "-c", script])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.hasPrefix("env arn:aws:sts::123456789012:assumed-role/dev/"))
  }

  @Test func credentialProcessServesAwsCLIAndBoto3() async throws {
    let scenario = try await Scenario { user in
      Self.config(user)
        + "\n[profile via-process]\ncredential_process = \(runAsBinary()) -O json dev\nregion = us-east-1\n"
    }
    let cli = try await run(
      "/usr/bin/env", ["aws", "sts", "get-caller-identity", "--profile", "via-process", "--output", "text"],
      environment: scenario.environment())
    #expect(cli.exitCode == 0, "\(cli.output())")
    #expect(cli.stdout.contains("assumed-role/dev/"))
    let python = try await run(
      "/usr/bin/env",
      [
        "python3", "-c",
        "import boto3; print(boto3.Session(profile_name='via-process').client('sts').get_caller_identity()['Arn'])",
      ],
      environment: scenario.environment())
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout.contains("assumed-role/dev/"))
  }

  @Test func childEnvironmentCarriesRegionProfileAndExpirationButNoStaticKeys() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let result = try await scenario.runAs(
      ["dev", "env"],
      environment: ["AWS_ACCESS_KEY_ID": "AKIALEAKED", "AWS_SECRET_ACCESS_KEY": "leaked", "AWS_PROFILE": ""])
    #expect(result.exitCode == 0, "\(result.output())")
    let variables = Dictionary(
      result.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
        guard let eq = line.firstIndex(of: "=") else { return nil }
        return (String(line[..<eq]), String(line[line.index(after: eq)...]))
      }, uniquingKeysWith: { a, _ in a })
    #expect(variables["AWS_REGION"] == "eu-central-1")
    #expect(variables["AWS_DEFAULT_REGION"] == "eu-central-1")
    #expect(variables["AWSRUNAS_PROFILE"] == "dev")
    #expect(variables["AWSRUNAS_EXPIRATION"]?.hasSuffix("Z") == true)
    #expect(variables["AWS_SHARED_CREDENTIALS_FILE"] == "/dev/null")
    #expect(variables["AWS_ACCESS_KEY_ID"] == nil)
    #expect(variables["AWS_SECRET_ACCESS_KEY"] == nil)
    #expect(variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"]?.hasPrefix("http://127.0.0.1:") == true)
    #expect((variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"]?.count ?? 0) >= 32)
  }

  @Test func endpointRejectsRequestsWithoutTheToken() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let script = """
      import os, urllib.request, urllib.error
      url = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']
      try:
          urllib.request.urlopen(url)
          print('no-token', 200)
      except urllib.error.HTTPError as e:
          print('no-token', e.code)
      req = urllib.request.Request(url, headers={'Authorization': 'wrong'})
      try:
          urllib.request.urlopen(req)
      except urllib.error.HTTPError as e:
          print('wrong-token', e.code)
      req = urllib.request.Request(url, headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})
      print('right-token', urllib.request.urlopen(req).status)
      """
    let result = try await scenario.runAs(["dev", "python3", "-c", script])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout == "no-token 401\nwrong-token 401\nright-token 200\n")
  }

  @Test func childExitStatusBecomesOurs() async throws {
    let scenario = try await Scenario { Self.config($0) }
    #expect(try await scenario.runAs(["dev", "sh", "-c", "exit 7"]).exitCode == 7)
    #expect(try await scenario.runAs(["dev", "true"]).exitCode == 0)
  }

  @Test func signalledChildGivesOneHundredTwentyEightPlusSignal() async throws {
    let scenario = try await Scenario { Self.config($0) }
    #expect(try await scenario.runAs(["dev", "sh", "-c", "kill -TERM $$"]).exitCode == 143)
  }

  @Test func unknownCommandFailsWithOneLine() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let result = try await scenario.runAs(["dev", "no-such-program-xyz"], environment: ["SHELL": "/bin/false"])
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("no-such-program-xyz"))
  }

  @Test func shellFallbackRunsAliasesAndFunctionsThroughTheUsersShell() async throws {
    let scenario = try await Scenario { Self.config($0) }
    // Not on PATH, so aws-runas hands the words to $SHELL -c, where this function exists.
    let rc = scenario.sandbox.path(".bashrc")
    try "greet() { echo \"hello $AWSRUNAS_PROFILE\"; }\n".write(toFile: rc, atomically: true, encoding: .utf8)
    let result = try await scenario.runAs(["dev", "greet"], environment: ["SHELL": "/bin/bash"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("hello dev"))
  }

  @Test func envOutputEvaluatesInPosixShell() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let binary = runAsBinary()
    let result = try await run(
      "/bin/sh", ["-c", "eval \"$('\(binary)' dev)\" && echo \"$AWSRUNAS_PROFILE $AWS_REGION ${#AWS_SESSION_TOKEN}\""],
      environment: scenario.environment())
    #expect(result.exitCode == 0, "\(result.output())")
    let fields = result.stdout.split(separator: " ")
    #expect(fields.first == "dev")
    #expect(fields.dropFirst().first == "eu-central-1")
    #expect(Int(fields.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 > 10)
  }

  @Test func awsProfileVariableTakesTheProfileAndLeavesAllArgumentsToTheCommand() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let result = try await scenario.runAs(
      ["sh", "-c", "echo $AWSRUNAS_PROFILE:$AWS_PROFILE"], environment: ["AWS_PROFILE": "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout == "dev:\n")
  }

  @Test func roleARNAsProfileUsesDefaultCredentials() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let arn = Scenario.roleARN("direct", account: "444455556666")
    let result = try await scenario.runAs([arn, "aws", "sts", "get-caller-identity", "--output", "text"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("arn:aws:sts::444455556666:assumed-role/direct/"))
    #expect(FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_assume_role_444455556666-direct")))
  }
}

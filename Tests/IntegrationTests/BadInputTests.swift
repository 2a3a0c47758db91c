import Foundation
import TestSupport
import Testing

/// Bad input gets one clear line naming the problem and where, exit 1, and no damage.
@Suite("Bad input")
struct BadInputTests {
  static let goodConfig = """
    [default]
    region = us-east-1

    [profile dev]
    source_profile = default
    role_arn = arn:aws:iam::123456789012:role/dev
    """

  /// Asserts a one-line error containing every fragment, exit 1, nothing on stdout.
  func expectOneLineFailure(
    _ result: ProcessResult, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(result.exitCode == 1, "\(result.output())", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    for fragment in fragments {
      #expect(
        result.stderr.contains(fragment), "missing \(fragment) in: \(result.stderr)", sourceLocation: sourceLocation)
    }
    #expect(!result.stderr.contains("Fatal error"), sourceLocation: sourceLocation)
  }

  @Test func malformedConfigNamesFileAndLine() async throws {
    let scenario = try await Scenario { _ in
      "[default]\nregion = us-east-1\n[profile dev]\nrole_arn arn:aws:iam::1:role/x\n"
    }
    let result = try await scenario.runAs(["-O", "json", "dev"])
    expectOneLineFailure(result, scenario.sandbox.configFile + ":4")
  }

  @Test func unknownProfileIsAnErrorNamingTheConfigFile() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    let result = try await scenario.runAs(["-O", "json", "prod"])
    expectOneLineFailure(result, "profile \"prod\" not found in ~/.aws/config", "known profiles: default, dev")
  }

  @Test func badDurationFlagIsRejected() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    let result = try await scenario.runAs(["-a", "7d", "-O", "json", "dev"])
    #expect(result.exitCode != 0)
    #expect(result.stderr.contains("7d"), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test func badDurationInConfigNamesTheLine() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig + "\ncredentials_duration = 2 hours\n" }
    let result = try await scenario.runAs(["-O", "json", "dev"])
    expectOneLineFailure(result, scenario.sandbox.configFile + ":7", "credentials_duration")
  }

  @Test func badRoleARNIsRejectedBeforeCallingAWS() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in
      "[default]\nregion = us-east-1\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::12:rolex/dev\n"
    }
    let result = try await scenario.runAs(["-O", "json", "dev"])
    expectOneLineFailure(result, "arn:aws:iam::12:rolex/dev")
    #expect(try await emulator.calls() == [:])
  }

  @Test func profileLoopIsReported() async throws {
    let scenario = try await Scenario { _ in
      """
      [profile a]
      source_profile = b
      role_arn = arn:aws:iam::123456789012:role/a
      [profile b]
      source_profile = a
      role_arn = arn:aws:iam::123456789012:role/b
      """
    }
    let result = try await scenario.runAs(["-O", "json", "a"])
    expectOneLineFailure(result, "a -> b -> a")
  }

  @Test func unreachableEndpointFailsWithOneLine() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    let result = try await scenario.runAs(
      ["-O", "json", "dev"], environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
    expectOneLineFailure(result, "127.0.0.1:9")
  }

  @Test func failingEndpointLeavesTheCacheUntouched() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in Self.goodConfig }
    let first = try await scenario.runAs(["-O", "json", "dev"])
    #expect(first.exitCode == 0)
    let sessionPath = scenario.sandbox.path(".aws/.aws_session_token_default")
    let sessionBefore = try String(contentsOfFile: sessionPath, encoding: .utf8)
    try await emulator.injectFault(action: "AssumeRole", status: 500, code: "InternalFailure", count: 10)
    let failed = try await scenario.runAs(["-r", "-O", "json", "dev"])
    expectOneLineFailure(failed, "InternalFailure")
    // -r removed the role cache (as the Go tool does); the session-token cache is byte-for-byte intact
    // and no temporary files are left behind.
    #expect(try String(contentsOfFile: sessionPath, encoding: .utf8) == sessionBefore)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: scenario.sandbox.path(".aws"))
      .filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty)
  }

  @Test func nothingToDoPrintsHelpAndFails() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    let result = try await scenario.runAs([])
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("nothing to do!"))
    #expect(result.stdout.contains("USAGE"))
  }

  @Test func missingCredentialsSayWhatToAdd() async throws {
    let scenario = try await Scenario(credentialsSection: "someone-else") { _ in Self.goodConfig }
    let result = try await scenario.runAs(["-O", "json", "dev"])
    expectOneLineFailure(result, "no credentials for profile \"default\"")
  }
}

extension BadInputTests {
  @Test func unknownOptionIsNamed() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    expectOneLineFailure(try await scenario.runAs(["--bogus", "dev"]), "unknown option --bogus")
  }

  @Test func helpFlagPrintsUsageEvenBeforeAProfile() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    for arguments in [["--help"], ["-v", "-h"], ["help"]] {
      let result = try await scenario.runAs(arguments)
      #expect(result.exitCode == 0)
      #expect(result.stdout.contains("USAGE: aws-runas"), "\(arguments): \(result.output())")
    }
  }

  @Test func badDurationFlagIsOneLineAndExitOne() async throws {
    let scenario = try await Scenario { _ in Self.goodConfig }
    expectOneLineFailure(
      try await scenario.runAs(["-a", "7d", "-O", "json", "dev"]), "invalid value \"7d\" for --role-duration")
  }
}

import Foundation
import RunAsCore
import Testing

/// Flags and their environment twins on the default action.
@Suite("Command-line options")
struct CommandLineOptionsTests {
  @Test func whoamiLogsTheCallerIdentityOnStandardError() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-w", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains(" INFO {UserId:"))
    #expect(result.stderr.contains("Arn:arn:aws:sts::123456789012:assumed-role/dev/"))
    #expect(result.stderr.contains("Account:123456789012}"))
    #expect(result.stdout.hasPrefix("export AWS_ACCESS_KEY_ID='ASIA"))
  }

  @Test func expirationIsPrintedOnStandardError() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-e", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("Credentials will expire on "))
    #expect(result.stderr.contains("minutes from now)"))
  }

  @Test func outputFormatVariableSelectsJSON() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["dev"], environment: ["RUNAS_OUTPUT_FORMAT": "JSON"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try Scenario.credentialDocument(result)["Version"] as? Int == 1)
  }

  @Test func envCredentialsVariableWorksLikeTheFlag() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(
      ["dev", "sh", "-c", "echo ${AWS_ACCESS_KEY_ID%%[0-9A-Z]*}${AWS_CONTAINER_CREDENTIALS_FULL_URI:-none}"],
      environment: ["RUNAS_ENV_CREDENTIALS": "true"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout == "none\n")
  }

  @Test func sessionCredentialsVariableWorksLikeTheFlag() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-O", "json", "dev"], environment: ["RUNAS_SESSION_CREDENTIALS": "1"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try await emulator.calls() == ["GetSessionToken": 1])
  }

  @Test func cacheHitNeedsNoNetworkAtAll() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let warm = try await scenario.runAs(["-O", "json", "dev"])
    #expect(warm.exitCode == 0, "\(warm.output())")
    let offline = try await scenario.runAs(
      ["-O", "json", "dev"], environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
    #expect(offline.exitCode == 0, "\(offline.output())")
    #expect(offline.stdout == warm.stdout)
  }

  @Test func verboseLoggingNeverShowsSecrets() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-v", "-O", "json", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("DEBUG"))
    let document = try Scenario.credentialDocument(result)
    let secrets = [
      scenario.user.secretAccessKey, document["SecretAccessKey"] as? String ?? "?",
      document["SessionToken"] as? String ?? "?",
    ]
    for secret in secrets { #expect(!result.stderr.contains(secret)) }
  }

  @Test func versionFlagPrintsTheVersion() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-V"])
    #expect(result.exitCode == 0)
    #expect(result.stdout.hasPrefix("aws-runas version "))
  }

  @Test func versionAloneSkipsTheParserAndPrintsWhatTheParserPrints() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    // `--version` and `-V` alone take the shortcut; with `-v` they go through ArgumentParser.
    let parsed = try await scenario.runAs(["-v", "--version"])
    #expect(parsed.exitCode == 0, "\(parsed.output())")
    for shortcut in [["--version"], ["-V"]] {
      let result = try await scenario.runAs(shortcut)
      #expect(result.exitCode == 0)
      #expect(result.stdout == parsed.stdout && result.stdout == "aws-runas version \(RunAsCore.version)\n")
    }
  }

  @Test func combinedShortFlagsWork() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-se", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("Credentials will expire on"))
    #expect(result.stdout.contains("AWS_SESSION_TOKEN"))
  }

  @Test func roleARNProfileTakesMFASerialFromTheFlag() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator, mfa: true) { _ in "[default]\nregion = us-east-1\n" }
    let arn = Scenario.roleARN("mfa-direct", account: "555555555555")
    let result = try await scenario.runAs([
      "-M", scenario.user.mfaSerial!, "-o", try await scenario.mfaCode(), "-O", "json", arn,
    ])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try await emulator.calls() == ["GetSessionToken": 1, "AssumeRole": 1])
  }
}

extension CommandLineOptionsTests {
  @Test func doubleVerboseShowsTheCredentialsForDebugging() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-vv", "-O", "json", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    let secret = try #require(try Scenario.credentialDocument(result)["SecretAccessKey"] as? String)
    #expect(result.stderr.contains("SecretAccessKey=\(secret)"))
  }
}

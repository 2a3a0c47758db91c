import Foundation
import TestSupport
import Testing

/// `aws-runas -D` / `diagnose`: the checks of spec §7.1 plus where each setting came from.
@Suite("Diagnose")
struct DiagnoseTests {
  @Test func healthyRoleProfileReportsSaneChecksAndOrigins() async throws {
    let scenario = try await Scenario { _ in
      "[default]\nregion = us-east-1\n\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
    }
    let result = try await scenario.runAs(["diagnose", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("INFO region is configured in profile or environment variable"))
    #expect(result.stderr.contains("INFO profile credentials appear sane"))
    #expect(result.stderr.contains("INFO system time is within spec"))
    #expect(result.stdout.contains("PROFILE: dev\n"))
    #expect(result.stdout.contains("ROLE ARN: arn:aws:iam::123456789012:role/dev\n"))
    #expect(result.stdout.contains("region = us-east-1"))
    #expect(result.stdout.contains("[default] line 2"), "\(result.stdout)")
  }

  @Test func shortFlagWorksLikeTheSubcommandAndFlagsProblems() async throws {
    let scenario = try await Scenario(credentialsSection: "nobody") { _ in
      "[default]\noutput = json\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
    }
    let result = try await scenario.runAs(
      ["-D", "dev"], environment: ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SESSION_TOKEN": "x"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("ERROR detected static access key env var along with session token env var"))
    #expect(result.stderr.contains("ERROR region is not set"))
    #expect(result.stderr.contains("ERROR incomplete or missing credentials for profile 'default'"))
  }

  @Test func regionFromEnvironmentIsAttributedToTheVariable() async throws {
    let scenario = try await Scenario { _ in "[default]\n" }
    let result = try await scenario.runAs(["diagnose"], environment: ["AWS_REGION": "ap-south-1"])
    #expect(result.stderr.contains("WARN No profile specified"))
    #expect(result.stdout.contains("REGION: ap-south-1"))
    #expect(result.stdout.contains("env AWS_REGION"), "\(result.stdout)")
  }

  @Test func unreachableSTSMakesTheClockCheckAWarningNotAFailure() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try await scenario.runAs(["-D"], environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
    #expect(result.exitCode == 0)
    #expect(result.stderr.contains("WARN cannot check clock drift"), "\(result.stderr)")
  }
}

/// The NTP check of `diagnose`, against a local SNTP server whose clock is shifted.
@Suite("Diagnose NTP")
struct DiagnoseNTPTests {
  /// Starts `Tests/Support/ntp_server.py` with `offset` seconds; it exits when stopped (its stdin
  /// closes) or released. Returns it and its port.
  static func startServer(offset: Double) async throws -> (server: BackgroundProcess, port: String) {
    let script = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/ntp_server.py").path
    let server = try BackgroundProcess(
      "/usr/bin/env", ["python3", script, "--offset", String(offset)],
      environment: ProcessInfo.processInfo.environment, holdingStdin: true)
    let port = try await server.waitForOutput("its port", on: .stdout, timeout: .seconds(60)) { output in
      output.firstMatch(of: /PORT ([0-9]+)\n/).map { String($0.1) }
    }
    return (server, port)
  }

  @Test(arguments: [
    (0.0, "INFO system time is within spec"), (240.0, "WARN Local time drift is more than 3m0s"),
    (-600.0, "ERROR Local time drift is more than 5m0s"),
  ])
  func ntpServerClockIsComparedWhenConfigured(offset: Double, expected: String) async throws {
    let (server, port) = try await Self.startServer(offset: offset)
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try await scenario.runAs(["diagnose"], environment: ["RUNAS_NTP_SERVER": "127.0.0.1:\(port)"])
    await server.stop()
    #expect(result.exitCode == 0, "\(result.output())")
    let ntpLine = result.stderr.split(separator: "\n").first { $0.contains("according to NTP server") }
    #expect(ntpLine?.contains(expected) == true, "\(result.stderr)")
  }

  @Test func unreachableNTPServerIsAnErrorFinding() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try await scenario.runAs(["diagnose"], environment: ["RUNAS_NTP_SERVER": "127.0.0.1:9"])
    #expect(result.exitCode == 0)
    #expect(result.stderr.contains("ERROR error checking ntp:"), "\(result.stderr)")
  }
}

import Foundation
import Testing

/// `aws-runas -D` / `diagnose`: the checks of spec §7.1 plus where each setting came from.
@Suite("Diagnose")
struct DiagnoseTests {
  @Test func healthyRoleProfileReportsSaneChecksAndOrigins() throws {
    let scenario = try Scenario { _ in
      "[default]\nregion = us-east-1\n\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
    }
    let result = try scenario.runAs(["diagnose", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("INFO region is configured in profile or environment variable"))
    #expect(result.stderr.contains("INFO profile credentials appear sane"))
    #expect(result.stderr.contains("INFO system time is within spec"))
    #expect(result.stdout.contains("PROFILE: dev\n"))
    #expect(result.stdout.contains("ROLE ARN: arn:aws:iam::123456789012:role/dev\n"))
    #expect(result.stdout.contains("region = us-east-1"))
    #expect(result.stdout.contains("[default] line 2"), "\(result.stdout)")
  }

  @Test func shortFlagWorksLikeTheSubcommandAndFlagsProblems() throws {
    let scenario = try Scenario(credentialsSection: "nobody") { _ in
      "[default]\noutput = json\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
    }
    let result = try scenario.runAs(
      ["-D", "dev"], environment: ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SESSION_TOKEN": "x"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stderr.contains("ERROR detected static access key env var along with session token env var"))
    #expect(result.stderr.contains("ERROR region is not set"))
    #expect(result.stderr.contains("ERROR incomplete or missing credentials for profile 'default'"))
  }

  @Test func regionFromEnvironmentIsAttributedToTheVariable() throws {
    let scenario = try Scenario { _ in "[default]\n" }
    let result = try scenario.runAs(["diagnose"], environment: ["AWS_REGION": "ap-south-1"])
    #expect(result.stderr.contains("WARN No profile specified"))
    #expect(result.stdout.contains("REGION: ap-south-1"))
    #expect(result.stdout.contains("env AWS_REGION"), "\(result.stdout)")
  }

  @Test func unreachableSTSMakesTheClockCheckAWarningNotAFailure() throws {
    let scenario = try Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try scenario.runAs(["-D"], environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
    #expect(result.exitCode == 0)
    #expect(result.stderr.contains("WARN cannot check clock drift"), "\(result.stderr)")
  }
}

/// The NTP check of `diagnose`, against a local SNTP server whose clock is shifted.
@Suite("Diagnose NTP")
struct DiagnoseNTPTests {
  /// Starts `Tests/Support/ntp_server.py` with `offset` seconds and returns its port and process.
  static func startServer(offset: Double) throws -> (port: String, process: Process, stdin: Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let script = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/ntp_server.py").path
    process.arguments = ["python3", script, "--offset", String(offset)]
    let output = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardInput = input
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { throw HarnessError("ntp_server.py exited before printing its port") }
      line += chunk
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return (String(text.dropFirst("PORT ".count)), process, input)
  }

  @Test(arguments: [
    (0.0, "INFO system time is within spec"), (240.0, "WARN Local time drift is more than 3m0s"),
    (-600.0, "ERROR Local time drift is more than 5m0s"),
  ])
  func ntpServerClockIsComparedWhenConfigured(offset: Double, expected: String) throws {
    let server = try Self.startServer(offset: offset)
    defer {
      try? server.stdin.fileHandleForWriting.close()
      server.process.waitUntilExit()
    }
    let scenario = try Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try scenario.runAs(["diagnose"], environment: ["RUNAS_NTP_SERVER": "127.0.0.1:\(server.port)"])
    #expect(result.exitCode == 0, "\(result.output())")
    let ntpLine = result.stderr.split(separator: "\n").first { $0.contains("according to NTP server") }
    #expect(ntpLine?.contains(expected) == true, "\(result.stderr)")
  }

  @Test func unreachableNTPServerIsAnErrorFinding() throws {
    let scenario = try Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try scenario.runAs(["diagnose"], environment: ["RUNAS_NTP_SERVER": "127.0.0.1:9"])
    #expect(result.exitCode == 0)
    #expect(result.stderr.contains("ERROR error checking ntp:"), "\(result.stderr)")
  }
}

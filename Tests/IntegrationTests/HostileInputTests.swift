import Foundation
import TestSupport
import Testing

/// The real binary against input a hostile tester would try (issue 14): caches that lie, names
/// that escape, files that never end, secrets in odd places, values that are not what they claim.
@Suite("Hostile input")
struct HostileInputTests {
  /// Asserts a one-line error containing every fragment, exit 1, nothing on stdout.
  func expectOneLineFailure(
    _ result: ProcessResult, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(result.exitCode == 1, "\(result.output())", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
    #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    for fragment in fragments {
      #expect(
        result.stderr.contains(fragment), "missing \(fragment) in: \(result.stderr)", sourceLocation: sourceLocation)
    }
  }

  // MARK: Caches that lie

  @Test(arguments: [
    #"{"AccessKeyId":123,"Expiration":"2999-01-01T00:00:00Z","SecretAccessKey":"s","SessionToken":"t"}"#,
    #"{"AccessKeyId":"ASIALIE","Expiration":42,"SecretAccessKey":"s","SessionToken":"t"}"#,
    #"{"AccessKeyId":"ASIALIE","SecretAccessKey":"s","SessionToken":"t"}"#,
  ])
  func aCacheFileOfTheWrongShapeIsAMissAndIsReplaced(_ lie: String) async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in Scenario.roleProfileConfig() }
    let cache = scenario.sandbox.path(".aws/.aws_assume_role_dev")
    try lie.write(toFile: cache, atomically: true, encoding: .utf8)
    let result = try await scenario.runAs(["-O", "json", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    let key = try Scenario.credentialDocument(result)["AccessKeyId"] as? String
    #expect(key?.hasPrefix("ASIA") == true && key != "ASIALIE", "\(result.stdout)")
    #expect(try await emulator.calls()["AssumeRole"] == 1)
    let replaced = try String(contentsOfFile: cache, encoding: .utf8)
    #expect(replaced.contains(#""AccessKeyId":"\#(key ?? "")""#))
  }

  // MARK: Names that escape

  @Test func aProfileNameWithSlashesKeepsItsCacheAndLockInTheConfigDirectory() async throws {
    let name = "../../../../tmp/escape-\(UUID().uuidString.prefix(8))/evil"
    let scenario = try await Scenario { _ in
      "[default]\nregion = us-east-1\n[profile \(name)]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("dev"))\n"
    }
    let result = try await scenario.runAs(["-O", "json", name])
    #expect(result.exitCode == 0, "\(result.output())")
    let escaped = name.replacingOccurrences(of: "/", with: "%2F")
    let files = try FileManager.default.contentsOfDirectory(atPath: scenario.sandbox.path(".aws"))
    #expect(files.contains(".aws_assume_role_" + escaped), "\(files)")
    #expect(files.contains(".aws_assume_role_" + escaped + ".lock"), "\(files)")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/" + name.split(separator: "/")[4]))
    #expect(files.allSatisfy { !$0.hasSuffix(".tmp") }, "\(files)")
  }

  // MARK: Files that never end

  @Test func anEndlessConfigFileIsAClearError() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(["-O", "json", "dev"], environment: ["AWS_CONFIG_FILE": "/dev/zero"])
    expectOneLineFailure(result, "/dev/zero: cannot read: it is larger than 4 MiB")
  }

  @Test func aFIFONobodyWritesToIsAnErrorNotAHang() async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let fifo = scenario.sandbox.path("config.fifo")
    #expect(mkfifo(fifo, 0o600) == 0)
    // A writer that never writes: opening for reading and writing does not block (Linux).
    let writer = open(fifo, O_RDWR | O_NONBLOCK)
    defer { close(writer) }
    let result = try await scenario.runAs(["-O", "json", "dev"], environment: ["AWS_CONFIG_FILE": fifo])
    expectOneLineFailure(result, fifo, "nothing to read within")
  }

  // MARK: Secrets in odd places

  @Test func anIndentedSecretIsItsOwnKeyAndDiagnoseNeverPrintsIt() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    try scenario.sandbox.writeCredentials(
      "[default]\naws_access_key_id = \(scenario.user.accessKeyId)\n    aws_secret_access_key = \(scenario.user.secretAccessKey)\n"
    )
    let diagnosis = try await scenario.runAs(["diagnose"])
    #expect(diagnosis.exitCode == 0, "\(diagnosis.output())")
    #expect(!diagnosis.output().contains(scenario.user.secretAccessKey))
    #expect(diagnosis.stdout.contains("aws_access_key_id = (not shown)"), "\(diagnosis.stdout)")
    // The keys work: the indented line was not folded into the key ID.
    let result = try await scenario.runAs(["-O", "json", "default"])
    #expect(result.exitCode == 0, "\(result.output())")
  }

  @Test func aCredentialsFileErrorNamesTheLineButNeverShowsIt() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    try scenario.sandbox.writeCredentials("[default]\naws_secret_access_key s3cr3tVALUE\n")
    let result = try await scenario.runAs(["-O", "json", "default"])
    expectOneLineFailure(result, scenario.sandbox.credentialsFile + ":2", "in [default]", "not shown")
    #expect(!result.stderr.contains("s3cr3t"))
  }

  // MARK: Values that are not what they claim

  @Test func aRegionThatIsNotAHostLabelIsRefusedBeforeAnyCall() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(
      ["-O", "json", "dev"], environment: ["AWS_REGION": "evil.example/x?"])
    expectOneLineFailure(result, #"invalid region "evil.example/x?" from env AWS_REGION"#)
    #expect(try await emulator.calls() == [:])
  }

  @Test func controlBytesInNamesAndConfigLinesReachTheTerminalEscaped() async throws {
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\nnot a key \u{1B}]0;pwned\u{07}\n" }
    let result = try await scenario.runAs(["-O", "json", "x\u{1B}[2Jy"])
    expectOneLineFailure(result, #"\u{1B}]0;pwned\u{7}"#)
    #expect(!result.stderr.contains("\u{1B}"))
    let unknown = try await Scenario { _ in Scenario.roleProfileConfig() }.runAs(["-O", "json", "x\u{1B}[2Jy"])
    expectOneLineFailure(unknown, #"profile "x\u{1B}[2Jy" not found"#)
    #expect(!unknown.stderr.contains("\u{1B}"))
  }

  @Test(arguments: [
    (["-O", "xml", "dev"], [:], #"invalid value "xml" for --output: use env or json"#),
    (["--output=YAML", "dev"], [:], #"invalid value "YAML" for --output"#),
    (["dev"], ["RUNAS_OUTPUT_FORMAT": "xml"], #"invalid value "xml" for RUNAS_OUTPUT_FORMAT"#),
    (["-d", "-5m", "dev"], [:], #"invalid value "-5m" for --duration: a duration cannot be negative"#),
    (["-a", "-1h", "-O", "json", "dev"], [:], #"invalid value "-1h" for --role-duration"#),
  ])
  func unknownOrNegativeOptionValuesAreClearErrors(
    arguments: [String], environment: [String: String], message: String
  ) async throws {
    let scenario = try await Scenario { _ in Scenario.roleProfileConfig() }
    let result = try await scenario.runAs(arguments, environment: environment)
    expectOneLineFailure(result, message)
  }
}

import Foundation
import TestSupport
import Testing

/// The IAM credential paths of spec §3.5 against the STS emulator, counting the STS calls made.
@Suite("Credential flows", .serialized)
struct CredentialFlowTests {
  static func roleConfig(_ user: IAMUser, role: String = "admin", extra: String = "") -> String {
    """
    [default]
    region = us-east-1

    [profile \(role)]
    source_profile = default
    role_arn = \(Scenario.roleARN(role))
    \(extra)
    """
  }

  @Test func iamUserProfileGetsSessionTokenCredentials() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in "[default]\nregion = us-west-2\n" }
    let result = try await scenario.runAs(["-O", "json", "default"])
    #expect(result.exitCode == 0, "\(result.output())")
    let document = try Scenario.credentialDocument(result)
    #expect(document["Version"] as? Int == 1)
    #expect((document["SessionToken"] as? String)?.isEmpty == false)
    #expect(try await emulator.calls() == ["GetSessionToken": 1])
    let cache = scenario.sandbox.path(".aws/.aws_session_token_default")
    let attributes = try FileManager.default.attributesOfItem(atPath: cache)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
  }

  @Test func coldRoleRunCallsSessionTokenThenAssumeRoleAndHitCallsNothing() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { Self.roleConfig($0) }
    let cold = try await scenario.runAs(["-O", "json", "admin"])
    #expect(cold.exitCode == 0, "\(cold.output())")
    #expect(try await emulator.calls() == ["GetSessionToken": 1, "AssumeRole": 1])

    try await emulator.reset()
    let warm = try await scenario.runAs(["-O", "json", "admin"])
    #expect(warm.exitCode == 0)
    #expect(try await emulator.calls() == [:])
    #expect(
      try Scenario.credentialDocument(warm)["AccessKeyId"] as? String
        == Scenario.credentialDocument(cold)["AccessKeyId"] as? String)
  }

  @Test func sessionTokenIsSharedByRolesWithTheSameSourceProfile() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { user in
      Self.roleConfig(user) + "\n[profile other]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("other"))\n"
    }
    #expect(try await scenario.runAs(["-O", "json", "admin"]).exitCode == 0)
    try await emulator.reset()
    let second = try await scenario.runAs(["-O", "json", "other"])
    #expect(second.exitCode == 0, "\(second.output())")
    #expect(try await emulator.calls() == ["AssumeRole": 1])
  }

  @Test func refreshFlagClearsOnlyTheRoleCache() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { Self.roleConfig($0) }
    #expect(try await scenario.runAs(["-O", "json", "admin"]).exitCode == 0)
    try await emulator.reset()
    let refreshed = try await scenario.runAs(["-r", "-O", "json", "admin"])
    #expect(refreshed.exitCode == 0, "\(refreshed.output())")
    #expect(try await emulator.calls() == ["AssumeRole": 1])
  }

  @Test func roleDurationOverOneHourAssumesRoleDirectlyWithMFA() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator, mfa: true) { user in
      Self.roleConfig(user, extra: "mfa_serial = \(user.mfaSerial!)")
    }
    let result = try await scenario.runAs(["-a", "2h", "-o", try await scenario.mfaCode(), "-O", "json", "admin"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try await emulator.calls() == ["AssumeRole": 1])
    let expiration = try #require(try Scenario.credentialDocument(result)["Expiration"] as? String)
    let expires = try #require(Scenario.parseTimestamp(expiration))
    #expect(expires.timeIntervalSinceNow > 3600 + 1800)
  }

  @Test func roleChainsOfAnyDepthAssumeEachRoleInTurn() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { _ in
      """
      [default]
      region = eu-west-1
      [profile hop1]
      source_profile = default
      role_arn = \(Scenario.roleARN("hop1"))
      [profile hop2]
      source_profile = hop1
      role_arn = \(Scenario.roleARN("hop2", account: "210987654321"))
      [profile hop3]
      source_profile = hop2
      role_arn = \(Scenario.roleARN("hop3", account: "333333333333"))
      """
    }
    let result = try await scenario.runAs(["hop3", "aws", "sts", "get-caller-identity", "--output", "text"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("arn:aws:sts::333333333333:assumed-role/hop3/"))
    #expect(try await emulator.calls()["AssumeRole"] == 3)
    #expect(try await emulator.calls()["GetSessionToken"] == 1)
    for hop in ["hop1", "hop2", "hop3"] {
      #expect(FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_assume_role_\(hop)")))
    }
  }

  @Test func parallelColdRunsCallSTSOnce() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { Self.roleConfig($0) }
    let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
      for _ in 1...6 { group.addTask { try await scenario.runAs(["-O", "json", "admin"]) } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.count == 6)
    #expect(results.allSatisfy { $0.exitCode == 0 }, "\(results.map { $0.output() })")
    let keys = Set(results.compactMap { try? Scenario.credentialDocument($0)["AccessKeyId"] as? String })
    #expect(keys.count == 1)
    #expect(try await emulator.calls() == ["GetSessionToken": 1, "AssumeRole": 1])
  }

  @Test func throttledCallsAreRetried() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { Self.roleConfig($0) }
    try await emulator.injectFault(action: "AssumeRole", status: 400, code: "Throttling", count: 2)
    let result = try await scenario.runAs(["-O", "json", "admin"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try await emulator.calls()["AssumeRole"] == 3)
  }

  @Test func sessionFlagPrintsSessionTokenCredentialsOfTheSourceProfile() async throws {
    let emulator = try await STSEmulator()
    let scenario = try await Scenario(emulator: emulator) { Self.roleConfig($0) }
    let result = try await scenario.runAs(["-s", "admin"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.contains("export AWS_SESSION_TOKEN='"))
    #expect(try await emulator.calls() == ["GetSessionToken": 1])
  }
}

extension CredentialFlowTests {
  /// Minutes until the `Expiration` of a `credential_process` document.
  static func minutesLeft(_ result: ProcessResult) throws -> Double {
    let expiration = try #require(try Scenario.credentialDocument(result)["Expiration"] as? String)
    let date = try #require(Scenario.parseTimestamp(expiration))
    return date.timeIntervalSinceNow / 60
  }

  @Test(arguments: [("20m", 20.0), ("5m", 15.0), ("48h", 36 * 60.0)])
  func sessionDurationFlagIsSentClampedToSTSLimits(flag: String, expectedMinutes: Double) async throws {
    let scenario = try await Scenario { Self.roleConfig($0) }
    let result = try await scenario.runAs(["-s", "-d", flag, "-O", "json", "admin"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(abs(try Self.minutesLeft(result) - expectedMinutes) < 2)
  }

  @Test func durationsFromTheConfigFileApply() async throws {
    let scenario = try await Scenario {
      Self.roleConfig($0, extra: "credentials_duration = 45m\nsession_token_duration = 2h")
    }
    let role = try await scenario.runAs(["-O", "json", "admin"])
    #expect(role.exitCode == 0, "\(role.output())")
    #expect(abs(try Self.minutesLeft(role) - 45) < 2)
    let session = try await scenario.runAs(["-s", "-O", "json", "admin"])
    #expect(abs(try Self.minutesLeft(session) - 120) < 2)
  }
}

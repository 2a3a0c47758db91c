import Foundation
import Testing

/// MFA handling: codes from -o and MFA_CODE, wrong codes, no terminal, and MFA-less tokens.
@Suite("MFA")
struct MFATests {
  @Test func codeFromFlagAuthenticatesTheSessionToken() async throws {
    let scenario = try await Scenario(mfa: true) { Scenario.mfaProfileConfig($0) }
    let result = try await scenario.runAs(["-o", try await scenario.mfaCode(), "-O", "json", "secure"])
    #expect(result.exitCode == 0, "\(result.output())")
    let cache = try String(contentsOfFile: scenario.sandbox.path(".aws/.aws_session_token_default"), encoding: .utf8)
    #expect(cache.contains("\"MfaSerial\":\"\(scenario.user.mfaSerial!)\""))
  }

  @Test func codeFromEnvironmentWorksLikeTheFlag() async throws {
    let scenario = try await Scenario(mfa: true) { Scenario.mfaProfileConfig($0) }
    let result = try await scenario.runAs(
      ["-O", "json", "secure"], environment: ["MFA_CODE": try await scenario.mfaCode()])
    #expect(result.exitCode == 0, "\(result.output())")
  }

  @Test func wrongCodeFailsWithOneLineAndLeavesNoCache() async throws {
    let scenario = try await Scenario(mfa: true) { Scenario.mfaProfileConfig($0) }
    let good = try await scenario.mfaCode()
    let wrong = good == "000000" ? "111111" : "000000"
    let result = try await scenario.runAs(["-o", wrong, "-O", "json", "secure"])
    #expect(result.exitCode == 1)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains("AccessDenied"))
    #expect(result.stderr.contains("MultiFactorAuthentication failed"))
    #expect(!FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_session_token_default")))
    #expect(!FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_assume_role_secure")))
  }

  @Test func withoutTerminalOrCodeItFailsAtOnceSayingHowToPassTheCode() async throws {
    let scenario = try await Scenario(mfa: true) { Scenario.mfaProfileConfig($0) }
    let result = try await scenario.runAsWithoutTerminal(["-O", "json", "secure"])
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("MFA_CODE"), "\(result.stderr)")
    #expect(result.stderr.contains("-o"))
  }

  @Test func sessionTokenWithoutMFAIsNotReusedForAProfileThatNeedsMFA() async throws {
    let scenario = try await Scenario(mfa: true) { user in
      """
      [default]
      region = us-east-1
      [profile plain]
      source_profile = default
      role_arn = \(Scenario.roleARN("plain"))
      [profile secure]
      source_profile = default
      role_arn = \(Scenario.roleARN("secure"))
      mfa_serial = \(user.mfaSerial!)
      """
    }
    #expect(try await scenario.runAs(["-O", "json", "plain"]).exitCode == 0)
    // The cached token has no MFA, so the MFA profile must ask for a code again.
    let withoutCode = try await scenario.runAsWithoutTerminal(["-O", "json", "secure"])
    #expect(withoutCode.exitCode == 1, "\(withoutCode.output())")
    #expect(withoutCode.stderr.contains("MFA"))
    let withCode = try await scenario.runAs(["-o", try await scenario.mfaCode(), "-O", "json", "secure"])
    #expect(withCode.exitCode == 0, "\(withCode.output())")
  }

  @Test func mfaSerialFlagOverridesTheConfiguration() async throws {
    let scenario = try await Scenario(mfa: true) { _ in
      "[default]\nregion = us-east-1\n[profile secure]\nsource_profile = default\nrole_arn = \(Scenario.roleARN("secure"))\n"
    }
    let bogus = try await scenario.runAs([
      "-M", "arn:aws:iam::123456789012:mfa/nobody", "-o", "123456", "-O", "json", "secure",
    ])
    #expect(bogus.exitCode == 1)
    #expect(bogus.stderr.contains("AccessDenied"))
    let real = try await scenario.runAs([
      "-M", scenario.user.mfaSerial!, "-o", try await scenario.mfaCode(), "-O", "json", "secure",
    ])
    #expect(real.exitCode == 0, "\(real.output())")
  }
}

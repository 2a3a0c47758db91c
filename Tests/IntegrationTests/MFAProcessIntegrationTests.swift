import Foundation
import Testing

/// `mfa_process`: the MFA code comes from a command (a stand-in for a YubiKey OATH reader that
/// asks the emulator for the device's current TOTP code).
@Suite("mfa_process")
struct MFAProcessIntegrationTests {
  /// A config whose `[default]` uses the user's MFA device and gets its code from `process`.
  static func config(_ user: IAMUser, process: String) -> String {
    """
    [default]
    region = us-east-1
    mfa_serial = \(user.mfaSerial!)
    mfa_process = \(process)

    [profile secure]
    source_profile = default
    role_arn = \(Scenario.roleARN("secure"))
    """
  }

  /// A shell command printing the device's current code, as an OATH reader would.
  static func totpCommand(emulator: STSEmulator, serial: String) -> String {
    let query = serial.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? serial
    return "curl -sf '\(emulator.endpoint)/_emulator/totp?serial=\(query)' "
      + "| python3 -c 'import json, sys; print(json.load(sys.stdin)[\"code\"])'"
  }

  @Test func codeFromTheCommandAuthenticatesWithoutAPrompt() async throws {
    let emulator = try await STSEmulator.shared
    let scenario = try await Scenario(mfa: true) { user in
      Self.config(user, process: Self.totpCommand(emulator: emulator, serial: user.mfaSerial!))
    }
    let result = try await scenario.runAsWithoutTerminal(["-O", "json", "secure"])
    #expect(result.exitCode == 0, "\(result.output())")
    let cache = try String(contentsOfFile: scenario.sandbox.path(".aws/.aws_session_token_default"), encoding: .utf8)
    #expect(cache.contains("\"MfaSerial\":\"\(scenario.user.mfaSerial!)\""))
  }

  @Test func failingCommandIsOneLineWithItsStandardError() async throws {
    let scenario = try await Scenario(mfa: true) { user in
      Self.config(user, process: "echo 'no YubiKey detected' >&2; exit 2")
    }
    let result = try await scenario.runAsWithoutTerminal(["-O", "json", "secure"])
    #expect(result.exitCode == 1)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.output())")
    #expect(
      result.stderr.contains(
        "mfa_process \"echo 'no YubiKey detected' >&2; exit 2\" failed (exit status 2): no YubiKey detected"))
    #expect(!FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_session_token_default")))
  }

  @Test func codeGivenWithTheFlagWinsOverTheCommand() async throws {
    let scenario = try await Scenario(mfa: true) { user in Self.config(user, process: "exit 1") }
    let result = try await scenario.runAs(["-o", try await scenario.mfaCode(), "-O", "json", "secure"])
    #expect(result.exitCode == 0, "\(result.output())")
  }

  @Test func environmentVariableSetsTheCommand() async throws {
    let emulator = try await STSEmulator.shared
    let scenario = try await Scenario(mfa: true) { user in
      "[default]\nregion = us-east-1\nmfa_serial = \(user.mfaSerial!)\n"
    }
    let command = Self.totpCommand(emulator: emulator, serial: scenario.user.mfaSerial!)
    let result = try await scenario.runAsWithoutTerminal(
      ["-O", "json", "default"], environment: ["MFA_PROCESS": command])
    #expect(result.exitCode == 0, "\(result.output())")
  }
}

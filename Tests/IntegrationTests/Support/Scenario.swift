import Foundation
import TestSupport

/// One test's world: an emulator, a sandbox HOME with config files, and an IAM user with keys.
struct Scenario {
  let emulator: STSEmulator
  let sandbox: Sandbox
  let user: IAMUser

  /// A config with `[default]` in us-east-1 and one role profile `dev` (in `region` when given)
  /// whose source is `[default]`.
  static func roleProfileConfig(region: String? = nil) -> String {
    """
    [default]
    region = us-east-1

    [profile dev]
    source_profile = default
    role_arn = \(roleARN("dev"))
    \(region.map { "region = \($0)" } ?? "")
    """
  }

  /// A config whose `[default]` (in us-east-1) has `user`'s MFA device, and one role profile
  /// `secure` whose source is `[default]`.
  static func mfaProfileConfig(_ user: IAMUser) -> String {
    """
    [default]
    region = us-east-1
    mfa_serial = \(user.mfaSerial ?? "")

    [profile secure]
    source_profile = default
    role_arn = \(roleARN("secure"))
    """
  }

  /// A role ARN in the emulator's default account.
  static func roleARN(_ name: String, account: String = "123456789012") -> String {
    "arn:aws:iam::\(account):role/\(name)"
  }

  /// Creates a user (with an MFA device if `mfa`), writes its keys under `[default]` (or
  /// `credentialsSection`) and `config(user)` as the config file.
  init(
    emulator: STSEmulator? = nil, mfa: Bool = false, credentialsSection: String = "default",
    config: (IAMUser) -> String
  ) async throws {
    if let emulator {
      self.emulator = emulator
    } else {
      self.emulator = try await STSEmulator.shared
    }
    sandbox = try Sandbox()
    let name = "user-" + UUID().uuidString.prefix(8).lowercased()
    user = try await self.emulator.createUser(name: name, mfa: mfa)
    try sandbox.writeCredentials(
      """
      [\(credentialsSection)]
      aws_access_key_id = \(user.accessKeyId)
      aws_secret_access_key = \(user.secretAccessKey)

      """)
    try sandbox.writeConfig(config(user))
  }

  /// The environment `aws-runas` runs with: the sandbox's, pointed at the emulator, plus `extra`.
  func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = sandbox.environment(endpoint: emulator.endpoint)
    for (key, value) in extra { environment[key] = value }
    return environment
  }

  /// Runs `aws-runas` with `arguments` (as `user` when given).
  func runAs(
    _ arguments: [String], environment extra: [String: String] = [:], stdin: String? = nil,
    as user: UnprivilegedUser? = nil
  ) async throws -> ProcessResult {
    let command = [runAsBinary()] + arguments
    return try await run(user?.command(command) ?? command, environment: environment(extra), stdin: stdin)
  }

  /// Runs `aws-runas` detached from any terminal (`setsid`), so it cannot prompt.
  func runAsWithoutTerminal(_ arguments: [String], environment extra: [String: String] = [:]) async throws
    -> ProcessResult
  {
    try await run("/usr/bin/setsid", ["-w", runAsBinary()] + arguments, environment: environment(extra))
  }

  /// A current MFA code for the user's device.
  func mfaCode() async throws -> String {
    guard let serial = user.mfaSerial else { throw HarnessError("user has no MFA device") }
    return try await emulator.totp(serial: serial)
  }

  /// Parses an RFC 3339 timestamp with or without fractional seconds.
  static func parseTimestamp(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions.insert(.withFractionalSeconds)
    return formatter.date(from: text)
  }

  /// The decoded `credential_process` document printed by `aws-runas -O json`.
  static func credentialDocument(_ result: ProcessResult) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
      throw HarnessError("not a JSON object: \(result.stdout)")
    }
    return object
  }
}

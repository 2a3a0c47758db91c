import Foundation
import TestSupport

/// Loopback IAM Identity Center: SSO-OIDC, the access portal and the sign-in federation endpoint
/// (`Tests/Support/sso_emulator.py`, see `Tests/Support/SSO_EMULATOR.md`), minting real moto
/// role credentials through an ``STSEmulator``. Each test starts its own: the emulator's state
/// (tokens, faults, counters) is per instance.
final class SSOEmulator: Sendable {
  /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`.
  let endpoint: String
  let port: UInt16
  /// The directory of botocore endpoint rule sets that send the AWS CLI v2 here (`AWS_DATA_PATH`).
  let awsDataPath: String
  private let child: BackgroundProcess

  init(sts: STSEmulator, startupTimeout: Duration = .seconds(120)) async throws {
    awsDataPath =
      FileManager.default.temporaryDirectory.appendingPathComponent("sso-data-\(UUID().uuidString)").path
    (child, port) = try await PythonEmulator.start(
      "sso_emulator.py", arguments: ["--sts-url", sts.endpoint, "--aws-data-path", awsDataPath],
      timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
  }

  deinit { try? FileManager.default.removeItem(atPath: awsDataPath) }

  func stop() async { await child.stop() }

  /// What the emulator logged so far, for failure messages.
  func log() -> String { child.output(.stderr) }

  /// Calls per operation (and `CreateToken.<grant>`).
  func calls() async throws -> [String: Int] {
    try await JSONDecoder().decode([String: Int].self, from: request("GET", "/_emulator/calls"))
  }

  /// Pending (or all) device authorizations, oldest first.
  func authorizations(status: String? = "pending") async throws -> [[String: String]] {
    let path = "/_emulator/authorizations" + (status.map { "?status=\($0)" } ?? "")
    let list = try await JSONSerialization.jsonObject(with: request("GET", path)) as? [[String: Any]] ?? []
    return list.map { $0.compactMapValues { $0 as? String } }
  }

  /// Waits for a pending device authorization and approves (or denies) it, like the user in the
  /// browser; returns its user code.
  @discardableResult
  func decideNextAuthorization(approve: Bool = true, timeout: Duration = .seconds(60)) async throws -> String {
    guard let pending = try await poll(timeout: timeout, { try await authorizations().first }) else {
      throw HarnessError("no device authorization started within \(timeout)\n\(log())")
    }
    let code = pending["userCode"] ?? ""
    _ = try await request("POST", approve ? "/_emulator/approve" : "/_emulator/deny", json: ["user_code": code])
    return code
  }

  /// Changes emulator settings (`access_token_seconds`, `device_code_seconds`, `interval`…).
  func configure(_ settings: [String: Any]) async throws {
    _ = try await request("POST", "/_emulator/settings", json: settings)
  }

  /// The next `count` device-code polls get SlowDownException.
  func slowDown(count: Int) async throws {
    _ = try await request("POST", "/_emulator/slow_down", json: ["count": count])
  }

  /// `{"all_access_tokens": true}`, `{"access_token": T}`…: moves expiries into the past.
  func expire(_ what: [String: Any]) async throws {
    _ = try await request("POST", "/_emulator/expire", json: what)
  }

  /// `{"all": true}`, `{"access_token": T}`…: makes tokens unknown to the service.
  func revoke(_ what: [String: Any]) async throws {
    _ = try await request("POST", "/_emulator/revoke", json: what)
  }

  /// Issued tokens (`access`, `refresh`, `clients`, `signin`).
  func tokens() async throws -> [String: Any] {
    try await JSONSerialization.jsonObject(with: request("GET", "/_emulator/tokens")) as? [String: Any] ?? [:]
  }

  /// The next `count` calls of `operation` fail with `status`/`code`.
  func injectFault(operation: String, status: Int, code: String, count: Int = 1) async throws {
    _ = try await request(
      "POST", "/_emulator/fault", json: ["operation": operation, "status": status, "code": code, "count": count])
  }

  private func request(_ method: String, _ path: String, json: [String: Any]) async throws -> Data {
    try await request(method, path, body: JSONSerialization.data(withJSONObject: json))
  }

  private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
    try await PythonEmulator.request("SSO emulator", port: port, method, path, body: body)
  }
}

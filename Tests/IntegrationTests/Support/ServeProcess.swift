import Foundation
import TestSupport

/// A running `aws-runas serve …`: started in the background, its URL read from its log, stopped
/// with SIGTERM by `stop()` or (without waiting) when released.
final class ServeProcess: Sendable {
  private let child: BackgroundProcess
  /// `http://127.0.0.1:<port>` (no path).
  let baseURL: String
  /// The port.
  let port: UInt16

  /// Starts `aws-runas serve <arguments>` and waits until it logs the endpoint URL.
  init(
    _ arguments: [String], environment: [String: String], as user: UnprivilegedUser? = nil,
    timeout: Duration = .seconds(60)
  ) async throws {
    let command = user?.command([runAsBinary()] + arguments) ?? [runAsBinary()] + arguments
    child = try BackgroundProcess(command[0], Array(command.dropFirst()), environment: environment)
    baseURL = try await child.waitForOutput("the endpoint URL", on: .stderr, timeout: timeout) { log in
      log.firstMatch(of: /endpoint set to (http:\/\/127\.0\.0\.1:[0-9]+)/).map { String($0.1) }
    }
    port = UInt16(baseURL.split(separator: ":").last ?? "") ?? 0
  }

  /// `environment` for an SDK that takes its credentials from this `serve ecs` endpoint with
  /// `token`, and from nowhere else (no config or credentials file).
  func containerClientEnvironment(_ environment: [String: String], token: String) -> [String: String] {
    var client = environment
    client["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = baseURL + "/credentials"
    client["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
    client["AWS_DEFAULT_REGION"] = "us-east-1"
    client["AWS_CONFIG_FILE"] = "/dev/null"
    client["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    return client
  }

  /// The server's process id.
  var pid: Int32 { child.pid }

  /// What the server logged so far.
  var log: String { child.output(.stderr) }

  /// Sends SIGTERM and waits; returns the exit status.
  @discardableResult
  func stop() async -> Int32 {
    await child.stop()
  }

  /// One request to the server with curl (the management API's intended client) on a new
  /// connection; `headers` are added to the request.
  func request(
    _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]
  ) async throws -> (status: Int, body: String, headers: [String: String]) {
    var arguments = ["-s", "-i", "--path-as-is", "-m", "60", "-X", method, "-H", "Expect:"]
    for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
    if body != nil { arguments += ["--data-binary", "@-"] }
    let result = try await run("/usr/bin/curl", arguments + [baseURL + path], environment: [:], stdin: body)
    guard result.exitCode == 0, let split = result.stdout.range(of: "\r\n\r\n") else {
      throw HarnessError("curl \(method) \(path) failed: \(result.output())\n--- server log ---\n\(log)")
    }
    let lines = result.stdout[..<split.lowerBound].components(separatedBy: "\r\n")
    guard let statusText = lines.first?.split(separator: " ").dropFirst().first, let status = Int(statusText) else {
      throw HarnessError("curl \(method) \(path): no status line in \(result.stdout)")
    }
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (status, String(result.stdout[split.upperBound...]), fields)
  }
}

extension STSEmulator {
  /// Runs boto3 IAM client calls in the emulator (setup only, not counted), e.g.
  /// `["op": "create_group", "args": ["GroupName": "ops"]]`.
  func iam(_ calls: [[String: Any]]) async throws {
    let body = try JSONSerialization.data(withJSONObject: ["calls": calls])
    let response = try await LoopbackHTTP.request(method: "POST", port: port, path: "/_emulator/iam", body: body)
    guard response.status == 200 else {
      throw HarnessError("IAM setup failed: \(String(decoding: response.body, as: UTF8.self))")
    }
  }
}

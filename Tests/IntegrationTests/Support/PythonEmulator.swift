import Foundation
import TestSupport

/// What the launchers of the Python emulators in `Tests/Support` share: starting one on a free
/// loopback port and sending requests to its `/_emulator/` control API.
enum PythonEmulator {
  /// Starts `Tests/Support/<script> --port 0 --exit-on-stdin-eof <arguments>` with `python3` (or
  /// `STS_EMULATOR_PYTHON`), without the caller's `AWS_*` variables (botocore inside would read
  /// AWS_PROFILE & co.) and with `environment` added, and waits for its `PORT <n>` line. The
  /// emulator exits when the returned child is stopped or released, or when the test process
  /// dies (it watches its stdin).
  static func start(
    _ script: String, arguments: [String] = [], environment: [String: String] = [:], timeout: Duration
  ) async throws -> (child: BackgroundProcess, port: UInt16) {
    let path = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/\(script)").path
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    let python = env["STS_EMULATOR_PYTHON"] ?? "python3"
    env["PYTHONUNBUFFERED"] = "1"
    env.merge(environment) { $1 }
    let child = try BackgroundProcess(
      "/usr/bin/env", [python, path, "--port", "0", "--exit-on-stdin-eof"] + arguments, environment: env,
      holdingStdin: true)
    let port = try await child.waitForOutput("a PORT line", on: .stdout, timeout: timeout) { output in
      output.split(separator: "\n").first { $0.hasPrefix("PORT ") }.flatMap { UInt16($0.dropFirst(5)) }
    }
    return (child, port)
  }

  /// A request to the emulator `name` on `port`; an answer outside 2xx throws, quoting the body.
  static func request(
    _ name: String, port: UInt16, _ method: String, _ path: String, body: Data? = nil
  ) async throws -> Data {
    let response = try await LoopbackHTTP.request(method: method, port: port, path: path, body: body)
    guard (200..<300).contains(response.status) else {
      throw HarnessError(
        "\(name): \(method) \(path) -> \(response.status) \(String(decoding: response.body, as: UTF8.self))")
    }
    return response.body
  }
}

/// An emulator whose control API is `keycloak_emulator.py`'s, as the Okta and Entra emulators'
/// is: the request log and its reset, the faults, the current code of a user's code factor.
protocol PythonEmulatorControl: Sendable {
  /// The emulator's name in failure messages.
  static var name: String { get }
  /// Its loopback port.
  var port: UInt16 { get }
  /// Its process.
  var child: BackgroundProcess { get }
}

extension PythonEmulatorControl {
  /// Stops the emulator (stdin closed, SIGTERM, SIGKILL after 5 s).
  func stop() async { await child.stop() }

  /// What the emulator logged so far, for failure messages.
  func log() -> String { child.output(.stderr) }

  /// A request to the control API under `/_emulator/`; an answer outside 2xx throws.
  func control(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
    try await PythonEmulator.request(Self.name, port: port, method, path, body: body)
  }

  /// Every IdP request since start or the last `reset()`, in order.
  func requests() async throws -> [KeycloakEmulator.LoggedRequest] {
    try await JSONDecoder().decode([KeycloakEmulator.LoggedRequest].self, from: control("GET", "/_emulator/requests"))
  }

  /// Clears the request log.
  func reset() async throws {
    _ = try await control("POST", "/_emulator/reset", body: Data("{}".utf8))
  }

  /// Replaces the faults (the value's keys in snake case); an empty value clears them.
  func setFaults(_ faults: some Encodable & Sendable) async throws {
    _ = try await control("POST", "/_emulator/faults", body: PythonEmulator.snakeCaseEncoder.encode(faults))
  }

  /// The code a user's code factor (TOTP secret or fixed code) shows now.
  func otp(username: String) async throws -> String {
    let body = try await control("GET", "/_emulator/otp?username=\(username)")
    return try JSONDecoder().decode([String: String].self, from: body)["code"] ?? ""
  }
}

extension PythonEmulator {
  /// The encoder of control-API bodies: Swift's camel-case names as the emulators' snake case.
  static var snakeCaseEncoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return encoder
  }
}

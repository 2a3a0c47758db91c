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

  /// Runs the self-test `Tests/Support/<script> --url <emulator> --sts-url <moto>` (real consumers
  /// checking what an emulator issues) with `python3`, without the caller's `AWS_*` variables.
  static func selfTest(_ script: String, url: String, stsURL: String) async throws -> ProcessResult {
    let path = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/\(script)").path
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    environment["PYTHONUNBUFFERED"] = "1"
    let python = environment["STS_EMULATOR_PYTHON"] ?? "python3"
    return try await run(
      "/usr/bin/env", [python, path, "--url", url, "--sts-url", stsURL], environment: environment,
      timeout: .seconds(300))
  }
}

/// An emulator launcher whose control API is `keycloak_emulator.py`'s, as the Okta, OneLogin,
/// Entra ID and ForgeRock emulators' is, written once: its process, JSON bodies with the
/// emulators' snake_case names, the request log and its reset, the faults, the current MFA code.
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

  /// POSTs `value` as JSON, its keys in snake_case as the emulators name their fields.
  func control(post path: String, _ value: some Encodable) async throws {
    _ = try await control("POST", path, body: PythonEmulator.snakeCaseEncoder.encode(value))
  }

  /// Every IdP request since start or the last `reset()`, in order, decoded from snake_case.
  func loggedRequests<Row: Decodable>(as row: Row.Type) async throws -> [Row] {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode([Row].self, from: await control("GET", "/_emulator/requests"))
  }

  /// The code a user's authenticator shows now (`/_emulator/otp` with `query`).
  func otp(_ query: [String: String]) async throws -> String {
    var components = URLComponents()
    components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
    let body = try await control("GET", "/_emulator/otp?\(components.percentEncodedQuery ?? "")")
    return try JSONDecoder().decode([String: String].self, from: body)["code"] ?? ""
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
  func otp(username: String) async throws -> String { try await otp(["username": username]) }
}

extension PythonEmulator {
  /// The encoder of control-API bodies: Swift's camel-case names as the emulators' snake case.
  static var snakeCaseEncoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return encoder
  }
}

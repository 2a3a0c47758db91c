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

/// An emulator of `Tests/Support` started with ``PythonEmulator/start(_:arguments:environment:timeout:)``:
/// what every one offers, its process and its `/_emulator/` control API, written once.
protocol ControllableEmulator: Sendable {
  /// The name failure messages use ("ForgeRock emulator").
  static var displayName: String { get }
  /// Its loopback port.
  var port: UInt16 { get }
  /// Its process.
  var child: BackgroundProcess { get }
}

extension ControllableEmulator {
  func stop() async { await child.stop() }

  /// What the emulator logged so far, for failure messages.
  func log() -> String { child.output(.stderr) }

  /// A control request; an answer outside 2xx throws.
  func control(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
    try await PythonEmulator.request(Self.displayName, port: port, method, path, body: body)
  }

  /// A control request whose body is `value` as JSON with snake_case keys, as the emulators take it.
  func control(_ method: String, _ path: String, json value: some Encodable) async throws -> Data {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return try await control(method, path, body: encoder.encode(value))
  }

  /// Clears the request log.
  func reset() async throws {
    _ = try await control("POST", "/_emulator/reset", body: Data("{}".utf8))
  }

  /// The code a user's authenticator shows now.
  func otp(username: String) async throws -> String {
    let body = try await control("GET", "/_emulator/otp?username=\(username)")
    return try JSONDecoder().decode([String: String].self, from: body)["code"] ?? ""
  }
}

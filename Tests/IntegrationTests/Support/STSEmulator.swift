import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// An IAM user created in the emulator, with its long-term access key.
struct IAMUser: Sendable, Equatable, Decodable {
  var accessKeyId: String
  var secretAccessKey: String
  var userArn: String
  /// Virtual MFA device enabled for the user (`arn:aws:iam::<account>:mfa/<name>`), if requested.
  var mfaSerial: String?
  /// Base32 TOTP seed of that device.
  var mfaSeed: String?

  enum CodingKeys: String, CodingKey {
    case accessKeyId = "AccessKeyId", secretAccessKey = "SecretAccessKey", userArn = "UserArn"
    case mfaSerial = "MfaSerial", mfaSeed = "MfaSeed"
  }
}

/// Loopback STS/IAM emulator: moto's server plus real MFA checks, call counting and fault
/// injection (`Tests/Support/sts_emulator.py`). Needs `python3` with moto[server] and boto3
/// (`scripts/ensure-test-deps.sh`); `STS_EMULATOR_PYTHON` overrides the interpreter.
///
/// Use `try await STSEmulator.shared` when tests only create their own, uniquely named users;
/// start a private instance (`try await STSEmulator()`) for tests that reset counters, inject
/// faults or switch on signature checks. The emulator exits when stopped, when this object is
/// released, or when the test process dies (it watches its stdin).
final class STSEmulator: Sendable {
  /// `http://127.0.0.1:<port>`, to be used as `AWS_ENDPOINT_URL`.
  let endpoint: String
  let port: UInt16
  private let child: BackgroundProcess

  /// One emulator for the whole test run, started on first use.
  static var shared: STSEmulator {
    get async throws { try await sharedInstance.value }
  }
  private static let sharedInstance = Task { try await STSEmulator() }

  /// Starts a private emulator. `environment` is added to the emulator's own environment, for
  /// example `["INITIAL_NO_AUTH_ACTION_COUNT": "5"]` to check signatures after 5 requests
  /// (see `createUser` for how setup calls count).
  init(environment: [String: String] = [:], startupTimeout: Duration = .seconds(120)) async throws {
    (child, port) = try await PythonEmulator.start(
      "sts_emulator.py", environment: environment, timeout: startupTimeout)
    endpoint = "http://127.0.0.1:\(port)"
  }

  /// Stops the emulator (stdin closed, SIGTERM, SIGKILL after 5 s). Releasing it does the same
  /// without waiting.
  func stop() async {
    await child.stop()
  }

  /// What the emulator logged to stderr so far (one line per request), for failure messages.
  func log() -> String {
    child.output(.stderr)
  }

  /// Requests per STS/IAM action name since start or the last `reset()`; setup calls made by
  /// `createUser` are not included.
  func calls() async throws -> [String: Int] {
    try await JSONDecoder().decode([String: Int].self, from: request("GET", "/_emulator/calls"))
  }

  /// Clears call counters and pending faults (users and devices stay).
  func reset() async throws {
    _ = try await request("POST", "/_emulator/reset", json: [:])
  }

  /// The next `count` requests for `action` wait `delaySeconds` (if given) and then fail with
  /// `status` and an AWS error body carrying `code` (if `status` is given; otherwise they are
  /// only delayed). Throttling is `status: 400, code: "Throttling"`.
  func injectFault(
    action: String, status: Int? = nil, code: String? = nil, count: Int = 1,
    delaySeconds: Double? = nil
  ) async throws {
    var fault: [String: Any] = ["action": action, "count": count]
    fault["status"] = status
    fault["code"] = code
    fault["delay_seconds"] = delaySeconds
    _ = try await request("POST", "/_emulator/fault", json: fault)
  }

  /// Creates IAM user `name` with an access key; with `mfa`, also a virtual MFA device enabled for
  /// it; with `policy` (IAM policy JSON text), an inline user policy. Setup calls count against
  /// INITIAL_NO_AUTH_ACTION_COUNT (2 per user, +1 for a policy, +2 for MFA) and fail once signature
  /// checks are on, so create users first.
  func createUser(name: String, mfa: Bool = false, policy: String? = nil) async throws -> IAMUser {
    var spec: [String: Any] = ["name": name, "mfa": mfa]
    if let policy {
      spec["policy"] = try JSONSerialization.jsonObject(with: Data(policy.utf8))
    }
    return try await JSONDecoder().decode(IAMUser.self, from: request("POST", "/_emulator/user", json: spec))
  }

  /// The TOTP code of MFA device `serial` for the current 30 s step (`offset` steps away).
  func totp(serial: String, offset: Int = 0) async throws -> String {
    var query = URLComponents()
    query.queryItems = [.init(name: "serial", value: serial), .init(name: "offset", value: "\(offset)")]
    let body = try await request("GET", "/_emulator/totp?\(query.percentEncodedQuery ?? "")")
    return try JSONDecoder().decode([String: String].self, from: body)["code"] ?? ""
  }

  /// Switches moto's signature and permission checks on after `count` more requests
  /// (moto's `/moto-api/reset-auth`). Only on a private emulator: this is process-wide.
  func setInitialNoAuthActionCount(_ count: Int) async throws {
    _ = try await request("POST", "/moto-api/reset-auth", body: Data("\(count)".utf8))
  }

  // MARK: - Plumbing

  private func request(_ method: String, _ path: String, json: [String: Any]) async throws -> Data {
    try await request(method, path, body: JSONSerialization.data(withJSONObject: json))
  }

  private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
    try await PythonEmulator.request("STS emulator", port: port, method, path, body: body)
  }

  /// The directory holding Package.swift, found by walking up from this source file.
  static func repositoryRoot(from file: String = #filePath) -> URL {
    var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
    while dir.path != "/" {
      if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        return dir
      }
      dir.deleteLastPathComponent()
    }
    fatalError("no Package.swift above \(file)")
  }
}

/// Control requests to loopback test servers, on an NIO-based client of the harness's own: many
/// tests ask the shared emulator at once, and RunAsCore's client (8 connections per host, 5 s to
/// get one) is tuned for aws-runas, not for that crowd.
enum LoopbackHTTP {
  struct Response {
    var status: Int
    var body: Data
  }

  private static let client: HTTPClient = {
    let configuration = HTTPClient.Configuration(
      redirectConfiguration: .disallow, timeout: .init(connect: .seconds(60), read: .seconds(120)),
      connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256))
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
  }()

  static func request(
    method: String, port: UInt16, path: String, body: Data? = nil, timeout: Duration = .seconds(120)
  ) async throws -> Response {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
    request.method = HTTPMethod(rawValue: method)
    request.headers.add(name: "Content-Type", value: "application/json")
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    do {
      let response = try await client.execute(request, timeout: .seconds(timeout.components.seconds))
      let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
      return Response(status: Int(response.status.code), body: Data(body.readableBytesView))
    } catch {
      throw HarnessError("\(method) http://127.0.0.1:\(port)\(path) failed: \(error)")
    }
  }
}

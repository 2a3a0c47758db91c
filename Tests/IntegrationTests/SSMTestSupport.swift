import Foundation
import TestSupport

/// An EC2 instance the emulator made (`POST /_emulator/ec2`).
struct EmulatedInstance: Decodable, Sendable {
  var instanceId: String
  var state: String
  var privateIpAddress: String?
  var publicIpAddress: String?
  var privateDnsName: String?
  var publicDnsName: String?
  var availabilityZone: String?

  enum CodingKeys: String, CodingKey {
    case instanceId = "InstanceId", state = "State", privateIpAddress = "PrivateIpAddress"
    case publicIpAddress = "PublicIpAddress", privateDnsName = "PrivateDnsName", publicDnsName = "PublicDnsName"
    case availabilityZone = "AvailabilityZone"
  }
}

extension STSEmulator {
  /// Creates instances straight in moto's EC2 (one reservation each), e.g.
  /// `["tags": ["Name": "web"], "private_ip": "10.0.0.5", "public_ip": "54.1.2.3", "ssm_connected": false]`.
  func createInstances(
    _ instances: [[String: Any]], region: String = "us-east-1", account: String = "123456789012"
  ) async throws -> [EmulatedInstance] {
    struct Answer: Decodable { var instances: [EmulatedInstance] }
    let body = try JSONSerialization.data(
      withJSONObject: ["region": region, "account": account, "instances": instances])
    let response = try await LoopbackHTTP.request(method: "POST", port: port, path: "/_emulator/ec2", body: body)
    guard response.status == 200 else {
      throw HarnessError("EC2 setup failed: \(String(decoding: response.body, as: UTF8.self))")
    }
    return try JSONDecoder().decode(Answer.self, from: response.body).instances
  }

  /// Every SSM session request so far (`GET /_emulator/ssm/sessions` → `requests`).
  func ssmRequests() async throws -> [[String: Any]] {
    try await records("/_emulator/ssm/sessions")
  }

  /// Every SendSSHPublicKey so far.
  func instanceConnectRequests() async throws -> [[String: Any]] {
    try await records("/_emulator/ec2-instance-connect/keys")
  }

  private func records(_ path: String) async throws -> [[String: Any]] {
    let response = try await LoopbackHTTP.request(method: "GET", port: port, path: path)
    let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
    return object?["requests"] as? [[String: Any]] ?? []
  }
}

/// What the stand-ins in `Tests/Support/bin` recorded (`RUNAS_STANDIN_LOG`).
struct StandInLog {
  let path: String

  /// `Tests/Support/bin`.
  static let directory = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/bin").path

  init(sandbox: Sandbox) {
    path = sandbox.path("standin.log")
  }

  /// The environment entries that put the stand-ins first on PATH and log to this file.
  var environment: [String: String] {
    [
      "PATH": Self.directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
      "RUNAS_STANDIN_LOG": path,
    ]
  }

  /// Every record, in order.
  func records() throws -> [[String: Any]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return try text.split(separator: "\n").map { line in
      guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw HarnessError("not a JSON object: \(line)")
      }
      return record
    }
  }

  /// The start records of `program` that are sessions (not `--version` checks) or logins.
  func runs(of program: String) throws -> [[String: Any]] {
    try records().filter { record in
      guard record["program"] as? String == program, record["event"] as? String == "start" else { return false }
      let mode = (record["contract"] as? [String: Any])?["mode"] as? String
      return mode != "version" && mode != "check"
    }
  }
}

extension [String: Any] {
  /// `self[key]` as a string array (argv).
  func strings(_ key: String) -> [String] { self[key] as? [String] ?? [] }
  /// `self[key]` as an object.
  func object(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
  /// `self[key]` as a string.
  func string(_ key: String) -> String? { self[key] as? String }
}

/// JSON text as an object, for comparing documents regardless of layout.
func jsonObject(_ text: String?) -> [String: Any]? {
  guard let text else { return nil }
  return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}

/// A unique suffix for names in the shared emulator.
func uniqueSuffix() -> String {
  UUID().uuidString.prefix(8).lowercased()
}

/// A random address in 10.128.0.0/9, unlikely to clash in the shared emulator.
func randomPrivateAddress() -> String {
  "10.\(Int.random(in: 128...254)).\(Int.random(in: 0...254)).\(Int.random(in: 1...254))"
}

/// A random public-looking address.
func randomPublicAddress() -> String {
  "54.\(Int.random(in: 0...254)).\(Int.random(in: 0...254)).\(Int.random(in: 1...254))"
}

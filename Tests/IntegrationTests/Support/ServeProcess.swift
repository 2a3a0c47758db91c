import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A running `aws-runas serve …`: started in the background, its URL read from its log, stopped
/// with SIGTERM when released.
final class ServeProcess: @unchecked Sendable {
  // @unchecked: `process` is only used from the test that owns this object.
  private let process: Process
  private let logFile: URL
  /// `http://127.0.0.1:<port>` (no path).
  let baseURL: String
  /// The port.
  let port: UInt16

  /// Starts `aws-runas serve <arguments>` and waits until it logs the endpoint URL.
  init(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(30)) throws {
    logFile = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
    process = Process()
    process.executableURL = URL(fileURLWithPath: runAsBinary())
    process.arguments = arguments
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: logFile)
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while true {
      let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
      if let range = log.range(of: #"endpoint set to http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
        let url = String(log[range].dropFirst("endpoint set to ".count))
        baseURL = url
        port = UInt16(url.split(separator: ":").last ?? "") ?? 0
        return
      }
      if !process.isRunning || ContinuousClock.now > deadline {
        process.terminate()
        process.waitUntilExit()
        throw HarnessError("aws-runas \(arguments.joined(separator: " ")) did not start:\n\(log)")
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
  }

  deinit {
    _ = stop()
    try? FileManager.default.removeItem(at: logFile)
  }

  /// What the server logged so far.
  var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

  /// Sends SIGTERM and waits; returns the exit status.
  @discardableResult
  func stop() -> Int32 {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    return process.terminationStatus
  }

  /// One request to the server with curl (the management API's intended client); `headers` are
  /// added to the request.
  func request(
    _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]
  ) throws -> (status: Int, body: String, headers: [String: String]) {
    var arguments = ["-s", "-i", "--path-as-is", "-m", "30", "-X", method, "-H", "Expect:"]
    for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
    if body != nil { arguments += ["--data-binary", "@-"] }
    let result = try run("/usr/bin/curl", arguments + [baseURL + path], environment: [:], stdin: body)
    guard result.exitCode == 0, let split = result.stdout.range(of: "\r\n\r\n") else {
      throw HarnessError("curl \(method) \(path) failed: \(result.output())")
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
  func iam(_ calls: [[String: Any]]) throws {
    let body = try JSONSerialization.data(withJSONObject: ["calls": calls])
    let response = try LoopbackHTTP.request(method: "POST", port: port, path: "/_emulator/iam", body: body)
    guard response.status == 200 else {
      throw HarnessError("IAM setup failed: \(String(decoding: response.body, as: UTF8.self))")
    }
  }
}

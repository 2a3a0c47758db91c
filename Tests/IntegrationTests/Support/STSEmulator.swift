import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

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
/// Use `try STSEmulator.shared` when tests only create their own, uniquely named users; start a
/// private instance (`try STSEmulator()`) for tests that reset counters, inject faults or switch
/// on signature checks. The emulator exits when stopped, when this object is released, or when
/// the test process dies (it watches its stdin).
final class STSEmulator: Sendable {
  /// `http://127.0.0.1:<port>`, to be used as `AWS_ENDPOINT_URL`.
  let endpoint: String
  let port: UInt16
  private let child: LockedValue<Child?>
  private let logDirectory: URL

  private struct Child {
    let process: Process
    let stdin: FileHandle
  }

  /// One emulator for the whole test run, started on first use.
  static var shared: STSEmulator {
    get throws { try sharedInstance.get() }
  }
  private static let sharedInstance: Result<STSEmulator, HarnessError> = {
    do { return .success(try STSEmulator()) } catch { return .failure(HarnessError("\(error)")) }
  }()

  /// Starts a private emulator. `environment` is added to the emulator's own environment, for
  /// example `["INITIAL_NO_AUTH_ACTION_COUNT": "5"]` to check signatures after 5 requests
  /// (see `createUser` for how setup calls count).
  init(environment: [String: String] = [:], startupTimeout: Duration = .seconds(30)) throws {
    let script = Self.repositoryRoot().appendingPathComponent("Tests/Support/sts_emulator.py").path
    logDirectory = FileManager.default.temporaryDirectory
      .appendingPathComponent("sts-emulator-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    let stdoutLog = logDirectory.appendingPathComponent("stdout.log")
    let stderrLog = logDirectory.appendingPathComponent("stderr.log")
    _ = FileManager.default.createFile(atPath: stdoutLog.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrLog.path, contents: nil)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let python = ProcessInfo.processInfo.environment["STS_EMULATOR_PYTHON"] ?? "python3"
    process.arguments = [python, script, "--port", "0", "--exit-on-stdin-eof"]
    // No AWS_* from the developer's shell: botocore inside moto would read AWS_PROFILE & co.
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    env["PYTHONUNBUFFERED"] = "1"
    env.merge(environment) { $1 }
    process.environment = env
    let stdin = Pipe()
    process.standardInput = stdin
    process.standardOutput = try FileHandle(forWritingTo: stdoutLog)
    process.standardError = try FileHandle(forWritingTo: stderrLog)
    do {
      try process.run()
    } catch {
      try? FileManager.default.removeItem(at: logDirectory)
      throw HarnessError("cannot start the STS emulator (\(script)): \(error)")
    }
    child = LockedValue(Child(process: process, stdin: stdin.fileHandleForWriting))

    func failure(_ reason: String) -> HarnessError {
      let stderr = (try? String(contentsOf: stderrLog, encoding: .utf8)) ?? ""
      return HarnessError("STS emulator (\(script)) \(reason)\n--- emulator stderr ---\n\(stderr)")
    }
    let deadline = ContinuousClock.now + startupTimeout
    var port: UInt16?
    while port == nil {
      let output = (try? String(contentsOf: stdoutLog, encoding: .utf8)) ?? ""
      if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("PORT ") }) {
        port = UInt16(line.dropFirst(5))
      } else if !process.isRunning {
        let error = failure("exited with status \(process.terminationStatus) before listening")
        try? FileManager.default.removeItem(at: logDirectory)
        throw error
      } else if ContinuousClock.now > deadline {
        let error = failure("printed no PORT line within \(startupTimeout)")
        Self.terminate(process, stdin: stdin.fileHandleForWriting)
        try? FileManager.default.removeItem(at: logDirectory)
        throw error
      } else {
        Thread.sleep(forTimeInterval: 0.02)
      }
    }
    self.port = port!
    endpoint = "http://127.0.0.1:\(port!)"
  }

  deinit { stop() }

  /// Stops the emulator (SIGTERM, then SIGKILL after 5 s) and removes its logs. Idempotent.
  func stop() {
    guard let child = child.withLock({ $0.take() }) else { return }
    Self.terminate(child.process, stdin: child.stdin)
    try? FileManager.default.removeItem(at: logDirectory)
  }

  /// What the emulator logged to stderr so far (one line per request), for failure messages.
  func log() -> String {
    (try? String(contentsOf: logDirectory.appendingPathComponent("stderr.log"), encoding: .utf8)) ?? ""
  }

  /// Requests per STS/IAM action name since start or the last `reset()`; setup calls made by
  /// `createUser` are not included.
  func calls() throws -> [String: Int] {
    try JSONDecoder().decode([String: Int].self, from: request("GET", "/_emulator/calls"))
  }

  /// Clears call counters and pending faults (users and devices stay).
  func reset() throws {
    _ = try request("POST", "/_emulator/reset", json: [:])
  }

  /// The next `count` requests for `action` wait `delaySeconds` (if given) and then fail with
  /// `status` and an AWS error body carrying `code` (if `status` is given; otherwise they are
  /// only delayed). Throttling is `status: 400, code: "Throttling"`.
  func injectFault(
    action: String, status: Int? = nil, code: String? = nil, count: Int = 1,
    delaySeconds: Double? = nil
  ) throws {
    var fault: [String: Any] = ["action": action, "count": count]
    fault["status"] = status
    fault["code"] = code
    fault["delay_seconds"] = delaySeconds
    _ = try request("POST", "/_emulator/fault", json: fault)
  }

  /// Creates IAM user `name` with an access key; with `mfa`, also a virtual MFA device enabled for
  /// it; with `policy` (IAM policy JSON text), an inline user policy. Setup calls count against
  /// INITIAL_NO_AUTH_ACTION_COUNT (2 per user, +1 for a policy, +2 for MFA) and fail once signature
  /// checks are on, so create users first.
  func createUser(name: String, mfa: Bool = false, policy: String? = nil) throws -> IAMUser {
    var spec: [String: Any] = ["name": name, "mfa": mfa]
    if let policy {
      spec["policy"] = try JSONSerialization.jsonObject(with: Data(policy.utf8))
    }
    return try JSONDecoder().decode(IAMUser.self, from: request("POST", "/_emulator/user", json: spec))
  }

  /// The TOTP code of MFA device `serial` for the current 30 s step (`offset` steps away).
  func totp(serial: String, offset: Int = 0) throws -> String {
    var query = URLComponents()
    query.queryItems = [.init(name: "serial", value: serial), .init(name: "offset", value: "\(offset)")]
    let body = try request("GET", "/_emulator/totp?\(query.percentEncodedQuery ?? "")")
    return try JSONDecoder().decode([String: String].self, from: body)["code"] ?? ""
  }

  /// Switches moto's signature and permission checks on after `count` more requests
  /// (moto's `/moto-api/reset-auth`). Only on a private emulator: this is process-wide.
  func setInitialNoAuthActionCount(_ count: Int) throws {
    _ = try request("POST", "/moto-api/reset-auth", body: Data("\(count)".utf8))
  }

  // MARK: - Plumbing

  private func request(_ method: String, _ path: String, json: [String: Any]) throws -> Data {
    try request(method, path, body: JSONSerialization.data(withJSONObject: json))
  }

  private func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    let response = try LoopbackHTTP.request(method: method, port: port, path: path, body: body)
    guard (200..<300).contains(response.status) else {
      throw HarnessError(
        "STS emulator: \(method) \(path) -> \(response.status) \(String(decoding: response.body, as: UTF8.self))")
    }
    return response.body
  }

  private static func terminate(_ process: Process, stdin: FileHandle) {
    try? stdin.close()
    guard process.isRunning else { return }
    process.terminate()
    let deadline = ContinuousClock.now + .seconds(5)
    while process.isRunning && ContinuousClock.now < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
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

/// Minimal blocking HTTP/1.1 client for loopback control requests (one request per connection).
enum LoopbackHTTP {
  struct Response {
    var status: Int
    var body: Data
  }

  static func request(
    method: String, port: UInt16, path: String, body: Data? = nil, timeoutSeconds: Int = 30
  ) throws -> Response {
    #if canImport(Glibc)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
    defer { close(fd) }

    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
      setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
    #if canImport(Darwin)
      var one: Int32 = 1
      setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
    #endif

    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      throw HarnessError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
    }

    let body = body ?? Data()
    var message = Data(
      """
      \(method) \(path) HTTP/1.1\r
      Host: 127.0.0.1:\(port)\r
      Content-Type: application/json\r
      Content-Length: \(body.count)\r
      Connection: close\r
      \r

      """.utf8)
    message.append(body)
    try message.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        #if os(Linux)
          let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
        #else
          let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, 0)
        #endif
        if sent < 0 && errno == EINTR { continue }
        guard sent > 0 else { throw HarnessError("send to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        offset += sent
      }
    }

    var received = Data()
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else {
        throw HarnessError("recv from 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
      }
      if count == 0 { break }
      received.append(contentsOf: buffer[0..<count])
    }
    return try parse(received)
  }

  private static func parse(_ data: Data) throws -> Response {
    guard let split = data.range(of: Data("\r\n\r\n".utf8)) else {
      throw HarnessError("malformed HTTP response: \(String(decoding: data, as: UTF8.self))")
    }
    let head = String(decoding: data[..<split.lowerBound], as: UTF8.self)
    let lines = head.components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
      throw HarnessError("malformed HTTP status line: \(lines[0])")
    }
    var body = Data(data[split.upperBound...])
    for line in lines.dropFirst() {
      let field = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard field.count == 2 else { continue }
      switch field[0].lowercased() {
      case "content-length":
        if let length = Int(field[1]), length <= body.count { body = body.prefix(length) }
      case "transfer-encoding" where field[1].lowercased().contains("chunked"):
        throw HarnessError("chunked HTTP responses are not supported by LoopbackHTTP")
      default:
        break
      }
    }
    return Response(status: status, body: body)
  }
}

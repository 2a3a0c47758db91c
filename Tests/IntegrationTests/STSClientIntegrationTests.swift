import Foundation
import RunAsCore
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Round trips against a real moto server on loopback. `MotoServer` below is the only place that
// knows how moto is started: swap it for the shared `STSEmulator` fixture (same `endpoint`,
// `shared` and `init(environment:)` shape) when these tests move into the integration target.

@Suite("STSClient against moto", .serialized)
struct STSClientIntegrationTests {
  private func sts(_ endpoint: String, credentials: AWSCredentials? = MotoServer.anyCredentials) -> STSClient {
    STSClient(
      endpoint: ServiceEndpoint(url: endpoint, signingRegion: "us-east-1", service: "sts"),
      credentials: credentials)
  }

  @Test("GetSessionToken returns credentials with a fractional-second expiry")
  func getSessionToken() async throws {
    let moto = try MotoServer.shared
    let before = Date()
    let credentials = try await sts(moto.endpoint).getSessionToken(
      duration: .seconds(900) + .milliseconds(700), mfaSerial: nil, tokenCode: nil)
    #expect(!credentials.accessKeyID.isEmpty)
    #expect(!credentials.secretAccessKey.isEmpty)
    #expect(credentials.sessionToken?.isEmpty == false)
    let expiration = try #require(credentials.expiration)
    // moto answers "2026-11-21T20:12:58.883026Z"; whole seconds were sent, so the expiry is ~900 s out.
    #expect(abs(expiration.timeIntervalSince(before) - 900) < 30)
    #expect(credentials.isValid(at: Date()))
  }

  @Test("AssumeRole returns role credentials that expire after the requested duration")
  func assumeRole() async throws {
    let moto = try MotoServer.shared
    let before = Date()
    let credentials = try await sts(moto.endpoint).assumeRole(
      roleARN: "arn:aws:iam::123456789012:role/integration", sessionName: "runas-test",
      duration: .seconds(1800), externalID: "ext-1", mfaSerial: nil, tokenCode: nil)
    #expect(credentials.accessKeyID.hasPrefix("ASIA"))
    #expect(credentials.sessionToken != nil)
    let expiration = try #require(credentials.expiration)
    #expect(abs(expiration.timeIntervalSince(before) - 1800) < 30)
  }

  @Test("AssumeRoleWithWebIdentity works unsigned")
  func assumeRoleWithWebIdentity() async throws {
    let moto = try MotoServer.shared
    let credentials = try await sts(moto.endpoint, credentials: nil).assumeRoleWithWebIdentity(
      roleARN: "arn:aws:iam::123456789012:role/web", sessionName: "web-session",
      token: "eyJhbGciOiJSUzI1NiJ9.e30.sig", duration: .seconds(900))
    #expect(credentials.sessionToken != nil)
    #expect(credentials.expiration != nil)
  }

  @Test("GetCallerIdentity names moto's default account")
  func getCallerIdentity() async throws {
    let moto = try MotoServer.shared
    let identity = try await sts(moto.endpoint).getCallerIdentity()
    #expect(identity.account == "123456789012")
    #expect(identity.arn.hasPrefix("arn:aws:"))
    #expect(!identity.userID.isEmpty)
  }

  @Test("the server's Date header is readable without credentials")
  func serverDate() async throws {
    let moto = try MotoServer.shared
    let date = try #require(try await sts(moto.endpoint, credentials: nil).serverDate())
    #expect(abs(date.timeIntervalSinceNow) < 60)
  }

  @Test("an AWS error answer becomes an AWSServiceError with code and message")
  func serviceError() async throws {
    let moto = try MotoServer.shared
    let iam = IAMClient(
      endpoint: ServiceEndpoint(url: moto.endpoint, signingRegion: "us-east-1", service: "iam"),
      credentials: MotoServer.anyCredentials)
    do {
      _ = try await iam.listMFADevices(userName: "no-such-user-\(UUID().uuidString.prefix(8))")
      Issue.record("expected NoSuchEntity")
    } catch let error as AWSServiceError {
      #expect(error.code == "NoSuchEntity")
      #expect(error.statusCode == 404)
      #expect(error.message.contains("cannot be found"))
      #expect(error.description.hasPrefix("iam ListMFADevices failed: NoSuchEntity: "))
    }
  }

  @Test("ListMFADevices lists a user's virtual MFA device")
  func listMFADevices() async throws {
    let moto = try MotoServer.shared
    let user = "mfa-\(UUID().uuidString.prefix(8))"
    let serial = try moto.runPython(
      """
      iam.create_user(UserName=USER)
      arn = iam.create_virtual_mfa_device(VirtualMFADeviceName=USER)["VirtualMFADevice"]["SerialNumber"]
      iam.enable_mfa_device(UserName=USER, SerialNumber=arn, AuthenticationCode1="123456", AuthenticationCode2="654321")
      print(arn)
      """, user: user)
    let iam = IAMClient(
      endpoint: ServiceEndpoint(url: moto.endpoint, signingRegion: "us-east-1", service: "iam"),
      credentials: MotoServer.anyCredentials)
    #expect(try await iam.listMFADevices(userName: user) == [serial])
  }

  @Test("a refused connection is retried, then reported after 3 attempts")
  func connectionRefused() async throws {
    let started = ContinuousClock.now
    do {
      _ = try await sts("http://127.0.0.1:1/").getCallerIdentity()
      Issue.record("expected a transport error")
    } catch let error as AWSTransportError {
      #expect(error.attempts == 3)
      #expect(error.kind == .connectionRefused)
      #expect(error.description == "cannot reach sts at http://127.0.0.1:1/: connection refused (after 3 attempts)")
    }
    // Refusals fail fast: the whole thing is backoff (≤ 100 ms + 200 ms), not connect timeouts.
    #expect(ContinuousClock.now - started < .seconds(3))
  }

  @Test("a response slower than the timeout is reported as a timeout")
  func timeout() async throws {
    let silent = try SilentListener()
    let client = STSClient(
      endpoint: ServiceEndpoint(url: "http://127.0.0.1:\(silent.port)/", signingRegion: "us-east-1", service: "sts"),
      credentials: MotoServer.anyCredentials,
      transport: AsyncHTTPClientTransport(totalTimeout: .milliseconds(300)),
      retryPolicy: AWSRetryPolicy(maxAttempts: 2))
    do {
      _ = try await client.getCallerIdentity()
      Issue.record("expected a timeout")
    } catch let error as AWSTransportError {
      #expect(error.kind == .timedOut)
      #expect(error.attempts == 2)
      #expect(error.description.hasPrefix("cannot reach sts at http://127.0.0.1:\(silent.port)/: "))
    }
  }

  @Test("signatures are verified: the right secret passes, a wrong one is SignatureDoesNotMatch")
  func signatureChecked() async throws {
    // Signature checks start after the first 3 authenticated actions: the setup below.
    let moto = try MotoServer(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
    let user = "signer-\(UUID().uuidString.prefix(8))"
    let output = try moto.runPython(
      """
      import json
      iam.create_user(UserName=USER)
      key = iam.create_access_key(UserName=USER)["AccessKey"]
      iam.put_user_policy(UserName=USER, PolicyName="sts", PolicyDocument=json.dumps(
          {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}))
      print(key["AccessKeyId"], key["SecretAccessKey"])
      """, user: user)
    let parts = output.split(separator: " ").map(String.init)
    try #require(parts.count == 2)
    let good = AWSCredentials(accessKeyID: parts[0], secretAccessKey: parts[1])

    let identity = try await sts(moto.endpoint, credentials: good).getCallerIdentity()
    #expect(identity.arn == "arn:aws:iam::123456789012:user/\(user)")

    var wrong = good
    wrong.secretAccessKey = String(good.secretAccessKey.reversed())
    do {
      _ = try await sts(moto.endpoint, credentials: wrong).getCallerIdentity()
      Issue.record("expected SignatureDoesNotMatch")
    } catch let error as AWSServiceError {
      #expect(error.code == "SignatureDoesNotMatch")
      #expect(error.statusCode == 403)
      #expect(error.hint != nil)
    }

    let unknown = AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "x")
    await #expect(throws: AWSServiceError.self) {
      try await sts(moto.endpoint, credentials: unknown).getCallerIdentity()
    }

    // A signed AssumeRole, then a call signed with the role's session token, which moto checks too.
    let role = try await sts(moto.endpoint, credentials: good).assumeRole(
      roleARN: "arn:aws:iam::123456789012:role/chained", sessionName: "signed-session", duration: .seconds(900))
    let roleIdentity = try await sts(moto.endpoint, credentials: role).getCallerIdentity()
    #expect(roleIdentity.arn == "arn:aws:sts::123456789012:assumed-role/chained/signed-session")

    var wrongToken = role
    wrongToken.sessionToken = "not-the-token"
    await #expect(throws: AWSServiceError.self) {
      try await sts(moto.endpoint, credentials: wrongToken).getCallerIdentity()
    }
  }
}

// MARK: - Local moto helper (swap for STSEmulator in the real integration target)

/// A `moto_server` on a free loopback port, stopped when this object goes away or the test process
/// exits (a shell wrapper kills moto when its stdin closes).
private final class MotoServer: Sendable {
  /// Any key works while moto is not checking signatures.
  static let anyCredentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "testing")

  /// `http://127.0.0.1:<port>`.
  let endpoint: String
  let port: UInt16
  private let process: Process
  private let stdin: FileHandle
  private let logPath: String

  /// One server for the suite, started on first use.
  static var shared: MotoServer {
    get throws { try sharedInstance.get() }
  }
  private static let sharedInstance: Result<MotoServer, MotoServerError> = {
    do { return .success(try MotoServer()) } catch { return .failure(MotoServerError("\(error)")) }
  }()

  init(environment: [String: String] = [:], startupTimeout: Duration = .seconds(30)) throws {
    port = try Self.freePort()
    endpoint = "http://127.0.0.1:\(port)"
    logPath = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log").path
    let motoServer = ProcessInfo.processInfo.environment["MOTO_SERVER"] ?? "moto_server"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c",
      // SIGKILL because moto may inherit a signal mask that blocks SIGTERM from the test runner.
      #"\#(motoServer) -H 127.0.0.1 -p "$0" >"$1" 2>&1 & pid=$!; cat >/dev/null; kill -9 $pid; wait $pid"#,
      String(port), logPath,
    ]
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    env.merge(environment) { $1 }
    process.environment = env
    let pipe = Pipe()
    process.standardInput = pipe
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice  // the shell's "Killed" job notice
    try process.run()
    self.process = process
    self.stdin = pipe.fileHandleForWriting
    try waitUntilListening(timeout: startupTimeout)
  }

  deinit {
    try? stdin.close()
    let deadline = ContinuousClock.now + .seconds(10)
    while process.isRunning, ContinuousClock.now < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }

  /// Runs boto3 code against this server with `iam`, `sts` and `USER` defined; returns stdout.
  func runPython(_ code: String, user: String) throws -> String {
    let prelude = """
      import boto3, sys
      kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1",
                aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="testing")
      iam = boto3.client("iam", **kw)
      sts = boto3.client("sts", **kw)
      USER = sys.argv[2]

      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", prelude + code, endpoint, user]
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw MotoServerError("python setup failed: \(String(decoding: errorData, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  private func waitUntilListening(timeout: Duration) throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if Self.canConnect(port: port) { return }
      guard process.isRunning else { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    throw MotoServerError("moto_server did not start on port \(port): \(log)")
  }

  private static func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MotoServerError("socket() failed") }
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard bound else { throw MotoServerError("bind() failed") }
    return UInt16(bigEndian: address.sin_port)
  }

  private static func canConnect(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  fileprivate static func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
  }
}

private struct MotoServerError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// A loopback socket that accepts connections and never answers, for timeout tests.
final class SilentListener: Sendable {
  let port: UInt16
  private let fd: Int32

  init() throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MotoServerError("socket() failed") }
    var address = MotoServer.loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let fd = self.fd
    let ok = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard ok, listen(fd, 16) == 0 else {
      close(fd)
      throw MotoServerError("listen() failed")
    }
    port = UInt16(bigEndian: address.sin_port)
  }

  deinit { close(fd) }
}

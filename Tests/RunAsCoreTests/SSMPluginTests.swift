import Foundation
import Logging
import Testing

@testable import RunAsCore

/// The session-manager-plugin contract: how it is found, which versions are used, and what it is
/// given (the AWS CLI's arguments, the session only in the environment).
@Suite("SSM plugin")
struct SSMPluginTests {
  /// `Tests/Support/bin`, where the stand-in plugin lives.
  static let standInDirectory: String = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/",
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path)
    {
      directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("Tests/Support/bin").path
  }()

  static func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = [
      "PATH": standInDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    ]
    for (key, value) in extra { environment[key] = value }
    return environment
  }

  @Test func versionsCompareNumberByNumber() throws {
    #expect(PluginVersion("1.2.707.0")! > SessionManagerPlugin.lastArgvOnlyVersion)
    #expect(PluginVersion("1.2.497.0")! == SessionManagerPlugin.lastArgvOnlyVersion)
    #expect(PluginVersion("1.2.497.1")! > SessionManagerPlugin.lastArgvOnlyVersion)
    #expect(PluginVersion("1.10.0.0")! > PluginVersion("1.9.999.0")!)
    #expect(PluginVersion("1.2")! < PluginVersion("1.2.0.1")!)
    #expect(PluginVersion(" v1.2.3.4\n")?.description == "1.2.3.4")
    for text in ["", "1..2", "1.2.x", "version 1.2", "-1.2"] { #expect(PluginVersion(text) == nil, "\(text)") }
  }

  @Test func aNewEnoughPluginIsFoundOnPath() async throws {
    let plugin = try await SessionManagerPlugin.locate(environment: Self.environment())
    #expect(plugin.path == Self.standInDirectory + "/session-manager-plugin")
    #expect(plugin.version == PluginVersion("1.2.707.0"))
  }

  @Test func pluginsThatNeedTheTokenInArgvAreRefused() async throws {
    let error = await #expect(throws: SessionManagerPluginError.self) {
      try await SessionManagerPlugin.locate(
        environment: Self.environment(["RUNAS_STANDIN_PLUGIN_VERSION": "1.2.497.0"]))
    }
    guard case .tooOld(_, let version) = error else {
      Issue.record("expected tooOld, got \(String(describing: error))")
      return
    }
    #expect(version == PluginVersion("1.2.497.0"))
    #expect(error?.description.contains("upgrade it, see https://docs.aws.amazon.com/") == true)
  }

  @Test func aMissingPluginSaysHowToInstallIt() async throws {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-plugin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let error = await #expect(throws: SessionManagerPluginError.self) {
      try await SessionManagerPlugin.locate(environment: ["PATH": empty.path])
    }
    #expect(error == .notFound)
    #expect(
      error?.description
        == "session-manager-plugin was not found on PATH; SSM sessions need AWS's Session Manager plugin "
        + "(install it, see \(SessionManagerPlugin.installURL))")
  }

  @Test func aPluginThatPrintsNoVersionIsReported() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odd-plugin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("session-manager-plugin").path
    try "#!/bin/sh\necho 'no version here'\n".write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    let error = await #expect(throws: SessionManagerPluginError.self) {
      try await SessionManagerPlugin.locate(environment: ["PATH": directory.path])
    }
    #expect(error == .unreadableVersion(path: path, output: "no version here"))
  }

  @Test func theRequestIsHandedOverAsTheAWSCLIWritesIt() {
    #expect(
      StartSessionRequest.shell(target: "i-0123456789abcdef0").pluginJSON == #"{"Target": "i-0123456789abcdef0"}"#)
    #expect(
      StartSessionRequest.ssh(target: "i-1", port: 22).pluginJSON
        == #"{"Target": "i-1", "DocumentName": "AWS-StartSSHSession", "Parameters": {"portNumber": ["22"]}}"#)
    #expect(
      StartSessionRequest.portForwarding(target: "i-1", remotePort: 80, localPort: 8080).pluginJSON
        == #"{"Target": "i-1", "DocumentName": "AWS-StartPortForwardingSession", "Parameters": "#
        + #"{"portNumber": ["80"], "localPortNumber": ["8080"]}}"#)
    #expect(
      StartSessionRequest.portForwarding(target: "i-1", remotePort: 5432, localPort: 0, remoteHost: "db.internal")
        .pluginJSON
        == #"{"Target": "i-1", "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost", "Parameters": "#
        + #"{"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": ["0"]}}"#)
  }

  @Test func theSessionGoesInTheEnvironmentAndNeverInArgv() {
    let ssm = RecordingSessionManager(region: "eu-west-1", endpointURL: "http://127.0.0.1:4566/")
    let launcher = SSMSessionLauncher(
      plugin: SessionManagerPlugin(path: "/bin/true", version: PluginVersion(components: [1, 2, 707, 0])), ssm: ssm,
      pluginEnvironment: ["PATH": "/bin", "AWS_REGION": "eu-west-1"],
      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    let session = StartSessionResponse(
      sessionID: "alice-0123456789abcdef0", tokenValue: "SECRET\"TOKEN", streamURL: "wss://ssmmessages/x")
    let (arguments, environment) = launcher.invocation(
      for: .ssh(target: "i-0123456789abcdef0", port: 22), session: session)
    #expect(
      arguments == [
        "AWS_SSM_START_SESSION_RESPONSE", "eu-west-1", "StartSession", "",
        #"{"Target": "i-0123456789abcdef0", "DocumentName": "AWS-StartSSHSession", "Parameters": {"portNumber": ["22"]}}"#,
        "http://127.0.0.1:4566",
      ])
    #expect(!arguments.joined().contains("SECRET"))
    #expect(
      environment["AWS_SSM_START_SESSION_RESPONSE"]
        == #"{"SessionId": "alice-0123456789abcdef0", "TokenValue": "SECRET\"TOKEN", "StreamUrl": "wss://ssmmessages/x"}"#
    )
    #expect(environment["AWS_REGION"] == "eu-west-1")
  }

  @Test func thePluginGetsTheSessionCredentialsWithoutProfileSelection() {
    let credentials = AWSCredentials(
      accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token",
      expiration: Date(timeIntervalSince1970: 1_800_000_000))
    let environment = SSMSession.pluginEnvironment(
      parent: ["PATH": "/bin", "AWS_PROFILE": "dev", "AWS_ACCESS_KEY_ID": "AKIASTATIC", "HOME": "/home/a"],
      credentials: credentials, region: "us-east-1", profileName: "dev")
    #expect(environment["AWS_PROFILE"] == nil)
    #expect(environment["AWS_ACCESS_KEY_ID"] == "ASIAEXAMPLE")
    #expect(environment["AWS_SECRET_ACCESS_KEY"] == "secret")
    #expect(environment["AWS_SESSION_TOKEN"] == "token")
    #expect(environment["AWS_REGION"] == "us-east-1")
    #expect(environment["AWSRUNAS_PROFILE"] == "dev")
    #expect(environment["HOME"] == "/home/a")
  }

  @Test func capturedProcessesGetTheirInputAndGiveTheirOutput() async throws {
    let result = try await CapturedProcess.run(
      ["/bin/sh", "-c", "tr a-z A-Z; exit 3"], environment: ["PATH": "/usr/bin:/bin"],
      standardInput: Array("password".utf8))
    #expect(result.exitStatus == 3)
    #expect(result.outputText == "PASSWORD")
  }

  @Test func aCapturedProcessThatHangsIsKilledAtItsTimeout() async throws {
    let result = try await CapturedProcess.run(["/bin/sleep", "30"], environment: [:], timeLimit: .milliseconds(200))
    #expect(result.timedOut)
    #expect(result.termination == .signalled(SIGKILL))
  }
}

/// An SSM service that records what it is asked.
final class RecordingSessionManager: SessionManagerService, @unchecked Sendable {
  let region: String
  let endpointURL: String
  private let lock = NSLock()
  private var started: [StartSessionRequest] = []
  private var terminated: [String] = []

  init(region: String, endpointURL: String) {
    self.region = region
    self.endpointURL = endpointURL
  }

  func startSession(_ request: StartSessionRequest) async throws -> StartSessionResponse {
    lock.withLock { started.append(request) }
    return StartSessionResponse(sessionID: "s-1", tokenValue: "t", streamURL: "wss://x")
  }

  func terminateSession(sessionID: String) async throws {
    lock.withLock { terminated.append(sessionID) }
  }
}

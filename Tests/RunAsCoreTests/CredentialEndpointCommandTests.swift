import Foundation
import Logging
import TestSupport
import Testing

@testable import RunAsCore

/// `ChildProcess.runBehindCredentialEndpoint`: what `aws-runas <profile> <command>` and the TUI's
/// shell run, with a real child and a real loopback endpoint.
@Suite("Command behind a credential endpoint")
struct CredentialEndpointCommandTests {
  static let credentials = AWSCredentials(
    accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token",
    expiration: Date(timeIntervalSince1970: 1_900_000_000))

  static func source() -> RefreshingCredentials {
    let provider = StaticCredentialProvider(credentials)
    return RefreshingCredentials(quietProvider: provider, interactiveProvider: provider, initial: credentials)
  }

  static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

  /// A scratch directory, removed after `body`.
  static func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("endpoint-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
  }

  @Test(.timeLimit(.minutes(2)))
  func theCommandFetchesCredentialsFromItsEndpointAndItsExitStatusComesBack() async throws {
    try await Self.withDirectory { directory in
      let script = """
        curl -s -S -m 60 -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" \
        > "$OUT/credentials"
        printf '%s\\n' "$AWS_REGION" "$AWSRUNAS_PROFILE" "$AWSRUNAS_EXPIRATION" "$AWS_SHARED_CREDENTIALS_FILE" \
        "${AWS_ACCESS_KEY_ID-unset}" "${AWS_PROFILE-unset}" > "$OUT/environment"
        exit 7
        """
      let termination = try await ChildProcess.runBehindCredentialEndpoint(
        ["/bin/sh", "-c", script], source: Self.source(),
        parentEnvironment: [
          "PATH": "/usr/bin:/bin", "OUT": directory, "AWS_ACCESS_KEY_ID": "AKIASTATIC", "AWS_PROFILE": "outer",
        ],
        region: "eu-west-1", profileName: "dev", expiration: Self.credentials.expiration, logger: Self.logger)
      #expect(termination == .exited(7))
      let served = try String(contentsOfFile: directory + "/credentials", encoding: .utf8)
      #expect(served.contains(#""AccessKeyId":"ASIAEXAMPLE""#), "\(served)")
      let environment = try String(contentsOfFile: directory + "/environment", encoding: .utf8)
      #expect(environment == "eu-west-1\ndev\n2030-03-17T17:46:40Z\n/dev/null\nunset\nunset\n")
    }
  }

  @Test(.timeLimit(.minutes(2)))
  func theEndpointStopsWhenTheCommandEnds() async throws {
    try await Self.withDirectory { directory in
      let termination = try await ChildProcess.runBehindCredentialEndpoint(
        ["/bin/sh", "-c", #"printf '%s' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" > "$OUT/url""#], source: Self.source(),
        parentEnvironment: ["PATH": "/usr/bin:/bin", "OUT": directory], region: nil, profileName: nil,
        expiration: nil, logger: Self.logger)
      #expect(termination == .exited(0))
      let url = try String(contentsOfFile: directory + "/url", encoding: .utf8)
      let port = try #require(ServeAddress.parse(url)?.port)
      await #expect(throws: (any Error).self) {
        _ = try await LoopbackHTTPConnection.connect(port: port)
      }
    }
  }

  @Test func aCommandThatCannotBeFoundIsALaunchError() async throws {
    await #expect(throws: ChildProcess.LaunchError.self) {
      _ = try await ChildProcess.runBehindCredentialEndpoint(
        ["no-such-command-here"], source: Self.source(), parentEnvironment: ["PATH": "/nonexistent"],
        region: nil, profileName: nil, expiration: nil, logger: Self.logger)
    }
  }
}

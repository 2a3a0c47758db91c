import Foundation
import Testing

@testable import RunAsCore

@Suite("mfa_process")
struct MFAProcessTests {
  let environment = ["PATH": "/usr/bin:/bin"]

  func code(_ command: String) async throws -> String {
    try await MFAProcess(commandLine: command, environment: environment).code(for: "arn:aws:iam::1:mfa/me")
  }

  @Test func printedCodeIsUsedTrimmed() async throws {
    #expect(try await code("printf ' 123456\\n'") == "123456")
  }

  @Test func failingCommandIsAnErrorWithItsStandardError() async throws {
    await #expect {
      _ = try await code("echo 'YubiKey not found' >&2; exit 3")
    } throws: { error in
      "\(error)".hasPrefix(
        "mfa_process \"echo 'YubiKey not found' >&2; exit 3\" failed (exit status 3): YubiKey not found")
    }
  }

  @Test func commandThatPrintsNothingIsAnError() async throws {
    await #expect {
      _ = try await code("true")
    } throws: { "\($0)".hasPrefix("mfa_process \"true\" printed no MFA code") }
  }

  @Test func commandThatPrintsMoreThanACodeIsAnError() async throws {
    await #expect {
      _ = try await code("echo code is 123456")
    } throws: { "\($0)".contains("printed 3 words; it must print only the MFA code") }
  }

  @Test func commandPastItsTimeLimitIsKilled() async throws {
    var process = MFAProcess(commandLine: "sleep 30; echo 1", environment: environment)
    process.timeLimit = .seconds(1)
    await #expect {
      _ = try await process.code(for: "x")
    } throws: { "\($0)".contains("did not finish within 1") }
  }

  @Test func theProcessComesBeforeAnyPrompt() async throws {
    let source = MFACodeSource(presetCode: nil, prompter: NoPrompter())
      .using(MFAProcess(commandLine: "echo 654321", environment: environment))
    #expect(try await source.code(for: "serial") == "654321")
    let preset = MFACodeSource(presetCode: "111111", prompter: NoPrompter())
      .using(MFAProcess(commandLine: "exit 1", environment: environment))
    #expect(try await preset.code(for: "serial") == "111111")
  }
}

@Suite("Identity Center errors and URLs")
struct IdentityCenterErrorTests {
  func error(_ operation: String, status: Int, headers: [(String, String)] = [], body: String) -> AWSServiceError {
    AWSServiceError(
      service: "sso", operation: operation, statusCode: status, body: Array(body.utf8),
      headers: headers.map { (name: $0.0, value: $0.1) })
  }

  @Test func oauthErrorTakesTheCodeFromTheHeaderWithoutItsSuffix() {
    let error = error(
      "CreateToken", status: 400,
      headers: [("x-amzn-ErrorType", "SlowDownException:http://internal.amazon.com/coral/x/")],
      body: #"{"error": "slow_down", "error_description": "Client is polling too fast"}"#)
    #expect(error.code == "SlowDownException")
    #expect(error.oauthError == "slow_down")
    #expect(error.message == "Client is polling too fast")
  }

  @Test func portalErrorReadsTheMessage() {
    let error = error(
      "GetRoleCredentials", status: 401, headers: [("X-Amzn-ErrorType", "UnauthorizedException")],
      body: #"{"message": "Session token not found or invalid"}"#)
    #expect(
      error.description
        == "sso GetRoleCredentials failed: UnauthorizedException: Session token not found or invalid (HTTP 401)")
  }

  @Test func deviceFlowKnowsAnOAuthErrorWithoutAnExceptionName() async throws {
    let flow = DeviceAuthorizationFlow(oidc: OAuthOnlyOIDC(), now: { Date() }, sleep: { _ in })
    await #expect {
      _ = try await flow.awaitApproval(
        of: ScriptedOIDC.defaultAuthorization,
        registration: SSOClientRegistration(clientID: "c", clientSecret: "s", expiresAt: .distantFuture),
        startedAt: Date())
    } throws: { "\($0)".contains("was denied in the browser") }
  }

  @Test func consoleURLEncodesEveryParameter() {
    #expect(
      ConsoleSignInURL.url("http://127.0.0.1:1/federation", query: [("Destination", "https://x/?a=b c"), ("n", nil)])
        == "http://127.0.0.1:1/federation?Destination=https%3A%2F%2Fx%2F%3Fa%3Db%20c")
    #expect(
      ConsoleSignInURL.consoleURL(region: "eu-west-1")
        == "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    #expect(
      ConsoleSignInURL.federationURL(region: "cn-north-1", environment: [:]) == "https://signin.amazonaws.cn/federation"
    )
  }
}

/// SSO-OIDC answering with only the OAuth `error` member, as a proxy might pass it on.
struct OAuthOnlyOIDC: IdentityCenterOIDC {
  func registerClient(name: String, scopes: [String]) async throws -> SSOClientRegistration {
    SSOClientRegistration(clientID: "c", clientSecret: "s", expiresAt: .distantFuture)
  }

  func startDeviceAuthorization(registration: SSOClientRegistration, startURL: String) async throws
    -> DeviceAuthorization
  { ScriptedOIDC.defaultAuthorization }

  func createToken(registration: SSOClientRegistration, deviceCode: String) async throws -> SSOTokenGrant {
    throw AWSServiceError(
      service: "sso-oidc", operation: "CreateToken", statusCode: 400, body: Array(#"{"error": "access_denied"}"#.utf8))
  }

  func refreshToken(registration: SSOClientRegistration, refreshToken: String) async throws -> SSOTokenGrant {
    throw CancellationError()
  }
}

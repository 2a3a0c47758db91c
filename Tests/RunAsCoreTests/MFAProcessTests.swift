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

@Suite("REST-JSON errors of the Identity Center services")
struct SSORESTJSONErrorTests {
  @Test func oauthErrorTakesTheCodeFromTheHeaderWithoutItsSuffix() {
    let error = SSORESTJSONExchange.serviceError(
      service: "sso-oidc", operation: "CreateToken",
      response: HTTPResponseData(
        status: 400, headers: [("x-amzn-ErrorType", "SlowDownException:http://internal.amazon.com/coral/x/")],
        body: Array(#"{"error": "slow_down", "error_description": "Client is polling too fast"}"#.utf8)))
    #expect(error.code == "SlowDownException")
    #expect(error.message == "Client is polling too fast")
  }

  @Test func portalErrorReadsTheMessage() {
    let error = SSORESTJSONExchange.serviceError(
      service: "sso", operation: "GetRoleCredentials",
      response: HTTPResponseData(
        status: 401, headers: [("X-Amzn-ErrorType", "UnauthorizedException")],
        body: Array(#"{"message": "Session token not found or invalid"}"#.utf8)))
    #expect(
      error.description
        == "sso GetRoleCredentials failed: UnauthorizedException: Session token not found or invalid (HTTP 401)")
  }

  @Test func bodyTypeIsUsedWithoutAHeaderAndNonJSONIsQuoted() {
    let typed = SSORESTJSONExchange.serviceError(
      service: "sso", operation: "ListAccounts",
      response: HTTPResponseData(status: 429, body: Array(#"{"__type": "com.amazon#TooManyRequestsException"}"#.utf8)))
    #expect(typed.code == "TooManyRequestsException")
    #expect(typed.isRetryable)
    let html = SSORESTJSONExchange.serviceError(
      service: "sso", operation: "ListAccounts",
      response: HTTPResponseData(status: 502, body: Array("<html>\n bad gateway</html>".utf8)))
    #expect(html.code == "HTTP502")
    #expect(html.message == "<html> bad gateway</html>")
  }

  @Test func urlJoinsPathAndEncodedQueryLeavingOutNil() {
    #expect(
      SSORESTJSONExchange.url(
        base: "http://127.0.0.1:1/", path: "/assignment/roles",
        query: [("account_id", "1 2"), ("next_token", nil), ("max_result", "100")])
        == "http://127.0.0.1:1/assignment/roles?account_id=1%202&max_result=100")
  }
}

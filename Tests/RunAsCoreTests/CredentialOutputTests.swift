import Foundation
import TestSupport
import Testing

@testable import RunAsCore

@Suite("Credential output")
struct CredentialOutputTests {
  static let credentials = AWSCredentials(
    accessKeyID: "ASIAEXAMPLE", secretAccessKey: "se'cr\"et$`x`\\n",
    sessionToken: "tok/en+=", expiration: Date(timeIntervalSince1970: 1_714_566_896))

  @Test func credentialProcessDocumentHasVersionOneAndKeysInOrder() {
    #expect(
      CredentialOutput.credentialProcessJSON(Self.credentials)
        == #"{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"se'cr\"et$`x`\\n","SessionToken":"tok/en+=","Version":1,"Expiration":"2024-05-01T12:34:56Z"}"#
    )
  }

  @Test func credentialProcessDocumentOmitsEmptyTokenAndExpiration() {
    let keys = AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "s", sessionToken: nil, expiration: nil)
    #expect(
      CredentialOutput.credentialProcessJSON(keys) == #"{"AccessKeyId":"AKIA","SecretAccessKey":"s","Version":1}"#)
  }

  @Test func containerEndpointDocumentUsesTokenKey() {
    #expect(
      CredentialOutput.containerEndpointJSON(Self.credentials)
        == #"{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"se'cr\"et$`x`\\n","Token":"tok/en+=","Expiration":"2024-05-01T12:34:56Z"}"#
    )
  }

  @Test func posixScriptSurvivesEvalInARealShell() async throws {
    let script = CredentialOutput.environmentScript(
      Self.credentials, region: "eu-west-1", profileName: "it's", dialect: .posix)
    let output = try await Self.shellOutput(
      script
        + #"printf '%s|%s|%s|%s' "$AWS_SECRET_ACCESS_KEY" "$AWSRUNAS_PROFILE" "$AWS_DEFAULT_REGION" "$AWS_SECURITY_TOKEN""#
    )
    #expect(output == "se'cr\"et$`x`\\n|it's|eu-west-1|tok/en+=")
  }

  /// What `/bin/sh -c script` prints on stdout; a failing script is a failed test.
  static func shellOutput(_ script: String) async throws -> String {
    let result = try await run("/bin/sh", ["-c", script], environment: ["PATH": "/usr/bin:/bin"])
    #expect(result.exitCode == 0, "\(result.output())")
    return result.stdout
  }

  @Test func variablesComeInAFixedOrder() {
    let names = CredentialEnvironment.variables(for: Self.credentials, region: "us-east-1", profileName: "dev").map(
      \.name)
    #expect(
      names == [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION",
        "AWS_DEFAULT_REGION", "AWSRUNAS_EXPIRATION", "AWSRUNAS_PROFILE",
      ])
  }

  @Test func fishAndPowerShellQuoteTheirOwnWay() {
    #expect(ShellDialect.fish.assignment("A", #"it's \ here"#) == #"set -gx A 'it\'s \\ here'"#)
    #expect(ShellDialect.powershell.assignment("A", "it's") == "$env:A = 'it''s'")
  }

  @Test func powerShellDoublesEveryQuoteItsGrammarEndsAStringAt() {
    // ' and U+2018–U+201B all end a single-quoted string in PowerShell.
    let value = "us-east-1\u{2019}; Remove-Item -Recurse ~; \u{2018}\u{201A}\u{201B}'"
    #expect(
      ShellDialect.powershell.assignment("AWS_REGION", value)
        == "$env:AWS_REGION = 'us-east-1\u{2019}\u{2019}; Remove-Item -Recurse ~; "
        + "\u{2018}\u{2018}\u{201A}\u{201A}\u{201B}\u{201B}'''")
    // Double quotes of any kind are plain text inside single quotes.
    #expect(ShellDialect.powershell.assignment("A", "\u{201C}x\u{201D}\"") == "$env:A = '\u{201C}x\u{201D}\"'")
  }

  @Test func aQuoteFollowedByACombiningMarkIsStillEscaped() {
    // One Character to Swift, but the shell sees the quote byte.
    let value = "a'\u{301}b"
    #expect(ShellDialect.posix.assignment("A", value) == "export A='a'\\''\u{301}b'")
    #expect(ShellDialect.fish.assignment("A", value) == "set -gx A 'a\\'\u{301}b'")
    #expect(ShellDialect.powershell.assignment("A", value) == "$env:A = 'a''\u{301}b'")
    let injection = "x'\u{301}; echo pwned; '"
    #expect(ShellDialect.posix.assignment("A", injection) == "export A='x'\\''\u{301}; echo pwned; '\\'''")
    #expect(ShellDialect.fish.assignment("A", injection) == "set -gx A 'x\\'\u{301}; echo pwned; \\''")
    #expect(ShellDialect.powershell.assignment("A", injection) == "$env:A = 'x''\u{301}; echo pwned; '''")
  }

  @Test func posixOutputEvaluatesToTheExactValue() async throws {
    let values = ["it's", "a'\u{301}b", "$(touch /tmp/x) `id` \\ \" ;", "two\nlines", "\u{2019}; x; \u{2019}"]
    let assignments = values.enumerated().map { ShellDialect.posix.assignment("V\($0.offset)", $0.element) + "\n" }
    let prints = values.indices.map { "printf '%s\\000' \"$V\($0)\"\n" }
    let output = try await Self.shellOutput(assignments.joined() + prints.joined())
    #expect(output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == values)
  }

  @Test(arguments: [
    ("/bin/bash", ShellDialect.posix), ("/usr/bin/fish", .fish), ("/usr/local/bin/pwsh", .powershell), ("", .posix),
  ])
  func dialectFollowsTheShell(shell: String, expected: ShellDialect) {
    #expect(ShellDialect.detect(environment: shell.isEmpty ? [:] : ["SHELL": shell]) == expected)
  }

  @Test func powerShellIsDetectedWithoutSHELLWhenItsModulePathIsSet() {
    #expect(ShellDialect.detect(environment: ["PSModulePath": "C:\\x"]) == .powershell)
  }

  @Test func expirationLineSaysHowLongIsLeft() {
    let now = Date(timeIntervalSince1970: 1_714_566_896 - 59 * 60 - 30)
    #expect(
      CredentialOutput.expirationLine(Self.credentials, now: now)
        == "Credentials will expire on 2024-05-01 12:34:56 (59 minutes from now)")
    let later = Date(timeIntervalSince1970: 1_714_566_896 + 7200)
    #expect(CredentialOutput.expirationLine(Self.credentials, now: later).hasPrefix("Credentials expired on"))
  }
}

import Foundation
import TestSupport
import Testing

@testable import RunAsCore

/// Where a login's identity-provider password comes from (flag, environment, credentials file,
/// prompt), and what the `password` command writes.
@Suite("Identity provider password")
struct IdentityProviderPasswordTests {
  static let url = "https://idp.example.com/realms/corp/protocol/saml/clients/aws"

  /// Answers questions from a list, recording what was asked.
  final class AnsweringPrompter: Prompter, Sendable {
    private let state: LockedValue<(answers: [String], questions: [String])>
    init(_ answers: [String]) { state = LockedValue((answers, [])) }
    var questions: [String] { state.withLock { $0.questions } }

    func ask(_ question: String, isSecret: Bool) async throws -> String {
      try state.withLock { state in
        state.questions.append(question + (isSecret ? " (secret)" : ""))
        guard !state.answers.isEmpty else { throw PromptUnavailable(message: "no more answers") }
        return state.answers.removeFirst()
      }
    }
    func choose(_ question: String, from options: [String]) async throws -> Int { 0 }
    func showing<Value: Sendable>(_ notice: String, while work: @escaping @Sendable () async throws -> Value)
      async throws -> Value
    { try await work() }
  }

  func credentials(_ text: String) throws -> INIFile {
    try INIFile(parsing: text, path: "/home/u/.aws/credentials", stripsInlineComments: true, holdsSecrets: true)
  }

  func resolve(
    kind: IdentityProviderPassword.Kind = .saml, flag: String? = nil, environment: [String: String] = [:],
    file: String = "", prompter: AnsweringPrompter = AnsweringPrompter([])
  ) async throws -> String {
    try await IdentityProviderPassword.resolve(
      for: Self.url, kind: kind, flag: flag, environment: environment, credentialsFile: try credentials(file),
      prompter: prompter)
  }

  @Test func precedenceIsFlagThenEnvironmentThenFileThenPrompt() async throws {
    let stored = try PasswordObfuscation.encode("from-file", url: Self.url, cost: 10)
    let file = "[default]\naws_access_key_id = A\n[\(Self.url)]\nsaml_password = \(stored)\n"
    let environment = ["SAML_PASSWORD": "from-env"]
    #expect(try await resolve(flag: "from-flag", environment: environment, file: file) == "from-flag")
    #expect(try await resolve(environment: environment, file: file) == "from-env")
    #expect(try await resolve(file: file) == "from-file")
    let prompter = AnsweringPrompter(["typed"])
    #expect(try await resolve(file: "[default]\n", prompter: prompter) == "typed")
    #expect(prompter.questions == ["Password:  (secret)"])
  }

  @Test func emptyValuesCountAsUnset() async throws {
    let file = "[\(Self.url)]\nsaml_password = plain-in-file\n"
    #expect(
      try await resolve(flag: "", environment: ["SAML_PASSWORD": "", "RUNAS_PASSWORD": ""], file: file)
        == "plain-in-file")
    let prompter = AnsweringPrompter(["typed"])
    #expect(try await resolve(file: "[\(Self.url)]\nsaml_password =\n", prompter: prompter) == "typed")
  }

  @Test func plaintextInTheFileKeepsWorking() async throws {
    #expect(try await resolve(file: "[\(Self.url)]\nsaml_password = hunter2 ; a comment\n") == "hunter2")
  }

  @Test func eachKindReadsItsOwnKeyAndPrefersItsOwnVariables() async throws {
    let file = "[\(Self.url)]\nsaml_password = saml-one\nweb_identity_password = oidc-one\n"
    #expect(try await resolve(kind: .saml, file: file) == "saml-one")
    #expect(try await resolve(kind: .webIdentity, file: file) == "oidc-one")
    let both = ["SAML_PASSWORD": "saml-env", "WEB_PASSWORD": "web-env", "WEB_IDENTITY_PASSWORD": "web-identity-env"]
    #expect(try await resolve(kind: .saml, environment: both) == "saml-env")
    #expect(try await resolve(kind: .webIdentity, environment: both) == "web-identity-env")
    #expect(try await resolve(kind: .webIdentity, environment: ["WEB_PASSWORD": "web-env"]) == "web-env")
    // The Go tool's -P flag reads all of them for both kinds, RUNAS_PASSWORD first.
    #expect(try await resolve(kind: .webIdentity, environment: ["SAML_PASSWORD": "saml-env"]) == "saml-env")
    #expect(try await resolve(kind: .saml, environment: both.merging(["RUNAS_PASSWORD": "runas"]) { $1 }) == "runas")
  }

  @Test func anObfuscatedVariableIsDecodedAsTheGoToolDoes() async throws {
    let stored = try PasswordObfuscation.encode("decoded", url: Self.url, cost: 10)
    #expect(try await resolve(environment: ["SAML_PASSWORD": stored]) == "decoded")
  }

  @Test func anObfuscatedValueThatDoesNotDecodeIsOneClearError() async throws {
    let storedElsewhere = try PasswordObfuscation.encode("secret", url: "https://other.example.com/", cost: 10)
    let file = "[default]\n\n[\(Self.url)]\nsaml_password = \(storedElsewhere)\n"
    let prompter = AnsweringPrompter(["never asked"])
    let error = await #expect(throws: IdentityProviderPasswordError.self) {
      try await resolve(file: file, prompter: prompter)
    }
    #expect(
      error?.message
        == "the obfuscated password from /home/u/.aws/credentials [\(Self.url)] line 4 cannot be decoded: "
        + "it does not decode with this URL as the key (was it stored for another URL?)")
    #expect(error?.hint == "store it again with `aws-runas password <profile>` for a profile using \(Self.url)")
    #expect(prompter.questions.isEmpty)
    #expect(error.map { "\($0)" }?.contains(storedElsewhere) == false)
  }

  @Test func theTargetIsExactlyOneIdentityProviderURL() throws {
    var settings = ProfileSettings()
    #expect(throws: IdentityProviderPasswordError.self) { try IdentityProviderPassword.Target(of: settings) }
    settings.samlAuthURL = Setting("https://saml.example.com/", origin: .flag("--saml-url"))
    #expect(try IdentityProviderPassword.Target(of: settings) == .init(url: "https://saml.example.com/", kind: .saml))
    settings.webIdentityAuthURL = Setting("https://oidc.example.com/", origin: .flag("--web-url"))
    let error = #expect(throws: IdentityProviderPasswordError.self) {
      try IdentityProviderPassword.Target(of: settings)
    }
    #expect(error?.message == "detected both SAML and Web Identity (OIDC) URLs, only 1 allowed")
    settings.samlAuthURL = nil
    #expect(
      try IdentityProviderPassword.Target(of: settings) == .init(url: "https://oidc.example.com/", kind: .webIdentity))
  }

  @Test func aNewPasswordIsTypedTwiceWithoutEcho() async throws {
    let prompter = AnsweringPrompter(["s3cret", "s3cret"])
    #expect(try await IdentityProviderPassword.askForNewPassword(prompter: prompter) == "s3cret")
    #expect(prompter.questions == ["Password:  (secret)", "Confirm password:  (secret)"])
    await #expect(throws: IdentityProviderPasswordError(message: "the two passwords typed differ; nothing was stored"))
    {
      try await IdentityProviderPassword.askForNewPassword(prompter: AnsweringPrompter(["one", "two"]))
    }
    await #expect(throws: IdentityProviderPasswordError(message: "the password is empty; nothing was stored")) {
      try await IdentityProviderPassword.askForNewPassword(prompter: AnsweringPrompter([""]))
    }
  }

  @Test func storingSetsOneKeyAndKeepsEverythingElse() async throws {
    let directory = try TemporaryDirectory(prefix: "idp-password")
    let path = directory.path + "/credentials"
    let original = """
      # my keys
      [default]
      aws_access_key_id     = AKIAEXAMPLE   ; aligned
      aws_secret_access_key = secret

      [\(Self.url)]
      web_identity_password = keep-me
      saml_password = old
      # note
      saml_password = older

      [other]
      x = 1
      """
    try original.write(toFile: path, atomically: true, encoding: .utf8)
    let target = IdentityProviderPassword.Target(url: Self.url, kind: .saml)
    // The scrypt cost changes nothing here but the time: the file editing is what is tested.
    try await IdentityProviderPassword.store("new password", for: target, credentialsPath: path, cost: 10)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let stored = try #require(lines.first { $0.hasPrefix("saml_password = ") }).dropFirst("saml_password = ".count)
    let expected = original.replacingOccurrences(
      of: "saml_password = old\n# note\nsaml_password = older\n", with: "saml_password = \(stored)\n# note\n")
    #expect(text == expected)
    #expect(try PasswordObfuscation.decode(String(stored), url: Self.url) == "new password")
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    let reread = try credentials(text)
    let found = try await IdentityProviderPassword.find(
      for: Self.url, kind: .saml, flag: nil, environment: [:], in: reread)
    #expect(found?.value == "new password")
    #expect(found?.origin == .file(path: "/home/u/.aws/credentials", section: Self.url, line: 8))
    #expect(reread.section(Self.url)?.entry("web_identity_password")?.value == "keep-me")
  }

  @Test func aSectionIsAddedForANewURLEvenWithAnIPv6Host() async throws {
    let directory = try TemporaryDirectory(prefix: "idp-password")
    let path = directory.path + "/credentials"
    try "[default]\naws_access_key_id = A".write(toFile: path, atomically: true, encoding: .utf8)
    let url = "http://[::1]:8443/realms/corp"
    try await IdentityProviderPassword.store(
      "pw", for: .init(url: url, kind: .webIdentity), credentialsPath: path, cost: 10)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.hasPrefix("[default]\naws_access_key_id = A\n\n[\(url)]\nweb_identity_password = "))
    let found = try await IdentityProviderPassword.find(
      for: url, kind: .webIdentity, flag: nil, environment: [:], in: try credentials(text))
    #expect(found?.value == "pw")
  }

  @Test func anEmptyPasswordIsNotStored() async throws {
    let directory = try TemporaryDirectory(prefix: "idp-password")
    let path = directory.path + "/credentials"
    await #expect(throws: IdentityProviderPasswordError.self) {
      try await IdentityProviderPassword.store("", for: .init(url: Self.url, kind: .saml), credentialsPath: path)
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }
}

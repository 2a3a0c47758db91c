import Foundation
import TestSupport
import Testing

/// `aws-runas password <profile>` (aliases `passwd`, `pw`; spec §6.6): the password typed on a
/// real terminal (tmux) or given with `-P` / the environment, stored obfuscated under the
/// identity provider's URL, checked with the independent Python decoder
/// (`Tests/Support/password_obfuscation.py`).
@Suite("password command")
struct PasswordCommandTests {
  static let samlURL = "https://idp.example.com/realms/corp/protocol/saml/clients/aws"
  static let oidcURL = "https://idp.example.com/realms/corp"
  static let config = """
    [default]
    region = us-east-1

    [profile saml]
    saml_auth_url = \(samlURL)
    role_arn = arn:aws:iam::123456789012:role/Admin

    [profile oidc]
    web_identity_auth_url = \(oidcURL)
    web_identity_client_id = aws
    web_identity_redirect_uri = app:/callback
    role_arn = arn:aws:iam::123456789012:role/Admin

    [profile inherits]
    source_profile = saml
    role_arn = arn:aws:iam::123456789012:role/Other

    [profile iam]
    mfa_serial = arn:aws:iam::123456789012:mfa/me

    """
  static let credentials = """
    # hand-written, aligned
    [default]
    aws_access_key_id     = AKIAIOSFODNN7EXAMPLE
    aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ; note

    [\(oidcURL)]
    web_identity_password = plain-oidc
    """

  func sandbox() throws -> Sandbox {
    let sandbox = try Sandbox()
    try sandbox.writeConfig(Self.config)
    try sandbox.writeCredentials(Self.credentials)
    return sandbox
  }

  /// The password the independent decoder reads from `value` with `url` as the key.
  func pythonDecoded(_ value: Substring, url: String) async throws -> String {
    let script = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/password_obfuscation.py").path
    let environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
    let result = try await run(
      "/usr/bin/env", ["python3", script, "decode", url], environment: environment, stdin: String(value))
    #expect(result.exitCode == 0, "\(result.output())")
    return result.stdout
  }

  /// The value stored under `key` in `text` (the line after `[url]`'s header that sets it).
  func storedValue(_ key: String, in text: String) throws -> Substring {
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(key + " = ") })
    return line.dropFirst(key.count + 3)
  }

  func mode(of path: String) throws -> Int? {
    try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
  }

  /// Runs `aws-runas <arguments>` on a tmux terminal, types `first` at `Password:` and `second`
  /// at `Confirm password:`, and returns the screen once it has exited (`TUI-EXIT <status>`).
  func typing(_ first: String, then second: String, to arguments: [String], in sandbox: Sandbox) async throws
    -> String
  {
    let session = try await TUISession(
      environment: sandbox.environment(), directory: sandbox.home.path, commandLine: [runAsBinary()] + arguments)
    for (prompt, answer) in [("Password:", first), ("Confirm password:", second)] {
      _ = try await session.waitFor(prompt)
      try await session.send(answer, literal: true)
      try await session.send("Enter")
    }
    return try await session.waitFor("TUI-EXIT")
  }

  @Test func thePasswordTypedTwiceOnTheTerminalIsStoredUnderTheURL() async throws {
    let sandbox = try sandbox()
    let screen = try await typing("s3cret pw ✓", then: "s3cret pw ✓", to: ["password", "saml"], in: sandbox)
    #expect(screen.contains("TUI-EXIT 0"), "\(screen)")
    #expect(!screen.contains("s3cret"), "typed without echo")

    let text = try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8)
    let stored = try storedValue("saml_password", in: text)
    #expect(text == Self.credentials + "\n\n[\(Self.samlURL)]\nsaml_password = \(stored)\n")
    #expect(stored.hasPrefix("12$"))
    #expect(try mode(of: sandbox.credentialsFile) == 0o600)
    #expect(try await pythonDecoded(stored, url: Self.samlURL) == "s3cret pw ✓")
  }

  @Test func differentAnswersStoreNothing() async throws {
    let sandbox = try sandbox()
    let screen = try await typing("one", then: "two", to: ["pw", "saml"], in: sandbox)
    #expect(screen.contains("the two passwords typed differ; nothing was stored"), "\(screen)")
    #expect(screen.contains("TUI-EXIT 1"), "\(screen)")
    #expect(try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8) == Self.credentials)
  }

  @Test func aPasswordFromTheEnvironmentReplacesTheOIDCEntryInPlace() async throws {
    let sandbox = try sandbox()
    var environment = sandbox.environment()
    environment["WEB_IDENTITY_PASSWORD"] = "from env"
    let result = try await run(runAsBinary(), ["passwd", "oidc"], environment: environment)
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(!result.output().contains("from env"))
    let text = try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8)
    let stored = try storedValue("web_identity_password", in: text)
    #expect(
      text
        == Self.credentials.replacingOccurrences(
          of: "web_identity_password = plain-oidc", with: "web_identity_password = \(stored)") + "\n")
    #expect(try await pythonDecoded(stored, url: Self.oidcURL) == "from env")
    #expect(try mode(of: sandbox.credentialsFile) == 0o600)
  }

  @Test func theFlagWinsAndAnInheritedURLIsUsed() async throws {
    let sandbox = try sandbox()
    var environment = sandbox.environment()
    environment["SAML_PASSWORD"] = "not this one"
    let result = try await run(runAsBinary(), ["-P", "flag pw", "password", "inherits"], environment: environment)
    #expect(result.exitCode == 0, "\(result.output())")
    let text = try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8)
    #expect(text.contains("\n[\(Self.samlURL)]\nsaml_password = "))
    #expect(try await pythonDecoded(try storedValue("saml_password", in: text), url: Self.samlURL) == "flag pw")
  }

  @Test func aMissingCredentialsFileIsCreatedPrivate() async throws {
    let sandbox = try sandbox()
    try FileManager.default.removeItem(atPath: sandbox.credentialsFile)
    var environment = sandbox.environment()
    environment["SAML_PASSWORD"] = "pw"
    let result = try await run(runAsBinary(), ["password", "saml"], environment: environment)
    #expect(result.exitCode == 0, "\(result.output())")
    let text = try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8)
    #expect(text.hasPrefix("[\(Self.samlURL)]\nsaml_password = 12$"))
    #expect(try mode(of: sandbox.credentialsFile) == 0o600)
  }

  @Test(
    arguments: [
      (
        ["password", "iam"],
        "external identity provider not set, must configure either saml_auth_url or web_identity_auth_url"
      ),
      (["-W", oidcURL, "password", "saml"], "detected both SAML and Web Identity (OIDC) URLs, only 1 allowed"),
      (["password", "nosuch"], "profile \"nosuch\" not found"),
    ])
  func badProfilesAreOneLineAndChangeNothing(_ arguments: [String], _ message: String) async throws {
    let sandbox = try sandbox()
    var environment = sandbox.environment()
    environment["SAML_PASSWORD"] = "pw"
    let result = try await run(runAsBinary(), arguments, environment: environment)
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains(message), "\(result.output())")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.output())")
    #expect(try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8) == Self.credentials)
  }

  @Test func withoutATerminalOrAPasswordItSaysSo() async throws {
    let sandbox = try sandbox()
    // setsid: no controlling terminal, so /dev/tty cannot be opened.
    let result = try await run(
      "/usr/bin/setsid", ["-w", runAsBinary(), "password", "saml"], environment: sandbox.environment())
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("cannot ask \"Password\": no terminal"), "\(result.output())")
    #expect(try String(contentsOfFile: sandbox.credentialsFile, encoding: .utf8) == Self.credentials)
  }
}

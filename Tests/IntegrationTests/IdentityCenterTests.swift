import Foundation
import TestSupport
import Testing

/// One Identity Center test's world: the shared STS emulator, a private SSO emulator minting
/// moto role credentials, and a sandbox HOME whose config has Identity Center profiles.
struct IdentityCenterScenario {
  let sts: STSEmulator
  let sso: SSOEmulator
  let sandbox: Sandbox

  static let config = """
    [default]
    region = us-east-1

    [profile dev]
    sso_session = corp
    sso_account_id = 111111111111
    sso_role_name = ReadOnlyAccess
    region = eu-west-1

    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = us-east-1
    sso_registration_scopes = sso:account:access

    [profile legacy]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = us-east-1
    sso_account_id = 222222222222
    sso_role_name = PowerUserAccess
    region = us-east-1

    [profile deploy]
    source_profile = dev
    role_arn = arn:aws:iam::333333333333:role/Deploy

    [profile nowhere]
    sso_session = corp
    sso_account_id = 999999999999
    sso_role_name = ReadOnlyAccess

    """

  init(extraConfig: String = "") async throws {
    sts = try await STSEmulator.shared
    sso = try await SSOEmulator(sts: sts)
    sandbox = try Sandbox()
    try sandbox.writeConfig(Self.config + extraConfig)
    try sandbox.writeCredentials("")
    for (name, decision) in [("approve", "approve"), ("deny", "deny")] {
      // The "browser": submits the device page's form for the code in the URL it is given.
      let script = """
        #!/bin/sh
        code="${1##*user_code=}"
        exec curl -s -o /dev/null -d "user_code=$code&decision=\(decision)" "${1%%\\?*}"

        """
      let path = sandbox.path("\(name)-browser.sh")
      try Data(script.utf8).write(to: URL(fileURLWithPath: path))
      chmod(path, 0o755)
    }
  }

  /// The parent's `PATH` with no browser opener on it: a directory of links to every other
  /// program of the parent's `PATH`, made once per test run. Without a `BROWSER` script a test
  /// means "no browser", whatever the machine has installed (Chromium brings `xdg-open`), and
  /// no test may open a real one.
  static let pathWithoutBrowserOpeners: String = {
    let openers: Set<String> = [
      "xdg-open", "open", "sensible-browser", "x-www-browser", "www-browser", "gnome-www-browser",
    ]
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "aws-runas-path-\(getpid())", isDirectory: true
    ).path
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let parent = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for entry in parent.split(separator: ":").map(String.init) {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: entry)) ?? [] where !openers.contains(name) {
        // The first directory on PATH wins, as for the shell.
        _ = symlink("\(entry)/\(name)", "\(directory)/\(name)")
      }
    }
    return directory
  }()

  /// The sandbox environment with STS and both Identity Center services on loopback, and no
  /// browser opener on `PATH` (``browser(approving:)`` sets one).
  func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = sandbox.environment(endpoint: sts.endpoint)
    environment["PATH"] = Self.pathWithoutBrowserOpeners
    environment["AWS_ENDPOINT_URL_SSO"] = sso.endpoint
    environment["AWS_ENDPOINT_URL_SSO_OIDC"] = sso.endpoint
    for (key, value) in extra { environment[key] = value }
    return environment
  }

  /// `BROWSER` set to the script that approves (or denies) the sign-in.
  func browser(approving: Bool = true) -> [String: String] {
    ["BROWSER": sandbox.path(approving ? "approve-browser.sh" : "deny-browser.sh")]
  }

  /// Runs `aws-runas` without a terminal (`setsid`), so only a browser can approve a sign-in.
  func runAs(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> ProcessResult {
    try await run("/usr/bin/setsid", ["-w", runAsBinary()] + arguments, environment: environment(extra))
  }

  /// The AWS CLI v2 (Debian's `/usr/bin/aws`), sent to the emulators with `AWS_DATA_PATH`.
  func awsCLI(_ arguments: [String]) -> (String, [String], [String: String]) {
    var environment = sandbox.environment()
    environment["AWS_DATA_PATH"] = sso.awsDataPath
    return ("/usr/bin/aws", arguments, environment)
  }

  /// `~/.aws/sso/cache/<sha1>.json` of the `corp` session and of the legacy start URL.
  var sessionTokenFile: String { sandbox.path(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json") }
  var legacyTokenFile: String { sandbox.path(".aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json") }

  func tokenDocument(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
  }

  /// Signs `profile` in with `aws-runas sso login` and the approving browser.
  func signIn(_ profile: String = "dev") async throws {
    let result = try await runAs(["sso", "login", profile], browser())
    guard result.exitCode == 0 else { throw HarnessError("sso login failed\(result.output())\n\(sso.log())") }
  }

  /// The lines of `stderr` that report an error.
  static func errorLines(_ result: ProcessResult) -> [Substring] {
    result.stderr.split(separator: "\n").filter { $0.contains(" ERROR ") }
  }
}

@Suite("IAM Identity Center", .serialized)
struct IdentityCenterTests {
  @Test func signInWithTheBrowserThenEveryOutputUsesTheRole() async throws {
    let world = try await IdentityCenterScenario()
    let login = try await world.runAs(["sso", "login", "dev"], world.browser())
    #expect(login.exitCode == 0, "\(login.output())")
    #expect(login.stdout.hasPrefix("Signed in to https://corp.awsapps.com/start (sso-session \"corp\") until "))
    #expect(login.stderr.contains("confirm that it shows the code: "))
    let token = try world.tokenDocument(world.sessionTokenFile)
    #expect(
      Set(token.keys) == [
        "startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret", "registrationExpiresAt",
        "refreshToken",
      ])
    #expect(POSIXPermissions.of(world.sessionTokenFile) == 0o600)

    let json = try await world.runAs(["-O", "json", "dev"])
    #expect(json.exitCode == 0, "\(json.output())")
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect((document?["AccessKeyId"] as? String)?.isEmpty == false)
    #expect(document?["Version"] as? Int == 1)

    let env = try await world.runAs(["dev"])
    #expect(env.exitCode == 0, "\(env.output())")
    #expect(env.stdout.contains("export AWS_SESSION_TOKEN="))
    #expect(env.stdout.contains("AWS_REGION='eu-west-1'") || env.stdout.contains("AWS_REGION=eu-west-1"))

    let script = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    let wrapped = try await world.runAs(["dev", "python3", "-c", script])
    #expect(wrapped.exitCode == 0, "\(wrapped.output())")
    #expect(wrapped.stdout == "arn:aws:sts::111111111111:assumed-role/ReadOnlyAccess/alice@example.com\n")
    // Every run after the first was served from .aws_sso_role_dev.
    #expect(try await world.sso.calls()["GetRoleCredentials"] == 1)
    #expect(FileManager.default.fileExists(atPath: world.sandbox.path(".aws/.aws_sso_role_dev")))
  }

  @Test func roleProfileOnAnIdentityCenterSourceChainsThroughIt() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let script = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    let result = try await world.runAs(["deploy", "python3", "-c", script])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::333333333333:assumed-role/Deploy/"))
  }

  @Test func serveEcsServesAnIdentityCenterProfileToBoto3() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let token = "test-token-\(UUID().uuidString)"
    let server = try await ServeProcess(
      ["serve", "ecs", "-p", "0", "dev"], environment: world.environment(["AWS_CONTAINER_AUTHORIZATION_TOKEN": token]))
    let client = server.containerClientEnvironment(world.environment(), token: token)
    let python = try await run(
      "/usr/bin/env",
      ["python3", "-c", "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"],
      environment: client)
    #expect(python.exitCode == 0, "\(python.output())\n\(server.log)")
    #expect(python.stdout == "arn:aws:sts::111111111111:assumed-role/ReadOnlyAccess/alice@example.com\n")
    await server.stop()
  }

  @Test func credentialProcessServesBoto3AndTheAwsCLI() async throws {
    let world = try await IdentityCenterScenario(
      extraConfig: CredentialProcessConsumers.profile(running: "-O json dev"))
    try await world.signIn()
    let python = try await CredentialProcessConsumers.boto3(environment: world.environment())
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout == "arn:aws:sts::111111111111:assumed-role/ReadOnlyAccess/alice@example.com\n")
    let (aws, arguments, environment) = world.awsCLI([
      "sts", "get-caller-identity", "--profile", "via-process", "--endpoint-url", world.sts.endpoint, "--output",
      "text", "--query", "Arn",
    ])
    let cli = try await run(aws, arguments, environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())")
    #expect(cli.stdout == "arn:aws:sts::111111111111:assumed-role/ReadOnlyAccess/alice@example.com\n")
  }

  @Test func awsCLILoginServesAwsRunas() async throws {
    let world = try await IdentityCenterScenario()
    let (aws, arguments, environment) = world.awsCLI(["sso", "login", "--profile", "dev", "--no-browser"])
    let login = try BackgroundProcess(aws, arguments, environment: environment)
    try await world.sso.decideNextAuthorization()
    let status = await login.exit(within: .seconds(120))
    #expect(status == 0, "\(login.output(.stdout))\(login.output(.stderr))")
    let signIns = try await world.sso.calls()["CreateToken"]

    let result = try await world.runAs(["-O", "json", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    let calls = try await world.sso.calls()
    #expect(calls["CreateToken"] == signIns)
    #expect(calls["GetRoleCredentials"] == 1)
  }

  @Test func awsRunasLoginServesTheAwsCLIAndBoto3() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    try await world.signIn("legacy")
    #expect(try world.tokenDocument(world.legacyTokenFile)["refreshToken"] == nil)
    for profile in ["dev", "legacy"] {
      let (aws, arguments, environment) = world.awsCLI([
        "sts", "get-caller-identity", "--profile", profile, "--endpoint-url", world.sts.endpoint, "--output", "text",
        "--query", "Arn",
      ])
      let cli = try await run(aws, arguments, environment: environment)
      #expect(cli.exitCode == 0, "\(cli.output())")
      #expect(
        cli.stdout.contains(
          profile == "dev" ? "111111111111:assumed-role/ReadOnlyAccess" : "222222222222:assumed-role/PowerUserAccess"))
    }
    // botocore's own SSO provider reads the token this tool wrote.
    let python = try await run(
      "/usr/bin/env",
      [
        "python3", "-c",
        "import boto3; s = boto3.Session(profile_name='dev'); print(s.get_credentials().method, s.client('sts').get_caller_identity()['Arn'])",
      ], environment: world.environment())
    #expect(python.exitCode == 0, "\(python.output())")
    #expect(python.stdout == "sso arn:aws:sts::111111111111:assumed-role/ReadOnlyAccess/alice@example.com\n")
    #expect(try await world.sso.calls()["CreateToken.refresh_token"] == nil)
  }

  @Test func tokenNearItsExpiryIsRefreshedAndTheAwsCLIKeepsWorking() async throws {
    let world = try await IdentityCenterScenario()
    // Shorter than botocore's 15-minute refresh window: the next use refreshes it.
    try await world.sso.configure(["access_token_seconds": 600])
    try await world.signIn()
    let before = try world.tokenDocument(world.sessionTokenFile)
    let result = try await world.runAs(["-O", "json", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(try await world.sso.calls()["CreateToken.refresh_token"] == 1)
    let after = try world.tokenDocument(world.sessionTokenFile)
    #expect(after["accessToken"] as? String != before["accessToken"] as? String)
    #expect(after["refreshToken"] as? String != before["refreshToken"] as? String)
    #expect(after["clientId"] as? String == before["clientId"] as? String)
    let (aws, arguments, environment) = world.awsCLI([
      "sts", "get-caller-identity", "--profile", "dev", "--endpoint-url", world.sts.endpoint, "--output", "text",
      "--query", "Arn",
    ])
    let cli = try await run(aws, arguments, environment: environment)
    #expect(cli.exitCode == 0, "\(cli.output())")
  }

  @Test func listShowsEveryAccountAndRoleAcrossPages() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let result = try await world.runAs(["sso", "list", "dev"])
    #expect(result.exitCode == 0, "\(result.output())")
    #expect(
      result.stdout.hasPrefix(
        "333333333333  Development  <aws-development@example.com>\n  AdministratorAccess\n  DeveloperAccess\n"))
    #expect(
      result.stdout.contains(
        "111111111111  Production  <aws-production@example.com>\n  AdministratorAccess\n  Billing\n  ReadOnlyAccess\n"))
    #expect(result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.count == 5)
  }

  @Test func logoutEndsTheSessionAndForgetsItsCredentials() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    #expect(try await world.runAs(["-O", "json", "dev"]).exitCode == 0)
    let logout = try await world.runAs(["sso", "logout", "dev"])
    #expect(logout.exitCode == 0, "\(logout.output())")
    #expect(logout.stdout == "Signed out of sso-session \"corp\"\n")
    #expect(try await world.sso.calls()["Logout"] == 1)
    #expect(!FileManager.default.fileExists(atPath: world.sessionTokenFile))
    #expect(!FileManager.default.fileExists(atPath: world.sandbox.path(".aws/.aws_sso_role_dev")))
    let after = try await world.runAs(["-O", "json", "dev"])
    #expect(after.exitCode == 1)
    #expect(
      IdentityCenterScenario.errorLines(after).first?.hasSuffix(
        "not signed in to IAM Identity Center (sso-session \"corp\") (run aws-runas sso login --sso-session corp)")
        == true, "\(after.output())")
  }

  @Test func awsCLILogoutEndsTheSessionAwsRunasSignedIn() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let (aws, arguments, environment) = world.awsCLI(["sso", "logout"])
    let logout = try await run(aws, arguments, environment: environment)
    #expect(logout.exitCode == 0, "\(logout.output())")
    #expect(try await world.sso.calls()["Logout"] == 1)
    #expect(!FileManager.default.fileExists(atPath: world.sessionTokenFile))
    let after = try await world.runAs(["-O", "json", "dev"])
    #expect(after.exitCode == 1)
    #expect(IdentityCenterScenario.errorLines(after).first?.contains("not signed in to IAM Identity Center") == true)
  }

  @Test func logoutOfEverythingRemovesTheCLIsCachesToo() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    try await world.signIn("legacy")
    let logout = try await world.runAs(["sso", "logout"])
    #expect(logout.exitCode == 0, "\(logout.output())")
    #expect(logout.stdout == "Signed out of 2 IAM Identity Center sessions\n")
    #expect(try await world.sso.calls()["Logout"] == 2)
    #expect(!FileManager.default.fileExists(atPath: world.sessionTokenFile))
    #expect(!FileManager.default.fileExists(atPath: world.legacyTokenFile))
  }

  // MARK: - Bad input: each one clear line

  @Test func deniedSignInIsOneClearLine() async throws {
    let world = try await IdentityCenterScenario()
    let result = try await world.runAs(["sso", "login", "dev"], world.browser(approving: false))
    #expect(result.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("was denied in the browser (run the login again and choose Allow)") == true)
    #expect(!FileManager.default.fileExists(atPath: world.sessionTokenFile))
  }

  @Test func slowDownIsHonouredAndTheSignInSucceeds() async throws {
    let world = try await IdentityCenterScenario()
    try await world.sso.slowDown(count: 1)
    try await world.signIn()
    #expect((try await world.sso.calls()["CreateToken.device_code"] ?? 0) >= 2)
  }

  @Test func slowDownStormUntilTheCodeExpiresIsOneClearLine() async throws {
    let world = try await IdentityCenterScenario()
    try await world.sso.configure(["device_code_seconds": 8])
    try await world.sso.slowDown(count: 1000)
    let result = try await world.runAs(["sso", "login", "dev"], world.browser())
    #expect(result.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("expired before it was approved (the service asked to slow down") == true)
  }

  @Test func expiredTokenWithoutATerminalOrBrowserSaysToSignIn() async throws {
    let world = try await IdentityCenterScenario()
    // A legacy token has no refresh token; this one is too short-lived to be used.
    try await world.sso.configure(["access_token_seconds": 30])
    try await world.signIn("legacy")
    let result = try await world.runAs(["-O", "json", "legacy"])
    #expect(result.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(
      errors.first?.hasSuffix(
        "the IAM Identity Center session of start URL https://corp.awsapps.com/start has expired or was revoked (run aws-runas sso login <profile>)"
      ) == true)
    #expect(result.stdout.isEmpty)
  }

  @Test func revokedTokenIsOneClearLineAndABrowserSignsInAgain() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    try await world.sso.revoke(["all": true])
    let refused = try await world.runAs(["-O", "json", "dev"])
    #expect(refused.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(refused)
    #expect(errors.count == 1, "\(refused.output())")
    #expect(
      errors.first?.contains("the IAM Identity Center session of sso-session \"corp\" has expired or was revoked")
        == true)
    let again = try await world.runAs(["-O", "json", "dev"], world.browser())
    #expect(again.exitCode == 0, "\(again.output())")
    #expect(try await world.sso.calls()["StartDeviceAuthorization"] == 2)
  }

  @Test func corruptedTokenFileIsOneClearLineAndALoginReplacesIt() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn("legacy")
    let legacyBefore = try Data(contentsOf: URL(fileURLWithPath: world.legacyTokenFile))
    try Data("{\"accessToken\": \"abc\", \"expiresAt\"".utf8).write(to: URL(fileURLWithPath: world.sessionTokenFile))
    let result = try await world.runAs(["-O", "json", "dev"])
    #expect(result.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("\(world.sessionTokenFile) is not a JSON token object") == true)
    try await world.signIn()
    #expect(try await world.runAs(["-O", "json", "dev"]).exitCode == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: world.legacyTokenFile)) == legacyBefore)
  }

  @Test func unknownAccountOrRoleIsOneClearLine() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let result = try await world.runAs(["-O", "json", "nowhere"])
    #expect(result.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(
      errors.first?.contains(
        "profile \"nowhere\": IAM Identity Center gives you no role \"ReadOnlyAccess\" in account 999999999999") == true
    )
  }

  @Test func profileWithoutIdentityCenterCannotSignIn() async throws {
    let world = try await IdentityCenterScenario()
    let result = try await world.runAs(["sso", "login", "default"])
    #expect(result.exitCode == 1)
    #expect(
      IdentityCenterScenario.errorLines(result).first?.contains(
        "profile \"default\" does not use IAM Identity Center (no sso_session or sso_start_url)") == true,
      "\(result.output())")
  }
}

/// File permission bits, for the 0600 checks.
enum POSIXPermissions {
  static func of(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
  }
}

@Suite("Console sign-in URLs", .serialized)
struct ConsoleSignInTests {
  /// Follows the printed URL like a browser: the federation endpoint must answer 302 to the
  /// console destination.
  func follow(_ url: String, port: UInt16) async throws -> Int {
    guard let range = url.range(of: "/federation?") else { throw HarnessError("not a federation URL: \(url)") }
    return try await LoopbackHTTP.request(method: "GET", port: port, path: String(url[range.lowerBound...])).status
  }

  @Test func identityCenterProfileGetsAWorkingSignInURL() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let result = try await world.runAs(
      ["console", "dev"], ["AWS_RUNAS_SIGNIN_URL": world.sso.endpoint + "/federation"])
    #expect(result.exitCode == 0, "\(result.output())")
    let url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(url.hasPrefix(world.sso.endpoint + "/federation?Action=login&Issuer=aws-runas&Destination="))
    #expect(url.contains("eu-west-1.console.aws.amazon.com"))
    #expect(try await follow(url, port: world.sso.port) == 302)
    #expect(try await world.sso.calls()["GetSigninToken"] == 1)
  }

  @Test func iamUserProfileGoesThroughGetFederationToken() async throws {
    let sts = try await STSEmulator.shared
    let sso = try await SSOEmulator(sts: sts)
    let scenario = try await Scenario { _ in "[default]\nregion = us-east-1\n" }
    let result = try await scenario.runAs(
      ["console", "default"], environment: ["AWS_RUNAS_SIGNIN_URL": sso.endpoint + "/federation"])
    #expect(result.exitCode == 0, "\(result.output())")
    let url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try await follow(url, port: sso.port) == 302)
  }

  @Test func refusedCredentialsAreOneClearLine() async throws {
    let world = try await IdentityCenterScenario()
    try await world.signIn()
    let result = try await world.runAs(
      ["console", "dev", "--duration", "1m"], ["AWS_RUNAS_SIGNIN_URL": world.sso.endpoint + "/federation"])
    #expect(result.exitCode == 1)
    let errors = IdentityCenterScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("the AWS sign-in endpoint refused the credentials (HTTP 400)") == true)
  }
}

@Suite("IAM Identity Center in the TUI", .serialized)
struct IdentityCenterTUITests {
  @Test func accountBrowserSignsInWritesAProfileAndOpensAShellAsIt() async throws {
    let world = try await IdentityCenterScenario()
    let environment = world.environment(
      world.browser().merging(["TERM": "xterm-256color", "SHELL": "/bin/sh", "ENV": "", "PS1": "tui-shell$ "]) {
        $1
      })
    let session = try await TUISession(environment: environment, directory: world.sandbox.home.path)
    try await session.waitFor("nowhere")
    try await session.send("j", "j")
    try await session.waitFor("details: dev")
    // Not signed in: the browser's listing signs in (the "browser" approves), then lists.
    try await session.send("b")
    try await session.waitFor("Security Audit")
    let header = try await session.waitFor("SSO corp")
    #expect(header.contains("SSO corp 59m") || header.contains("SSO corp 1h"))

    try await session.send("/")
    try await session.send("sandbox", literal: true)
    try await session.send("Enter")
    try await session.waitFor("1 of 12 roles")
    try await session.send("p")
    try await session.waitFor("wrote [profile sandbox-administratoraccess]")
    let config = try String(contentsOfFile: world.sandbox.configFile, encoding: .utf8)
    #expect(config.hasPrefix(IdentityCenterScenario.config))
    #expect(
      config.hasSuffix(
        "[profile sandbox-administratoraccess]\nsso_session = corp\nsso_account_id = 555555555555\n"
          + "sso_role_name = AdministratorAccess\nregion = eu-west-1\n"))

    // ⏎ opens a shell as the selected account and role.
    try await session.send("Enter")
    try await session.waitFor("tui-shell$")
    try await session.send(
      "python3 -c \"import boto3; print('ARN', boto3.client('sts').get_caller_identity()['Arn'])\"", literal: true)
    try await session.send("Enter")
    try await session.waitFor("ARN arn:aws:sts::555555555555:assumed-role/AdministratorAccess/alice@example.com")
    try await session.send("exit", literal: true)
    try await session.send("Enter")
    try await session.waitFor("sandbox-administratoraccess")
    #expect(try await world.sso.calls()["StartDeviceAuthorization"] == 1)
  }
}

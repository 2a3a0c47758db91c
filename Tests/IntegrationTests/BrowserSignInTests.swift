import Foundation
import TestSupport
import Testing

/// A browser sign-in's world: moto, a Keycloak emulator, and profiles whose provider is
/// `browser` with `auth_browser` = `Tests/Support/bin/headless-chromium` (Chromium from apt,
/// headless). `Tests/Support/browser_user.py` plays the user in that Chromium over a DevTools
/// session of its own.
struct BrowserSignInScenario {
  let world: SingleSignOnScenario
  /// Where the wrapper writes Chromium's arguments, and aws-runas's `TMPDIR`.
  let scratch: TemporaryDirectory

  static let wrapper = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/bin/headless-chromium").path
  static let user = STSEmulator.repositoryRoot().appendingPathComponent("Tests/Support/browser_user.py").path

  init() async throws {
    scratch = try TemporaryDirectory(prefix: "browser-signin")
    world = try await SingleSignOnScenario()
    let config = try String(contentsOfFile: world.sandbox.configFile, encoding: .utf8)
    try world.sandbox.writeConfig(
      config + """

        [profile browser-saml]
        saml_auth_url = \(world.keycloak.samlURL())
        saml_provider = browser
        auth_browser  = \(Self.wrapper)
        role_arn      = \(SingleSignOnScenario.admin)

        [profile browser-oidc]
        web_identity_auth_url = \(world.keycloak.realmURL())
        web_identity_provider = browser
        web_identity_client_id = aws-runas
        web_identity_redirect_uri = http://127.0.0.1:9/callback
        auth_browser = \(Self.wrapper)
        role_arn = \(SingleSignOnScenario.admin)
        """)
  }

  var argumentsFile: String { scratch.path + "/browser-args" }

  /// aws-runas with `arguments`, no terminal, while `browser_user.py --action <action>` plays the
  /// user; both results.
  func runAs(_ arguments: [String], user action: String) async throws -> (runAs: ProcessResult, user: ProcessResult) {
    var environment = world.environment(["BROWSER_ARGS_FILE": argumentsFile, "TMPDIR": scratch.path])
    environment.removeValue(forKey: "SAML_PASSWORD")
    async let user = run(
      "/usr/bin/env", ["python3", Self.user, "--args-file", argumentsFile, "--action", action],
      environment: world.environment())
    let runAs = try await run("/usr/bin/setsid", ["-w", runAsBinary()] + arguments, environment: environment)
    return (runAs, try await user)
  }

  /// The profile directory aws-runas gave Chromium.
  func profileDirectory() throws -> String {
    let arguments = try String(contentsOfFile: argumentsFile, encoding: .utf8).split(separator: "\n")
    let directory = arguments.first { $0.hasPrefix("--user-data-dir=") }?.dropFirst("--user-data-dir=".count)
    return try #require(directory.map(String.init))
  }

  /// What is left in aws-runas's `TMPDIR` besides the wrapper's file.
  func leftovers() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0 != "browser-args" }
  }
}

@Suite("Browser sign-in with headless Chromium", .serialized)
struct BrowserSignInTests {
  @Test(arguments: ["browser-saml", "browser-oidc"])
  func theUserSignsInInTheBrowserAndTheAwsCLIGetsTheRole(_ profile: String) async throws {
    let scenario = try await BrowserSignInScenario()
    let (result, user) = try await scenario.runAs(
      [profile, "aws", "sts", "get-caller-identity", "--output", "text", "--query", "Arn"], user: "sign-in")
    #expect(user.exitCode == 0, "\(user.output())")
    #expect(result.exitCode == 0, "\(result.output())\n\(scenario.world.keycloak.log())")
    #expect(result.stdout.hasPrefix("arn:aws:sts::123456789012:assumed-role/Admin/"), "\(result.output())")
    let cache = ".aws_assume_role_" + profile
    #expect(try scenario.world.cacheFiles().contains(cache))
    // Chromium's profile is private while it runs and gone afterwards.
    let profileDirectory = try scenario.profileDirectory()
    #expect(profileDirectory.hasPrefix(scenario.scratch.path + "/"))
    #expect(!FileManager.default.fileExists(atPath: profileDirectory))
    let leftovers = try scenario.leftovers()
    #expect(leftovers.isEmpty, "left in TMPDIR: \(leftovers)")
    // The browser posted nothing to AWS and was not asked for the redirect URI: Keycloak saw one
    // login and the IdP-initiated (or authorization) request.
    let routes = try await scenario.world.keycloak.requests().map(\.route)
    #expect(routes.filter { $0 == "LoginActions" }.count == 1)
  }

  @Test(arguments: ["close-browser", "close-tab"])
  func closingTheBrowserBeforeSignInIsOneClearError(_ action: String) async throws {
    let scenario = try await BrowserSignInScenario()
    let (result, user) = try await scenario.runAs(["-O", "json", "browser-saml"], user: action)
    #expect(user.exitCode == 0, "\(user.output())")
    #expect(result.exitCode == 1, "\(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("the browser was closed before sign-in finished") == true, "\(result.output())")
    #expect(result.stdout.isEmpty)
    #expect(try scenario.world.cacheFiles().filter { $0.hasPrefix(".aws_assume_role") }.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: try scenario.profileDirectory()))
    let leftovers = try scenario.leftovers()
    #expect(leftovers.isEmpty, "left in TMPDIR: \(leftovers)")
  }

  @Test func ctrlCWhileTheBrowserIsOpenEndsItAndRemovesItsProfile() async throws {
    let scenario = try await BrowserSignInScenario()
    let (result, user) = try await scenario.runAs(["-O", "json", "browser-saml"], user: "interrupt")
    #expect(user.exitCode == 0, "\(user.output())")
    #expect(result.exitCode != 0, "\(result.output())")
    #expect(result.stdout.isEmpty)
    let profileDirectory = try scenario.profileDirectory()
    #expect(!FileManager.default.fileExists(atPath: profileDirectory))
    let leftovers = try scenario.leftovers()
    #expect(leftovers.isEmpty, "left in TMPDIR: \(leftovers)")
    // No process of that browser is left.
    let browsers = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
      guard Int(entry) != nil, let commandLine = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else {
        return false
      }
      return String(decoding: commandLine, as: UTF8.self).contains(profileDirectory)
    }
    #expect(browsers.isEmpty, "still running: \(browsers)")
  }

  @Test func aSignInThatTakesTooLongEndsTheBrowserWithOneClearError() async throws {
    let scenario = try await BrowserSignInScenario()
    var environment = scenario.world.environment([
      "BROWSER_ARGS_FILE": scenario.argumentsFile, "TMPDIR": scenario.scratch.path, "AWS_RUNAS_BROWSER_TIMEOUT": "3",
    ])
    environment.removeValue(forKey: "SAML_PASSWORD")
    // Nobody signs in.
    let result = try await run(
      "/usr/bin/setsid", ["-w", runAsBinary(), "-O", "json", "browser-saml"], environment: environment)
    #expect(result.exitCode == 1, "\(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("did not finish in the browser within 3 seconds") == true, "\(result.output())")
    #expect(!FileManager.default.fileExists(atPath: try scenario.profileDirectory()))
    let leftovers = try scenario.leftovers()
    #expect(leftovers.isEmpty, "left in TMPDIR: \(leftovers)")
  }

  @Test func aBrowserThatCannotStartIsNamed() async throws {
    let scenario = try await BrowserSignInScenario()
    var environment = scenario.world.environment(["TMPDIR": scenario.scratch.path])
    environment["AUTH_BROWSER"] = "/bin/false"
    let result = try await run(
      "/usr/bin/setsid", ["-w", runAsBinary(), "-O", "json", "browser-saml"], environment: environment)
    #expect(result.exitCode == 1, "\(result.output())")
    let errors = SingleSignOnScenario.errorLines(result)
    #expect(errors.count == 1, "\(result.output())")
    #expect(errors.first?.contains("/bin/false exited with status 1 before opening its DevTools port") == true)
    let leftovers = try scenario.leftovers()
    #expect(leftovers.isEmpty, "left in TMPDIR: \(leftovers)")
  }
}

import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `aws-runas-tui` end to end: the real binary in tmux, against the STS emulator.
@Suite("TUI in tmux", .serialized)
struct TUITests {
  static func config(_ user: IAMUser) -> String {
    """
    [default]
    region = us-east-1

    [profile dev]
    source_profile = default
    role_arn = \(Scenario.roleARN("dev"))

    [profile prod]
    source_profile = default
    role_arn = \(Scenario.roleARN("admin", account: "210987654321"))
    region = eu-west-1
    \(user.mfaSerial.map { "mfa_serial = \($0)" } ?? "")

    [profile staging]
    source_profile = default
    role_arn = \(Scenario.roleARN("deployer", account: "444444444444"))
    """
  }

  func start(_ scenario: Scenario, columns: Int = 80, rows: Int = 24) throws -> TUISession {
    let environment = scenario.environment([
      "TERM": "xterm-256color", "SHELL": "/bin/sh", "ENV": "", "PS1": "tui-shell$ ",
    ])
    let session = try TUISession(
      environment: environment, directory: scenario.sandbox.home.path, columns: columns, rows: rows)
    try session.waitFor("PROFILE")
    return session
  }

  @Test func listShowsTheSandboxProfiles() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario)
    let screen = try session.waitFor("staging")
    for name in ["default", "dev", "prod", "staging"] {
      #expect(TUISession.line(containing: " \(name) ", in: screen) != nil, "\(name) missing:\n\(screen)")
    }
    let dev = try #require(TUISession.line(containing: " dev ", in: screen))
    #expect(dev.contains("123456789012/dev"))
    #expect(dev.contains("no credentials"))
    #expect(screen.contains("config ~/.aws/config"))
    #expect(screen.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"))
  }

  @Test func filterNarrowsAsYouTypeAndEscClearsIt() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    try session.send("/")
    try session.send("pro", literal: true)
    let narrowed = try session.waitFor("1 of 4 profiles")
    #expect(narrowed.contains(" prod "))
    #expect(!narrowed.contains(" staging "))
    #expect(!narrowed.contains(" dev "))
    try session.send("Escape")
    let cleared = try session.waitFor("4 of 4 profiles")
    #expect(cleared.contains(" staging "))
  }

  @Test func countdownTicksBetweenTwoCaptures() throws {
    let scenario = try Scenario { Self.config($0) }
    let cached = try scenario.runAs(["-O", "json", "dev"])
    #expect(cached.exitCode == 0, "\(cached.stderr)")
    let session = try start(scenario)
    let first = try session.waitFor("valid ")
    let firstRow = try #require(TUISession.line(containing: " dev ", in: first))
    #expect(firstRow.contains("valid "))
    let second = try session.waitFor("the countdown to change", timeout: .seconds(5)) { screen in
      guard let row = TUISession.line(containing: " dev ", in: screen) else { return false }
      return row != firstRow
    }
    #expect(TUISession.line(containing: " dev ", in: second)?.contains("valid ") == true)
  }

  @Test func rOnAnMFAProfileAsksInAModalAndTheCodeGetsCredentials() throws {
    let scenario = try Scenario(mfa: true) { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    try session.send("/")
    try session.send("prod", literal: true)
    try session.send("Enter")
    try session.waitFor("1 of 4 profiles")
    try session.send("r")
    let modal = try session.waitFor("MFA token code")
    #expect(modal.contains("input needed: prod"))
    try session.send(try scenario.mfaCode(), literal: true)
    try session.send("Enter")
    let screen = try session.waitFor("prod's credentials") { screen in
      TUISession.line(containing: " prod ", in: screen)?.contains("valid ") == true
    }
    #expect(!screen.contains("MFA token code"))
    #expect(FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_assume_role_prod")))
  }

  @Test func escCancelsTheMFAModal() throws {
    let scenario = try Scenario(mfa: true) { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    try session.send("/")
    try session.send("prod", literal: true)
    try session.send("Enter", "r")
    try session.waitFor("MFA token code")
    try session.send("Escape")
    let screen = try session.waitFor("cancelled")
    #expect(!screen.contains("MFA token code"))
    #expect(TUISession.line(containing: " prod ", in: screen)?.contains("no credentials") == true)
  }

  @Test func enterOpensAShellAsTheRoleAndExitReturnsToTheList() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    try session.send("j")
    try session.waitFor("details: dev")
    try session.send("Enter")
    try session.waitFor("tui-shell$")
    try session.send(
      "aws sts get-caller-identity --query Arn --output text; echo \"profile=$AWSRUNAS_PROFILE\"", literal: true)
    try session.send("Enter")
    let shell = try session.waitFor("profile=dev")
    #expect(shell.contains("assumed-role/dev/"), "\(shell)")
    #expect(shell.contains("as dev until"))
    try session.send("exit", literal: true)
    try session.send("Enter")
    let back = try session.waitFor("shell for dev exited with status 0")
    #expect(back.contains("PROFILE"))
    #expect(TUISession.line(containing: " dev ", in: back)?.contains("valid ") == true)
  }

  @Test func resizeRedrawsKeepingSelectionAndFilter() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    try session.send("/")
    try session.send("d", literal: true)
    try session.send("Enter", "Down")
    try session.waitFor("details: dev")
    try session.resize(columns: 160, rows: 48)
    let wide = try session.waitFor("the side-by-side layout") {
      $0.contains("│ details: dev") && $0.contains("filter \"d\"")
    }
    #expect(wide.contains("filter \"d\""))
    try session.resize(columns: 80, rows: 24)
    let narrow = try session.waitFor("the stacked layout") { !$0.contains("│ details") && $0.contains(" details: dev") }
    #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 80 })
  }

  @Test func qLeavesACleanTerminal() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    try session.send("q")
    let screen = try session.waitFor("STTY:")
    #expect(screen.contains("TUI-EXIT 0"))
    #expect(!screen.contains("PROFILE"), "the TUI's screen is gone:\n\(screen)")
    #expect(screen.contains("STTY: icrnl opost icanon echo"), "cooked mode restored:\n\(screen)")
  }

  @Test func sigtermRestoresTheTerminal() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario)
    try session.waitFor("staging")
    kill(try session.tuiProcessID(), SIGTERM)
    let screen = try session.waitFor("STTY:")
    #expect(screen.contains("TUI-EXIT 143"))
    #expect(screen.contains("STTY: icrnl opost icanon echo"), "cooked mode restored:\n\(screen)")
  }

  @Test func switchboardServesTheActivatedProfile() throws {
    let scenario = try Scenario { Self.config($0) }
    let session = try start(scenario, columns: 200, rows: 30)
    let screen = try session.waitFor("staging")
    let header = try #require(TUISession.line(containing: "AWS_CONTAINER_CREDENTIALS_FULL_URI=", in: screen))
    let words = header.split(separator: " ")
    let url = try #require(
      words.first { $0.hasPrefix("AWS_CONTAINER_CREDENTIALS_FULL_URI=") }?.split(separator: "=", maxSplits: 1).last)
    let token = try #require(
      words.first { $0.hasPrefix("AWS_CONTAINER_AUTHORIZATION_TOKEN=") }?.split(separator: "=", maxSplits: 1).last)
    try session.send("j", "a")
    try session.waitFor("active: dev")
    var environment = scenario.environment()
    environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = String(url)
    environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = String(token)
    let result = try run(
      "/usr/bin/env", ["aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
      environment: environment)
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(result.stdout.contains("assumed-role/dev/"), "\(result.stdout)")
  }
}

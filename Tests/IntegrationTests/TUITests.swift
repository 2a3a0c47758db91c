import Foundation
import TestSupport
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

  /// The TUI on a fresh scenario with Enter pressed on `dev`: its shell is waiting at the prompt.
  /// The scenario is returned too: its sandbox lives as long as the caller keeps it.
  static func shellOnDev() async throws -> (Scenario, TUISession) {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    try await session.send("j")
    try await session.waitFor("details: dev")
    try await session.send("Enter")
    try await session.waitFor("tui-shell$")
    return (scenario, session)
  }

  static func start(
    _ scenario: Scenario, columns: Int = 80, rows: Int = 24, as user: UnprivilegedUser? = nil
  ) async throws -> TUISession {
    let environment = scenario.environment([
      "TERM": "xterm-256color", "SHELL": "/bin/sh", "ENV": "", "PS1": "tui-shell$ ",
    ])
    let session = try await TUISession(
      environment: environment, directory: scenario.sandbox.home.path, columns: columns, rows: rows, as: user)
    try await session.waitFor("PROFILE")
    return session
  }

  @Test func listShowsTheSandboxProfiles() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario)
    let screen = try await session.waitFor("staging")
    for name in ["default", "dev", "prod", "staging"] {
      #expect(TUISession.line(containing: " \(name) ", in: screen) != nil, "\(name) missing:\n\(screen)")
    }
    let dev = try #require(TUISession.line(containing: " dev ", in: screen))
    #expect(dev.contains("123456789012/dev"))
    #expect(dev.contains("no credentials"))
    #expect(screen.contains("config ~/.aws/config"))
    // At 80 columns the header shows the URL; the full export line needs a wider terminal.
    #expect(screen.contains("switchboard: http://127.0.0.1:"))
  }

  @Test func filterNarrowsAsYouTypeAndEscClearsIt() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    try await session.send("/")
    try await session.send("pro", literal: true)
    let narrowed = try await session.waitFor("1 of 4 profiles")
    #expect(narrowed.contains(" prod "))
    #expect(!narrowed.contains(" staging "))
    #expect(!narrowed.contains(" dev "))
    try await session.send("Escape")
    let cleared = try await session.waitFor("4 of 4 profiles")
    #expect(cleared.contains(" staging "))
  }

  @Test func countdownTicksBetweenTwoCaptures() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let cached = try await scenario.runAs(["-O", "json", "dev"])
    #expect(cached.exitCode == 0, "\(cached.stderr)")
    let session = try await Self.start(scenario)
    let first = try await session.waitFor("valid ")
    let firstRow = try #require(TUISession.line(containing: " dev ", in: first))
    #expect(firstRow.contains("valid "))
    let second = try await session.waitFor("change of the countdown") { screen in
      guard let row = TUISession.line(containing: " dev ", in: screen) else { return false }
      return row != firstRow
    }
    #expect(TUISession.line(containing: " dev ", in: second)?.contains("valid ") == true)
  }

  @Test func rOnAnMFAProfileAsksInAModalAndTheCodeGetsCredentials() async throws {
    let scenario = try await Scenario(mfa: true) { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    try await session.send("/")
    try await session.send("prod", literal: true)
    try await session.send("Enter")
    try await session.waitFor("1 of 4 profiles")
    try await session.send("r")
    let modal = try await session.waitFor("MFA token code")
    #expect(modal.contains("input needed: prod"))
    try await session.send(try await scenario.mfaCode(), literal: true)
    try await session.send("Enter")
    let screen = try await session.waitFor("prod's credentials") { screen in
      TUISession.line(containing: " prod ", in: screen)?.contains("valid ") == true
    }
    #expect(!screen.contains("MFA token code"))
    #expect(FileManager.default.fileExists(atPath: scenario.sandbox.path(".aws/.aws_assume_role_prod")))
  }

  @Test func escCancelsTheMFAModal() async throws {
    let scenario = try await Scenario(mfa: true) { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    try await session.send("/")
    try await session.send("prod", literal: true)
    try await session.send("Enter", "r")
    try await session.waitFor("MFA token code")
    try await session.send("Escape")
    let screen = try await session.waitFor("cancelled")
    #expect(!screen.contains("MFA token code"))
    #expect(TUISession.line(containing: " prod ", in: screen)?.contains("no credentials") == true)
  }

  @Test func enterOpensAShellAsTheRoleAndExitReturnsToTheList() async throws {
    let (scenario, session) = try await Self.shellOnDev()
    defer { withExtendedLifetime(scenario) {} }
    try await session.send(
      "aws sts get-caller-identity --query Arn --output text; echo \"profile=$AWSRUNAS_PROFILE\"", literal: true)
    try await session.send("Enter")
    let shell = try await session.waitFor("profile=dev")
    #expect(shell.contains("assumed-role/dev/"), "\(shell)")
    #expect(shell.contains("as dev until"))
    try await session.send("exit", literal: true)
    try await session.send("Enter")
    let back = try await session.waitFor("shell for dev exited with status 0")
    #expect(back.contains("PROFILE"))
    #expect(TUISession.line(containing: " dev ", in: back)?.contains("valid ") == true)
  }

  @Test func resizeRedrawsKeepingSelectionAndFilter() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    try await session.send("/")
    try await session.send("d", literal: true)
    try await session.send("Enter", "Down")
    try await session.waitFor("details: dev")
    try await session.resize(columns: 160, rows: 48)
    let wide = try await session.waitFor("the side-by-side layout") {
      $0.contains("│ details: dev") && $0.contains("filter \"d\"")
    }
    #expect(wide.contains("filter \"d\""))
    try await session.resize(columns: 80, rows: 24)
    let narrow = try await session.waitFor("the stacked layout") {
      !$0.contains("│ details") && $0.contains(" details: dev")
    }
    #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 80 })
  }

  @Test func qLeavesACleanTerminal() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    try await session.send("q")
    let screen = try await session.waitFor("STTY:")
    #expect(screen.contains("TUI-EXIT 0"))
    #expect(!screen.contains("PROFILE"), "the TUI's screen is gone:\n\(screen)")
    #expect(screen.contains("STTY: icrnl opost icanon echo"), "cooked mode restored:\n\(screen)")
  }

  @Test func sigtermRestoresTheTerminal() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario)
    try await session.waitFor("staging")
    kill(try await session.tuiProcessID(), SIGTERM)
    let screen = try await session.waitFor("STTY:")
    #expect(screen.contains("TUI-EXIT 143"))
    #expect(screen.contains("STTY: icrnl opost icanon echo"), "cooked mode restored:\n\(screen)")
  }

  /// Whether `pid` is gone or a zombie (exited, not yet reaped by whoever inherited it).
  static func hasExited(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    // The state follows the parenthesised command name.
    guard let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
  }

  @Test func aHungUpTerminalEndsTheTUIEvenWithAShellOpen() async throws {
    let (scenario, session) = try await Self.shellOnDev()
    defer { withExtendedLifetime(scenario) {} }
    let tui = try await session.tuiProcessID()
    // Closing the terminal (the window goes away): tmux's server exits and the pty hangs up.
    _ = try? await session.tmux(["kill-server"])
    let ended = try await poll(timeout: .seconds(60)) { Self.hasExited(tui) ? true : nil }
    if ended == nil { kill(tui, SIGKILL) }
    #expect(ended == true, "aws-runas-tui (pid \(tui)) still runs after its terminal hung up")
  }

  @Test func switchboardServesTheActivatedProfile() async throws {
    let scenario = try await Scenario { Self.config($0) }
    let session = try await Self.start(scenario, columns: 200, rows: 30)
    let screen = try await session.waitFor("staging")
    let header = try #require(TUISession.line(containing: "AWS_CONTAINER_CREDENTIALS_FULL_URI=", in: screen))
    let words = header.split(separator: " ")
    let url = try #require(
      words.first { $0.hasPrefix("AWS_CONTAINER_CREDENTIALS_FULL_URI=") }?.split(separator: "=", maxSplits: 1).last)
    let token = try #require(
      words.first { $0.hasPrefix("AWS_CONTAINER_AUTHORIZATION_TOKEN=") }?.split(separator: "=", maxSplits: 1).last)
    try await session.send("j", "a")
    try await session.waitFor("active: dev")
    var environment = scenario.environment()
    environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = String(url)
    environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = String(token)
    let result = try await run(
      "/usr/bin/env", ["aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
      environment: environment)
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(result.stdout.contains("assumed-role/dev/"), "\(result.stdout)")
  }
}

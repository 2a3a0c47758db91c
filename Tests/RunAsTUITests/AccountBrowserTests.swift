import Foundation
import RunAsCore
import Testing

@testable import RunAsTUI

@Suite("Account browser and console keys")
struct AccountBrowserTests {
  static let config = """
    [default]
    region = us-east-1

    [profile corp-dev]
    sso_session = corp
    sso_account_id = 111111111111
    sso_role_name = ReadOnlyAccess
    region = eu-west-1

    [profile deploy]
    source_profile = corp-dev
    role_arn = arn:aws:iam::333333333333:role/Deploy

    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = us-east-1
    """

  static let entries = [
    AccountRoleEntry(accountID: "333333333333", accountName: "Development", roleName: "AdministratorAccess"),
    AccountRoleEntry(accountID: "333333333333", accountName: "Development", roleName: "DeveloperAccess"),
    AccountRoleEntry(accountID: "111111111111", accountName: "Production", roleName: "AdministratorAccess"),
    AccountRoleEntry(accountID: "111111111111", accountName: "Production", roleName: "ReadOnlyAccess"),
    AccountRoleEntry(accountID: "555555555555", accountName: "Sandbox", roleName: "AdministratorAccess"),
  ]

  /// The profiles above (`corp-dev` selected), at 80 × 24.
  static func state() throws -> AppState {
    let files = AWSConfigFiles(
      configPath: "/fixture/.aws/config", credentialsPath: "/fixture/.aws/credentials",
      config: try INIFile(parsing: config, path: "/fixture/.aws/config", stripsInlineComments: false),
      credentials: .empty(path: "/fixture/.aws/credentials"))
    let rows = ProfileResolver(files: files, environment: [:]).resolveAllProfiles().map {
      ProfileRow(name: $0.name, result: $0.result, cacheDirectory: files.cacheDirectory)
    }
    var state = AppState(now: Fixtures.now)
    _ = Reducer.reduce(&state, .profilesLoaded(rows, configPath: "~/.aws/config"))
    _ = Reducer.reduce(&state, .identityCenterSessionsLoaded(["corp": Fixtures.now + 7 * 3600 + 59 * 60]))
    return state
  }

  @Test func identityCenterProfileShowsItsAccountAndRoleAndKind() throws {
    let row = try #require(try Self.state().selectedRow)
    #expect(row.name == "corp-dev")
    #expect(row.kind == "SSO")
    #expect(row.accountAndRole.contains("111111111111"))
    #expect(row.cacheFile == "/fixture/.aws/.aws_sso_role_corp-dev")
  }

  @Test func bOpensTheBrowserForAnIdentityCenterProfileOrAChainOnOne() throws {
    var state = try Self.state()
    #expect(Fixtures.press([.character("b")], &state) == [.loadAccounts(profile: "corp-dev")])
    #expect(state.accountBrowser?.profileName == "corp-dev")
    _ = Fixtures.press([.escape], &state)
    #expect(state.accountBrowser == nil)
    _ = Fixtures.press([.character("j"), .character("j")], &state)
    #expect(state.selectedRow?.name == "deploy")
    #expect(Fixtures.press([.character("b")], &state) == [.loadAccounts(profile: "deploy")])
  }

  @Test func bOnAnotherProfileIsAnError() throws {
    var state = try Self.state()
    _ = Fixtures.press([.character("j")], &state)
    #expect(state.selectedRow?.name == "default")
    #expect(Fixtures.press([.character("b")], &state).isEmpty)
    #expect(state.accountBrowser == nil)
    #expect(state.flash?.text == "default does not use IAM Identity Center (no sso_session)")
    #expect(state.flash?.isError == true)
  }

  @Test func filterNarrowsAndEnterWritesAProfileThenOpensAShell() throws {
    var state = try Self.state()
    _ = Fixtures.press([.character("b")], &state)
    _ = Reducer.reduce(&state, .accountsLoaded(profile: "corp-dev", result: .success(Self.entries)))
    #expect(state.accountBrowser?.visible.count == 5)
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("prod", &state)
    _ = Fixtures.press([.enter, .character("j")], &state)
    #expect(state.accountBrowser?.selected?.roleName == "ReadOnlyAccess")
    let effects = Fixtures.press([.enter], &state)
    #expect(
      effects == [
        .writeProfile(
          from: "corp-dev", entry: Self.entries[3], name: "production-readonlyaccess", followUp: .shell)
      ])
    let next = Reducer.reduce(
      &state,
      .profileWritten(name: "production-readonlyaccess", result: .success("~/.aws/config"), followUp: .shell))
    #expect(
      next == [
        .reloadConfiguration, .fetchCredentials(profile: "production-readonlyaccess", force: false, launch: true),
      ])
    #expect(state.accountBrowser == nil)
    #expect(state.flash?.text == "wrote [profile production-readonlyaccess] to ~/.aws/config")
  }

  @Test func pWritesAndOOpensTheConsoleAsTheSelectedRole() throws {
    var state = try Self.state()
    _ = Fixtures.press([.character("b")], &state)
    _ = Reducer.reduce(&state, .accountsLoaded(profile: "corp-dev", result: .success(Self.entries)))
    #expect(
      Fixtures.press([.character("G"), .character("p")], &state) == [
        .writeProfile(from: "corp-dev", entry: Self.entries[4], name: "sandbox-administratoraccess", followUp: .nothing)
      ])
    #expect(
      Fixtures.press([.character("o")], &state) == [
        .writeProfile(from: "corp-dev", entry: Self.entries[4], name: "sandbox-administratoraccess", followUp: .console)
      ])
    let next = Reducer.reduce(
      &state,
      .profileWritten(name: "sandbox-administratoraccess", result: .success("~/.aws/config"), followUp: .console))
    #expect(next == [.reloadConfiguration, .openConsole(profile: "sandbox-administratoraccess")])
  }

  @Test func escClearsTheFilterFirstThenCloses() throws {
    var state = try Self.state()
    _ = Fixtures.press([.character("b")], &state)
    _ = Reducer.reduce(&state, .accountsLoaded(profile: "corp-dev", result: .success(Self.entries)))
    _ = Fixtures.press([.character("/")], &state)
    _ = Fixtures.type("zzz", &state)
    _ = Fixtures.press([.enter], &state)
    #expect(state.accountBrowser?.visible.isEmpty == true)
    _ = Fixtures.press([.escape], &state)
    #expect(state.accountBrowser?.visible.count == 5)
    _ = Fixtures.press([.escape], &state)
    #expect(state.accountBrowser == nil)
  }

  @Test func failedListingIsShownInTheBrowser() throws {
    var state = try Self.state()
    _ = Fixtures.press([.character("b")], &state)
    _ = Reducer.reduce(
      &state, .accountsLoaded(profile: "corp-dev", result: .failure(Failure("the sign-in was denied"))))
    #expect(Renderer.render(state).text.contains("error: the sign-in was denied"))
  }

  @Test func oOpensTheConsoleForTheSelectedProfile() throws {
    var state = try Self.state()
    #expect(Fixtures.press([.character("o")], &state) == [.openConsole(profile: "corp-dev")])
    _ = Reducer.reduce(&state, .consoleReady(profile: "corp-dev", result: .success(.opened)))
    #expect(state.flash?.text == "opened the AWS console for corp-dev")
    _ = Reducer.reduce(&state, .consoleReady(profile: "corp-dev", result: .failure(Failure("refused"))))
    #expect(state.flash == AppState.Flash(text: "console for corp-dev: refused", isError: true, until: state.now + 6))
  }

  @Test func browserAt80x24() throws {
    var state = try Self.state()
    _ = Fixtures.press([.character("b")], &state)
    _ = Reducer.reduce(&state, .accountsLoaded(profile: "corp-dev", result: .success(Self.entries)))
    _ = Fixtures.press([.character("j")], &state)
    let screen = Renderer.render(state)
    try assertSnapshot(screen, named: "accounts-80x24")
    #expect(screen.text.contains("SSO corp 7h59m"))
  }

  @Test func signInModalShowsTheCodeAndCountsDown() throws {
    var state = try Self.state()
    var prompt = AppState.Prompt(
      id: 1,
      question: "IAM Identity Center sign-in for https://corp.awsapps.com/start: open "
        + "https://device.sso/?user_code=ABCD-EFGH and confirm the code ABCD-EFGH",
      kind: .notice, profileName: "corp-dev")
    prompt.deadline = Fixtures.now + 600
    _ = Reducer.reduce(&state, .promptRequested(prompt))
    let screen = Renderer.render(state)
    try assertSnapshot(screen, named: "sso-sign-in-80x24")
    #expect(screen.text.contains("expires in 10m00s"))
    _ = Reducer.reduce(&state, .tick(Fixtures.now + 61))
    #expect(Renderer.render(state).text.contains("expires in 8m59s"))
    #expect(Fixtures.press([.escape], &state) == [.cancelPrompt(id: 1)])
  }
}
